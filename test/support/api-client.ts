// Starting the REST API in a test against the shared dev server, and calling it with a role's development token.
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Client } from '@temporalio/client';
import {
  createApiMetrics,
  developmentTokens,
  loadTokens,
  registerStateGauges,
  startApiServer,
  type ApiRole,
  type RunningApiServer,
} from '../../api';

export interface TestApi {
  server: RunningApiServer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body of any shape, checked by the test
  call(method: string, path: string, options?: CallOptions): Promise<{ status: number; body: any; text: string }>;
}

export interface CallOptions {
  role?: ApiRole | 'none';
  token?: string;
  body?: unknown;
  /** Sent as is (overrides body). */
  raw?: string | Buffer;
  contentType?: string;
}

export async function startTestApi(deps: {
  temporal: Client;
  taskQueue: string;
  region: string;
  kinesis?: { client: KinesisClient; streamName: string };
}): Promise<TestApi> {
  // as the API process: the region's breaker and kill switch gauges are read from Temporal on each scrape
  const metrics = createApiMetrics();
  registerStateGauges(metrics, deps);
  const server = await startApiServer({
    deps,
    tokens: loadTokens({}),
    metrics,
    port: 0,
    log: () => undefined,
  });
  return {
    server,
    async call(method, path, options = {}) {
      const role = options.role ?? 'operator';
      const token = options.token ?? (role === 'none' ? undefined : developmentTokens[role]);
      const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(payload !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {}),
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
      return { status: response.status, body, text };
    },
  };
}
