// Bearer tokens and roles. Configuration holds only sha256 hashes of tokens; a presented token is hashed and compared
// with every configured hash in constant time, so neither timing nor the configuration reveals a token.
import { timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { sha256Hex } from '../platform/content-hash';
import { ForbiddenError, UnauthenticatedError } from './errors';

export const apiRoles = ['sensor', 'viewer', 'operator'] as const;
export type ApiRole = (typeof apiRoles)[number];

/** The route's required role: `sensor` submits events, `viewer` reads, `operator` does both and acts. */
export type RequiredRole = ApiRole | 'public';

export interface ApiCaller {
  role: ApiRole;
  /** First 8 hex digits of the token's hash: who, in audit records, without the secret. */
  id: string;
}

export interface TokenEntry {
  hash: Buffer;
  role: ApiRole;
}

/** Development tokens of the local default configuration (docs/api.md). Never used when tokens are configured. */
export const developmentTokens: Readonly<Record<ApiRole, string>> = {
  sensor: 'dev-sensor-token',
  operator: 'dev-operator-token',
  viewer: 'dev-viewer-token',
};

export class TokenConfigError extends Error {
  override readonly name = 'TokenConfigError';
  constructor(source: string, problem: string) {
    super(`API tokens from ${source}: ${problem}`);
  }
}

/** Parse `{ "<sha256 hex>": "<role>" }` as found in LAZARUS_API_TOKENS or api/api-tokens.yaml. */
export function parseTokenTable(table: unknown, source: string): TokenEntry[] {
  if (table === null || typeof table !== 'object' || Array.isArray(table)) {
    throw new TokenConfigError(source, 'expected a map of sha256 hex digest to role');
  }
  return Object.entries(table as Record<string, unknown>).map(([hash, role]) => {
    if (!/^[0-9a-f]{64}$/i.test(hash)) throw new TokenConfigError(source, `"${hash}" is not a sha256 hex digest`);
    if (!apiRoles.includes(role as ApiRole)) {
      throw new TokenConfigError(source, `${hash.slice(0, 8)}…: role must be one of ${apiRoles.join(', ')}`);
    }
    return { hash: Buffer.from(hash, 'hex'), role: role as ApiRole };
  });
}

/**
 * The token table: LAZARUS_API_TOKENS (JSON) if set, else the YAML file if it exists, else the development tokens.
 */
export function loadTokens(env: Readonly<Record<string, string | undefined>>, yamlPath?: string): TokenEntry[] {
  const json = env.LAZARUS_API_TOKENS?.trim();
  if (json) {
    let table: unknown;
    try {
      table = JSON.parse(json);
    } catch (error) {
      throw new TokenConfigError('LAZARUS_API_TOKENS', `not JSON: ${(error as Error).message}`);
    }
    return parseTokenTable(table, 'LAZARUS_API_TOKENS');
  }
  if (yamlPath && fs.existsSync(yamlPath)) {
    const doc = parseYaml(fs.readFileSync(yamlPath, 'utf8')) as { tokens?: unknown } | null;
    return parseTokenTable(doc?.tokens ?? doc, yamlPath);
  }
  return apiRoles.map((role) => ({ hash: Buffer.from(sha256Hex(developmentTokens[role]), 'hex'), role }));
}

/** Who presents this Authorization header; throws UnauthenticatedError for a missing or unknown token. */
export function authenticate(header: string | undefined, tokens: readonly TokenEntry[]): ApiCaller {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) throw new UnauthenticatedError();
  const presented = Buffer.from(sha256Hex(match[1]), 'hex');
  let found: TokenEntry | undefined;
  // Compare with every entry, without stopping early, so the time does not depend on which entry matched.
  for (const entry of tokens) {
    if (timingSafeEqual(presented, entry.hash) && !found) found = entry;
  }
  if (!found) throw new UnauthenticatedError();
  return { role: found.role, id: presented.toString('hex').slice(0, 8) };
}

/** operator ⊇ viewer; sensor only submits (and operator may submit too). */
export function authorize(caller: ApiCaller, required: RequiredRole): void {
  if (required === 'public' || caller.role === 'operator' || caller.role === required) return;
  throw new ForbiddenError(
    caller.role,
    required === 'viewer' ? 'viewer or operator' : required === 'sensor' ? 'sensor or operator' : 'operator',
  );
}
