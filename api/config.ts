// The API process's settings from its environment (pure: the caller passes the env).
import type { RuntimeConfig } from '../core/runtime-config';
import { readRuntimeConfig } from '../core/runtime-config';
import { defaultRateLimit, type RateLimit } from './auth';
import { readMaxFutureSkewMs } from '../core/config/event-validation';

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
  /** LAZARUS_API_RATE_LIMIT (requests per second per token, default 50; 0 turns it off), LAZARUS_API_RATE_BURST. */
  rateLimit: RateLimit;
  /** LAZARUS_API_METRICS_CACHE_SECONDS (default 5): how long /metrics serves the breaker and kill switch read. */
  metricsCacheMs: number;
  /** LAZARUS_EVENT_MAX_FUTURE_SKEW_MS (default 5 min): how far ahead of now an event's occurred_at may be. */
  maxFutureSkewMs: number;
}

/** How long /metrics reuses what it read of the governor and control entities (LAZARUS_API_METRICS_CACHE_SECONDS). */
export const defaultMetricsCacheMs = 5000;

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
  const number = (name: string, fallback: number): number => {
    const text = env[name]?.trim();
    if (!text) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) {
      throw new ApiConfigError(`${name}: expected a number of 0 or more, got "${env[name]}"`);
    }
    return value;
  };
  const perSecond = number('LAZARUS_API_RATE_LIMIT', defaultRateLimit.perSecond);
  const burst = number('LAZARUS_API_RATE_BURST', Math.max(1, perSecond * 2));
  if (perSecond > 0 && burst < 1) throw new ApiConfigError('LAZARUS_API_RATE_BURST: expected at least 1');
  let maxFutureSkewMs: number;
  try {
    maxFutureSkewMs = readMaxFutureSkewMs(env);
  } catch (error) {
    throw new ApiConfigError((error as Error).message);
  }
  return {
    runtime: readRuntimeConfig(env),
    maxFutureSkewMs,
    port,
    host: env.LAZARUS_API_HOST?.trim() || '127.0.0.1',
    ...(streamName ? { streamName } : {}),
    ...(tokensFile ? { tokensFile } : {}),
    rateLimit: { perSecond, burst },
    metricsCacheMs: number('LAZARUS_API_METRICS_CACHE_SECONDS', defaultMetricsCacheMs / 1000) * 1000,
  };
}

/**
 * The Lazarus region of requests that name none: LAZARUS_API_REGION when set (undefined when it is not declared:
 * the API refuses to start), else AWS_REGION when it is a declared region, else the deployment's home region.
 * Lazarus region names need not be AWS region names (a declared region maps to its AWS region with aws_region), so an
 * AWS_REGION that is not one of them is only the API's AWS region (Kinesis, EC2 lookups).
 */
export function apiRegion(
  env: Readonly<Record<string, string | undefined>>,
  awsRegion: string,
  regions: readonly string[],
  home: string,
): string | undefined {
  const wanted = env.LAZARUS_API_REGION?.trim();
  if (wanted) return regions.includes(wanted) ? wanted : undefined;
  return regions.includes(awsRegion) ? awsRegion : home;
}
