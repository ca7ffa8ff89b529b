// The HTTP server: plain node:http. Reads at most `bodyLimitBytes` of JSON, authenticates, dispatches through the
// route table and answers every failure as `{ "error": { "code", "message" } }`; nothing a request does crashes it.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticate, authorize, type TokenEntry } from './auth';
import type { ApiDependencies } from './dependencies';
import {
  ApiError,
  DependencyUnavailableError,
  InvalidRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from './errors';
import type { ApiMetrics } from './metrics';
import { buildOpenApiDocument, optionalRequestBodies } from './openapi';
import { matchRoute, routes, type RouteContext } from './routes';
import type { ApiErrorBody } from './types';

export const defaultBodyLimitBytes = 64 * 1024;

export interface ApiServerOptions {
  deps: ApiDependencies;
  tokens: readonly TokenEntry[];
  metrics: ApiMetrics;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  bodyLimitBytes?: number;
  /** Where errors that are not the caller's fault are logged (default: stderr as one JSON line). */
  log?: (entry: Record<string, unknown>) => void;
}

export interface RunningApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > limit) throw new PayloadTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new PayloadTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = contentType === 'application/json' ? JSON.stringify(body) : String(body);
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const limit = options.bodyLimitBytes ?? defaultBodyLimitBytes;
  const log =
    options.log ?? ((entry: Record<string, unknown>): void => void process.stderr.write(`${JSON.stringify(entry)}\n`));
  let openapi: Record<string, unknown> | undefined;
  let url = '';
  const context: RouteContext = {
    deps: options.deps,
    metrics: options.metrics,
    openapi: () => (openapi ??= buildOpenApiDocument(routes, url)),
    bodyLimitBytes: limit,
  };

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<{ route: string; status: number }> {
    const parsed = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const found = matchRoute(routes, method, parsed.pathname);
    if (!found.route) {
      if (found.allowed.length) {
        response.setHeader('allow', found.allowed.join(', '));
        throw new ApiError(
          405,
          'method_not_allowed',
          `${method} ${parsed.pathname}: use ${found.allowed.join(' or ')}`,
        );
      }
      throw new ApiError(404, 'not_found', `no route ${method} ${parsed.pathname}`);
    }
    const { route, params } = found;
    const caller = route.role === 'public' ? undefined : authenticate(request.headers.authorization, options.tokens);
    if (caller) authorize(caller, route.role);
    let body: unknown;
    if (method === 'POST' || method === 'PUT') {
      const raw = await readBody(request, limit);
      const contentType = request.headers['content-type'];
      if (raw.length > 0 || !route.requestSchema || !optionalRequestBodies.has(route.requestSchema)) {
        if (!/^application\/json\s*(;|$)/i.test(contentType ?? '')) {
          options.metrics.eventsRejected.inc({ reason: 'not_json' });
          throw new UnsupportedMediaTypeError(contentType);
        }
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch (error) {
          options.metrics.eventsRejected.inc({ reason: 'not_json' });
          throw new InvalidRequestError('<body>', `not valid JSON: ${(error as Error).message}`);
        }
      }
    }
    const result = await route.handle({ params, query: parsed.searchParams, body, caller }, context);
    if (result.text) send(response, result.status, result.body, result.text.contentType);
    else send(response, result.status, result.body);
    return { route: `${route.method} ${route.path}`, status: result.status };
  }

  const server = http.createServer((request, response) => {
    const started = process.hrtime.bigint();
    const observe = (route: string, status: number): void => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      options.metrics.requests.observe({ route, status: String(status) }, seconds);
    };
    serve(request, response).then(
      ({ route, status }) => observe(route, status),
      (error: unknown) => {
        let failure: ApiError;
        if (error instanceof ApiError) {
          failure = error;
        } else {
          log({
            level: 'error',
            msg: 'api request failed',
            method: request.method,
            url: request.url,
            error: String(error),
          });
          failure = new ApiError(500, 'internal', 'internal error (logged on the server)');
        }
        if (failure instanceof DependencyUnavailableError) {
          options.metrics.dependencyErrors.inc({ dependency: failure.dependency });
          log({ level: 'warn', msg: failure.message, method: request.method, url: request.url });
        }
        if (failure instanceof PayloadTooLargeError) {
          options.metrics.eventsRejected.inc({ reason: 'too_large' });
          response.setHeader('connection', 'close');
        }
        if (!response.headersSent)
          send(response, failure.status, {
            error: { code: failure.code, message: failure.message },
          } satisfies ApiErrorBody);
        else response.destroy();
        observe('unmatched', failure.status);
      },
    );
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;
  return {
    url,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
