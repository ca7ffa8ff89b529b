// Starting the REST API in a test against the shared dev server, and calling it with a role's development token
// (enabled explicitly, as LAZARUS_API_DEV_TOKENS=1 does, on the loopback address).
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Client } from '@temporalio/client';
import {
  createApiMetrics,
  developmentTokens,
  loadTokens,
  registerStateGauges,
  startApiServer,
  type ApiRole,
  type RateLimit,
  type RunningApiServer,
  type TokenEntry,
} from '../../api';
import type { ConsoleOptions } from '../../api/console';
import type { ApiDependencies } from '../../api/dependencies';

export interface TestApi {
  server: RunningApiServer;
  call(
    method: string,
    path: string,
    options?: CallOptions,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body of any shape, checked by the test
  ): Promise<{ status: number; body: any; text: string; headers: Headers }>;
}

export interface TestApiOptions {
  /** Default: the development tokens. */
  tokens?: TokenEntry[];
  /** Default: the server's (50 requests per second per token, burst 100). */
  rateLimit?: RateLimit;
  /** How long /metrics reuses its read of the breaker and kill switch (default: the API's, 5 s). */
  metricsCacheMs?: number;
  /** Where the server logs (default: nowhere). */
  log?: (entry: Record<string, unknown>) => void;
  /** The web console's settings (default: the API's). */
  console?: ConsoleOptions;
}

export interface CallOptions {
  role?: ApiRole | 'none';
  token?: string;
  body?: unknown;
  /** Sent as is (overrides body). */
  raw?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export async function startTestApi(
  deps: {
    temporal: Client;
    taskQueue: string;
    region: string;
    kinesis?: { client: KinesisClient; streamName: string };
    declaredRegions?: readonly string[];
    allRegionsControlId?: string;
    /** The vendor routes' mapping, EC2 lookups and SNS verification (default: the built-in mapping, no lookups). */
    sensors?: ApiDependencies['sensors'];
    queryTimeoutMs?: number;
  },
  options: TestApiOptions = {},
): Promise<TestApi> {
  // as the API process: the region's breaker and kill switch gauges are read from Temporal, cached for a few seconds
  const metrics = createApiMetrics();
  registerStateGauges(metrics, deps, options.metricsCacheMs === undefined ? {} : { cacheMs: options.metricsCacheMs });
  const server = await startApiServer({
    deps,
    tokens: options.tokens ?? loadTokens({ LAZARUS_API_DEV_TOKENS: '1' }),
    metrics,
    port: 0,
    host: '127.0.0.1',
    log: options.log ?? (() => undefined),
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    ...(options.console ? { console: options.console } : {}),
  });
  return {
    server,
    async call(method, path, callOptions = {}) {
      const role = callOptions.role ?? 'operator';
      const token = callOptions.token ?? (role === 'none' ? undefined : developmentTokens[role]);
      const payload =
        callOptions.raw ?? (callOptions.body === undefined ? undefined : JSON.stringify(callOptions.body));
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(payload !== undefined ? { 'content-type': callOptions.contentType ?? 'application/json' } : {}),
          ...callOptions.headers,
        },
        ...(payload !== undefined ? { body: payload } : {}),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON (metrics)
      }
      return { status: response.status, body, text, headers: response.headers };
    },
  };
}
