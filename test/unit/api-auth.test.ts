// Token configuration and role checks of the REST API (pure, no server).
import {
  authenticate,
  authorize,
  loadTokens,
  TokenConfigError,
  type ApiCaller,
  type RequiredRole,
} from '../../api/auth';
import { ForbiddenError, UnauthenticatedError } from '../../api/errors';
import { sha256Hex } from '../../platform/content-hash';

describe('API tokens', () => {
  it('without configuration, the documented development tokens map to their roles', () => {
    const tokens = loadTokens({});
    expect(authenticate('Bearer dev-sensor-token', tokens).role).toBe('sensor');
    expect(authenticate('Bearer dev-viewer-token', tokens).role).toBe('viewer');
    expect(authenticate('bearer dev-operator-token', tokens).role).toBe('operator');
  });

  it('LAZARUS_API_TOKENS replaces the development tokens; the caller id is a prefix of the hash, not the token', () => {
    const tokens = loadTokens({ LAZARUS_API_TOKENS: JSON.stringify({ [sha256Hex('s3cret')]: 'operator' }) });
    const caller = authenticate('Bearer s3cret', tokens);
    expect(caller).toEqual({ role: 'operator', id: sha256Hex('s3cret').slice(0, 8) });
    expect(() => authenticate('Bearer dev-operator-token', tokens)).toThrow(UnauthenticatedError);
  });

  it('rejects a missing header, another scheme and an unknown token', () => {
    const tokens = loadTokens({});
    for (const header of [undefined, '', 'Basic abc', 'Bearer', 'Bearer nope']) {
      expect(() => authenticate(header, tokens)).toThrow(UnauthenticatedError);
    }
  });

  it('a malformed token table is a configuration error naming the source', () => {
    expect(() => loadTokens({ LAZARUS_API_TOKENS: '{' })).toThrow(/LAZARUS_API_TOKENS: not JSON/);
    expect(() => loadTokens({ LAZARUS_API_TOKENS: '{"abc":"operator"}' })).toThrow(TokenConfigError);
    expect(() => loadTokens({ LAZARUS_API_TOKENS: JSON.stringify({ [sha256Hex('x')]: 'admin' }) })).toThrow(
      /role must be one of sensor, viewer, operator/,
    );
  });
});

describe('API roles', () => {
  const as = (role: ApiCaller['role']): ApiCaller => ({ role, id: 'test' });
  const allowed = (role: ApiCaller['role'], required: RequiredRole): boolean => {
    try {
      authorize(as(role), required);
      return true;
    } catch (error) {
      if (error instanceof ForbiddenError) return false;
      throw error;
    }
  };

  it('operator does everything, viewer only reads, sensor only submits', () => {
    expect(['sensor', 'viewer', 'operator', 'public'].map((r) => allowed('operator', r as RequiredRole))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['sensor', 'viewer', 'operator'].map((r) => allowed('viewer', r as RequiredRole))).toEqual([
      false,
      true,
      false,
    ]);
    expect(['sensor', 'viewer', 'operator'].map((r) => allowed('sensor', r as RequiredRole))).toEqual([
      true,
      false,
      false,
    ]);
  });
});
