// The API process's settings from its environment (pure: the caller passes the env).
import type { RuntimeConfig } from '../core/runtime-config';
import { readRuntimeConfig } from '../core/runtime-config';

export interface ApiConfig {
  runtime: RuntimeConfig;
  /** LAZARUS_API_PORT, default 8080. */
  port: number;
  /** LAZARUS_API_HOST, default 127.0.0.1 (set 0.0.0.0 to serve other machines). */
  host: string;
  /** LAZARUS_EVENT_STREAM: Kinesis stream name; unset means POST /v1/events starts remediations directly. */
  streamName?: string;
  /** LAZARUS_API_TOKENS_FILE, default api/api-tokens.yaml of the checkout. */
  tokensFile?: string;
}

export class ApiConfigError extends Error {
  override readonly name = 'ApiConfigError';
}

export function readApiConfig(env: Readonly<Record<string, string | undefined>>): ApiConfig {
  const port = Number(env.LAZARUS_API_PORT?.trim() || 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ApiConfigError(`LAZARUS_API_PORT: expected a port number, got "${env.LAZARUS_API_PORT}"`);
  }
  const streamName = env.LAZARUS_EVENT_STREAM?.trim() || undefined;
  const tokensFile = env.LAZARUS_API_TOKENS_FILE?.trim() || undefined;
  return {
    runtime: readRuntimeConfig(env),
    port,
    host: env.LAZARUS_API_HOST?.trim() || '127.0.0.1',
    ...(streamName ? { streamName } : {}),
    ...(tokensFile ? { tokensFile } : {}),
  };
}
