// Bearer tokens and roles. Configuration holds only sha256 hashes of tokens; a presented token is hashed and compared
// with every configured hash in constant time, so neither timing nor the configuration reveals a token. The
// development tokens are in force only when LAZARUS_API_DEV_TOKENS enables them, and only on a loopback address.
import { timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { parse as parseYaml } from 'yaml';
import { eventSources, type LazarusEvent } from '../core/event';
import { sha256Hex } from '../platform/content-hash';
import { ApiError, ForbiddenError, UnauthenticatedError } from './errors';

export const apiRoles = ['sensor', 'viewer', 'operator'] as const;
export type ApiRole = (typeof apiRoles)[number];

/** The route's required role: `sensor` submits events, `viewer` reads, `operator` does both and acts. */
export type RequiredRole = ApiRole | 'public';

/** What a sensor token may submit; absent: anything. */
export interface TokenLimits {
  /** Event `source` values (nagios, datadog, aws, cli, console, api). */
  sources?: readonly string[];
  /** Event `event_type` values. */
  eventTypes?: readonly string[];
}

export interface ApiCaller {
  role: ApiRole;
  /** First 8 hex digits of the token's hash: who, in audit records, without the secret. */
  id: string;
  limits?: TokenLimits;
}

export interface TokenEntry {
  hash: Buffer;
  role: ApiRole;
  limits?: TokenLimits;
  /** One of the published development tokens: allowed only on a loopback address. */
  development?: boolean;
}

/** Development tokens (docs/api.md): in force only with LAZARUS_API_DEV_TOKENS=1 and a loopback address. */
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

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

function stringList(value: unknown, where: string, source: string, allowed?: readonly string[]): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || !v.trim())) {
    throw new TokenConfigError(source, `${where}: expected a non-empty list of names`);
  }
  const names = value as string[];
  const unknown = allowed ? names.find((name) => !allowed.includes(name)) : undefined;
  if (unknown !== undefined) {
    throw new TokenConfigError(source, `${where}: "${unknown}" is not one of ${allowed!.join(', ')}`);
  }
  return names;
}

function parseTokenValue(value: unknown, label: string, source: string): Pick<TokenEntry, 'role' | 'limits'> {
  const roleOf = (role: unknown): ApiRole => {
    if (!apiRoles.includes(role as ApiRole)) {
      throw new TokenConfigError(source, `${label}: role must be one of ${apiRoles.join(', ')}`);
    }
    return role as ApiRole;
  };
  if (typeof value === 'string') return { role: roleOf(value) };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TokenConfigError(source, `${label}: expected a role or { role, sources?, event_types? }`);
  }
  const { role, sources, event_types: eventTypes, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) {
    throw new TokenConfigError(source, `${label}: unknown key "${extra}" (expected role, sources, event_types)`);
  }
  const parsed = roleOf(role);
  const limits: TokenLimits = {
    ...(sources !== undefined ? { sources: stringList(sources, `${label}.sources`, source, eventSources) } : {}),
    ...(eventTypes !== undefined ? { eventTypes: stringList(eventTypes, `${label}.event_types`, source) } : {}),
  };
  if (!limits.sources && !limits.eventTypes) return { role: parsed };
  if (parsed !== 'sensor') {
    throw new TokenConfigError(source, `${label}: sources and event_types limit sensor tokens only, not ${parsed}`);
  }
  return { role: parsed, limits };
}

/**
 * Parse `{ "<sha256 hex>": "<role>" | { role, sources?, event_types? } }` as found in LAZARUS_API_TOKENS or a
 * tokens file.
 */
export function parseTokenTable(table: unknown, source: string): TokenEntry[] {
  if (table === null || typeof table !== 'object' || Array.isArray(table)) {
    throw new TokenConfigError(source, 'expected a map of sha256 hex digest to role');
  }
  return Object.entries(table as Record<string, unknown>).map(([hash, value]) => {
    if (!/^[0-9a-f]{64}$/i.test(hash)) throw new TokenConfigError(source, `"${hash}" is not a sha256 hex digest`);
    return { hash: Buffer.from(hash, 'hex'), ...parseTokenValue(value, `${hash.slice(0, 8)}…`, source) };
  });
}

function readTokenFile(file: string): TokenEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TokenConfigError(
      file,
      code === 'ENOENT' ? 'the file does not exist' : `cannot read it (${code ?? firstLine(String(error))})`,
    );
  }
  let doc: { tokens?: unknown } | null;
  try {
    doc = parseYaml(text) as { tokens?: unknown } | null;
  } catch (error) {
    throw new TokenConfigError(file, `not YAML: ${firstLine((error as Error).message)}`);
  }
  return parseTokenTable(doc?.tokens ?? doc ?? {}, file);
}

/** LAZARUS_API_DEV_TOKENS: 1/true/yes enables the development tokens; unset, 0/false/no leaves them off. */
export function developmentTokensEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env.LAZARUS_API_DEV_TOKENS?.trim().toLowerCase() ?? '';
  if (['', '0', 'false', 'no'].includes(value)) return false;
  if (['1', 'true', 'yes'].includes(value)) return true;
  throw new TokenConfigError('LAZARUS_API_DEV_TOKENS', `expected 1 or 0, got "${env.LAZARUS_API_DEV_TOKENS}"`);
}

/**
 * The token table: LAZARUS_API_TOKENS (JSON) if set, else the file LAZARUS_API_TOKENS_FILE names (which must exist
 * and be readable), else `defaultFile` if it exists; plus the development tokens when LAZARUS_API_DEV_TOKENS=1.
 * No token at all is a configuration error: the API never falls back to the development tokens by itself.
 */
export function loadTokens(env: Readonly<Record<string, string | undefined>>, defaultFile?: string): TokenEntry[] {
  const tokens: TokenEntry[] = [];
  const json = env.LAZARUS_API_TOKENS?.trim();
  const file = env.LAZARUS_API_TOKENS_FILE?.trim();
  if (json) {
    let table: unknown;
    try {
      table = JSON.parse(json);
    } catch (error) {
      throw new TokenConfigError('LAZARUS_API_TOKENS', `not JSON: ${firstLine((error as Error).message)}`);
    }
    tokens.push(...parseTokenTable(table, 'LAZARUS_API_TOKENS'));
  } else if (file) {
    tokens.push(...readTokenFile(file));
  } else if (defaultFile && fs.existsSync(defaultFile)) {
    tokens.push(...readTokenFile(defaultFile));
  }
  if (developmentTokensEnabled(env)) {
    for (const role of apiRoles) {
      tokens.push({ hash: Buffer.from(sha256Hex(developmentTokens[role]), 'hex'), role, development: true });
    }
  }
  if (tokens.length === 0) {
    throw new TokenConfigError(
      json ? 'LAZARUS_API_TOKENS' : (file ?? 'the environment'),
      'no token configured: set LAZARUS_API_TOKENS or LAZARUS_API_TOKENS_FILE, or LAZARUS_API_DEV_TOKENS=1 for ' +
        'local development on a loopback address (docs/api.md)',
    );
  }
  return tokens;
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) or `localhost`: an address only this machine reaches. */
export function isLoopbackAddress(host: string): boolean {
  const bare = host
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase();
  if (bare === 'localhost') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  if (net.isIPv4(v4)) return v4.startsWith('127.');
  return net.isIPv6(bare) && (bare === '::1' || bare === '0:0:0:0:0:0:0:1');
}

/** Throws when development tokens are configured for an address other machines can reach. */
export function requireLoopbackForDevelopmentTokens(tokens: readonly TokenEntry[], host: string): void {
  if (!tokens.some((entry) => entry.development) || isLoopbackAddress(host)) return;
  throw new TokenConfigError(
    'LAZARUS_API_DEV_TOKENS',
    `the development tokens are allowed only on a loopback address (127.0.0.1, ::1, localhost), not ${host}: ` +
      'configure LAZARUS_API_TOKENS or LAZARUS_API_TOKENS_FILE to serve other machines',
  );
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
  return {
    role: found.role,
    id: presented.toString('hex').slice(0, 8),
    ...(found.limits ? { limits: found.limits } : {}),
  };
}

/** operator ⊇ viewer; sensor only submits (and operator may submit too). */
export function authorize(caller: ApiCaller, required: RequiredRole): void {
  if (required === 'public' || caller.role === 'operator' || caller.role === required) return;
  throw new ForbiddenError(
    caller.role,
    required === 'viewer' ? 'viewer or operator' : required === 'sensor' ? 'sensor or operator' : 'operator',
  );
}

/** A sensor token limited to sources or event types submits only those: 403 naming the field otherwise. */
export function authorizeEvent(
  caller: ApiCaller | undefined,
  event: Pick<LazarusEvent, 'source' | 'event_type'>,
): void {
  const limits = caller?.limits;
  if (!limits) return;
  if (limits.sources && !limits.sources.includes(event.source)) {
    throw new ApiError(
      403,
      'forbidden',
      `source: this token may submit events of source ${limits.sources.join(', ')} only, not ${event.source}`,
    );
  }
  if (limits.eventTypes && !limits.eventTypes.includes(event.event_type)) {
    throw new ApiError(
      403,
      'forbidden',
      `event_type: this token may submit event types ${limits.eventTypes.join(', ')} only, not ${event.event_type}`,
    );
  }
}

/** Requests per second per token, with a burst; perSecond 0 turns the limit off. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

export const defaultRateLimit: RateLimit = { perSecond: 50, burst: 100 };

/** A token bucket per caller: `take` answers undefined when the request may go on, else the seconds to wait. */
export class TokenRateLimiter {
  private readonly buckets = new Map<string, { level: number; at: number }>();
  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string): number | undefined {
    const { perSecond, burst } = this.limit;
    if (perSecond <= 0) return undefined;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { level: burst, at: now };
    bucket.level = Math.min(burst, bucket.level + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.level >= 1) {
      bucket.level -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - bucket.level) / perSecond));
  }
}
