// Token configuration, role and source checks, and the rate limiter of the REST API (pure, no server).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  authenticate,
  authorize,
  authorizeEvent,
  isLoopbackAddress,
  loadTokens,
  requireLoopbackForDevelopmentTokens,
  TokenConfigError,
  TokenRateLimiter,
  type ApiCaller,
  type RequiredRole,
} from '../../api/auth';
import { readApiConfig } from '../../api/config';
import { ApiError, DependencyUnavailableError, ForbiddenError, UnauthenticatedError } from '../../api/errors';
import { decodePathParams, matchRoute, routes } from '../../api/routes';
import { sha256Hex } from '../../platform/content-hash';

describe('API tokens', () => {
  it('without configuration there is no token at all: the development tokens are never a fallback', () => {
    expect(() => loadTokens({})).toThrow(TokenConfigError);
    expect(() => loadTokens({})).toThrow(/no token configured: set LAZARUS_API_TOKENS or LAZARUS_API_TOKENS_FILE/);
    expect(() => loadTokens({ LAZARUS_API_DEV_TOKENS: '0' })).toThrow(/no token configured/);
    expect(() => loadTokens({ LAZARUS_API_TOKENS: '{}' })).toThrow(/no token configured/);
  });

  it('with LAZARUS_API_DEV_TOKENS=1, the documented development tokens map to their roles', () => {
    const tokens = loadTokens({ LAZARUS_API_DEV_TOKENS: '1' });
    expect(tokens.every((entry) => entry.development)).toBe(true);
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
    const tokens = loadTokens({ LAZARUS_API_DEV_TOKENS: '1' });
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
    expect(() => loadTokens({ LAZARUS_API_DEV_TOKENS: 'maybe' })).toThrow(/LAZARUS_API_DEV_TOKENS: expected 1 or 0/);
  });

  it('a tokens file that is missing or unreadable is an error naming it, never a fallback', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazarus-tokens-'));
    try {
      const missing = path.join(dir, 'missing.yaml');
      expect(() => loadTokens({ LAZARUS_API_TOKENS_FILE: missing })).toThrow(
        `API tokens from ${missing}: the file does not exist`,
      );
      expect(() => loadTokens({ LAZARUS_API_TOKENS_FILE: missing, LAZARUS_API_DEV_TOKENS: '1' })).toThrow(
        /the file does not exist/,
      );
      expect(() => loadTokens({ LAZARUS_API_TOKENS_FILE: dir })).toThrow(
        `API tokens from ${dir}: cannot read it (EISDIR)`,
      );
      const broken = path.join(dir, 'broken.yaml');
      fs.writeFileSync(broken, 'tokens: [unclosed\n  x: {');
      expect(() => loadTokens({ LAZARUS_API_TOKENS_FILE: broken })).toThrow(/not YAML: [^\n]*$/);
      const good = path.join(dir, 'tokens.yaml');
      fs.writeFileSync(
        good,
        `tokens:\n  ${sha256Hex('op')}: operator\n  ${sha256Hex('nagios')}:\n    role: sensor\n    sources: [nagios]\n`,
      );
      const tokens = loadTokens({ LAZARUS_API_TOKENS_FILE: good });
      expect(authenticate('Bearer op', tokens).role).toBe('operator');
      expect(authenticate('Bearer nagios', tokens).limits).toEqual({ sources: ['nagios'] });
      expect(() => authenticate('Bearer dev-operator-token', tokens)).toThrow(UnauthenticatedError);
      // the default file of the checkout is read only when it exists
      expect(() => loadTokens({}, path.join(dir, 'api-tokens.yaml'))).toThrow(/no token configured/);
      expect(loadTokens({}, good)).toHaveLength(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sensor tokens can be limited to sources and event types; limits on other roles or unknown keys are errors', () => {
    const table = {
      [sha256Hex('nagios')]: { role: 'sensor', sources: ['nagios'] },
      [sha256Hex('scaler')]: { role: 'sensor', event_types: ['ScaleUp', 'ScaleDown'] },
      [sha256Hex('plain')]: { role: 'viewer' },
    };
    const tokens = loadTokens({ LAZARUS_API_TOKENS: JSON.stringify(table) });
    const nagios = authenticate('Bearer nagios', tokens);
    expect(() => authorizeEvent(nagios, { source: 'nagios', event_type: 'NagiosHostAlarm' })).not.toThrow();
    const wrongSource = (): void => authorizeEvent(nagios, { source: 'datadog', event_type: 'HealthcheckDown' });
    expect(wrongSource).toThrow(ApiError);
    expect(wrongSource).toThrow('source: this token may submit events of source nagios only, not datadog');
    const scaler = authenticate('Bearer scaler', tokens);
    expect(() => authorizeEvent(scaler, { source: 'api', event_type: 'HealthcheckDown' })).toThrow(
      /^event_type: this token may submit event types ScaleUp, ScaleDown only, not HealthcheckDown$/,
    );
    expect(authenticate('Bearer plain', tokens)).toEqual({ role: 'viewer', id: sha256Hex('plain').slice(0, 8) });
    const bad =
      (value: unknown): (() => unknown) =>
      () =>
        loadTokens({ LAZARUS_API_TOKENS: JSON.stringify({ [sha256Hex('x')]: value }) });
    expect(bad({ role: 'operator', sources: ['api'] })).toThrow(/limit sensor tokens only, not operator/);
    expect(bad({ role: 'sensor', sources: ['pager'] })).toThrow(/sources: "pager" is not one of nagios, datadog/);
    expect(bad({ role: 'sensor', sources: [] })).toThrow(/sources: expected a non-empty list/);
    expect(bad({ role: 'sensor', regions: ['x'] })).toThrow(/unknown key "regions"/);
  });

  it('development tokens only on a loopback address', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) {
      expect(isLoopbackAddress(host)).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'api.example.com', '::ffff:10.0.0.1']) {
      expect(isLoopbackAddress(host)).toBe(false);
    }
    const dev = loadTokens({ LAZARUS_API_DEV_TOKENS: '1' });
    expect(() => requireLoopbackForDevelopmentTokens(dev, '127.0.0.1')).not.toThrow();
    expect(() => requireLoopbackForDevelopmentTokens(dev, '0.0.0.0')).toThrow(
      /development tokens are allowed only on a loopback address .*, not 0\.0\.0\.0/,
    );
    const configured = loadTokens({ LAZARUS_API_TOKENS: JSON.stringify({ [sha256Hex('s')]: 'operator' }) });
    expect(() => requireLoopbackForDevelopmentTokens(configured, '0.0.0.0')).not.toThrow();
  });
});

describe('API rate limit and settings', () => {
  it('a token bucket per token: the burst, then one request per 1/rate s, with the seconds to wait', () => {
    let now = 0;
    const limiter = new TokenRateLimiter({ perSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => limiter.take('a'))).toEqual([undefined, undefined, undefined]);
    expect(limiter.take('a')).toBe(1);
    expect(limiter.take('b')).toBeUndefined();
    now = 500;
    expect(limiter.take('a')).toBeUndefined();
    expect(limiter.take('a')).toBe(1);
    const slow = new TokenRateLimiter({ perSecond: 0.1, burst: 1 }, () => now);
    expect(slow.take('a')).toBeUndefined();
    expect(slow.take('a')).toBe(10);
    const off = new TokenRateLimiter({ perSecond: 0, burst: 0 });
    expect(Array.from({ length: 1000 }, () => off.take('a')).every((wait) => wait === undefined)).toBe(true);
  });

  it('settings: rate 50/s with burst 100 and a 5 s metrics cache by default; bad values name the variable', () => {
    expect(readApiConfig({})).toMatchObject({ rateLimit: { perSecond: 50, burst: 100 }, metricsCacheMs: 5000 });
    expect(readApiConfig({ LAZARUS_API_RATE_LIMIT: '5', LAZARUS_API_METRICS_CACHE_SECONDS: '0' })).toMatchObject({
      rateLimit: { perSecond: 5, burst: 10 },
      metricsCacheMs: 0,
    });
    expect(readApiConfig({ LAZARUS_API_RATE_LIMIT: '0' }).rateLimit.perSecond).toBe(0);
    expect(() => readApiConfig({ LAZARUS_API_RATE_BURST: 'x' })).toThrow(/^LAZARUS_API_RATE_BURST: /);
    expect(() => readApiConfig({ LAZARUS_API_RATE_LIMIT: '-1' })).toThrow(/^LAZARUS_API_RATE_LIMIT: /);
  });
});

describe('API paths and errors', () => {
  it('path parameters come back encoded from matchRoute and are decoded afterwards; malformed is a 400', () => {
    const found = matchRoute(routes, 'GET', '/v1/events/nagios%2Fweb-1%2Fhost%2F42');
    expect(found.route?.path).toBe('/v1/events/{incident_key}');
    const params = (found as { params: Record<string, string> }).params;
    expect(params).toEqual({ incident_key: 'nagios%2Fweb-1%2Fhost%2F42' });
    expect(decodePathParams(params)).toEqual({ incident_key: 'nagios/web-1/host/42' });
    expect(() => decodePathParams({ incident_key: '%E0%A4%A' })).toThrow(
      'incident_key: malformed percent-encoding in the path',
    );
  });

  it('a dependency error tells the client which dependency, not the addresses or ARNs of its detail', () => {
    const kinesis = new DependencyUnavailableError(
      'kinesis',
      'stream lazarus-events: Stream arn:aws:kinesis:us-east-1:123456789012:stream/lazarus-events not found',
    );
    expect(kinesis.message).toBe('kinesis unavailable: stream lazarus-events did not take the event');
    expect(kinesis.detail).toContain('arn:aws:kinesis');
    const temporal = new DependencyUnavailableError('temporal', '14 UNAVAILABLE: connect ECONNREFUSED 10.1.2.3:7233');
    expect(temporal.message).toBe('temporal unavailable: it did not answer or refused the call');
    expect(new DependencyUnavailableError('kinesis', 'stream arn:aws:kinesis:x: y').message).not.toContain('arn:');
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
