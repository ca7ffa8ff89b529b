// The HTTP server: plain node:http. Authenticates, limits each token's request rate, decodes the path, reads at most
// `bodyLimitBytes` of JSON, dispatches through the route table and answers every failure as
// `{ "error": { "code", "message" }, "request_id" }` (internal detail goes to the log under the same request id);
// nothing a request does crashes it.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  authenticate,
  authorize,
  defaultRateLimit,
  isLoopbackAddress,
  requireLoopbackForDevelopmentTokens,
  TokenConfigError,
  TokenRateLimiter,
  type ApiCaller,
  type RateLimit,
  type TokenEntry,
} from './auth';
import type { ApiDependencies } from './dependencies';
import { readBody } from './http-body';
import {
  ApiError,
  DependencyUnavailableError,
  InvalidRequestError,
  PayloadTooLargeError,
  RateLimitedError,
  UnsupportedMediaTypeError,
} from './errors';
import type { ApiMetrics } from './metrics';
import { buildOpenApiDocument, optionalRequestBodies } from './openapi';
import { decodePathParams, matchRoute, routes, type RouteContext } from './routes';
import type { ApiErrorBody } from './types';
import { ConsoleSessions, createWebConsole, type ConsoleOptions } from './console';

export const defaultBodyLimitBytes = 64 * 1024;

export interface ApiServerOptions {
  deps: ApiDependencies;
  tokens: readonly TokenEntry[];
  metrics: ApiMetrics;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. Development tokens among `tokens` require a loopback address (else startApiServer throws). */
  host?: string;
  /** Requests per second per token with a burst (default 50/s, burst 100); perSecond 0 turns it off. */
  rateLimit?: RateLimit;
  bodyLimitBytes?: number;
  /** Where errors that are not the caller's fault are logged (default: stderr as one JSON line). */
  log?: (entry: Record<string, unknown>) => void;
  /** The web console at the root (docs/console.md); false serves the API alone. */
  console?: ConsoleOptions | false;
}

export interface RunningApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = contentType === 'application/json' ? JSON.stringify(body) : String(body);
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** A request id the client sent (x-request-id) is kept when it is short and plain, else one is made. */
function requestIdOf(request: IncomingMessage): string {
  const sent = request.headers['x-request-id'];
  return typeof sent === 'string' && /^[\w.:-]{1,128}$/.test(sent) ? sent : randomUUID();
}

type ErrorBody = ApiErrorBody & { request_id: string };

export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const host = options.host ?? '127.0.0.1';
  requireLoopbackForDevelopmentTokens(options.tokens, host);
  const limit = options.bodyLimitBytes ?? defaultBodyLimitBytes;
  const rateLimit = options.rateLimit ?? defaultRateLimit;
  const limiter = new TokenRateLimiter(rateLimit);
  const log =
    options.log ?? ((entry: Record<string, unknown>): void => void process.stderr.write(`${JSON.stringify(entry)}\n`));
  let openapi: Record<string, unknown> | undefined;
  let url = '';
  const context: RouteContext = {
    deps: options.deps,
    metrics: options.metrics,
    openapi: () => (openapi ??= buildOpenApiDocument(routes, url)),
    bodyLimitBytes: limit,
    log: (entry) => log(entry),
  };
  const webConsole =
    options.console === false
      ? undefined
      : createWebConsole({ deps: options.deps, tokens: options.tokens, log, console: options.console ?? {} });
  /** A console page's request: its session cookie stands for the token (changes also need its CSRF token). */
  const bySession = (request: IncomingMessage): boolean =>
    webConsole !== undefined && request.headers.authorization === undefined && ConsoleSessions.presented(request);

  /** Who calls (401 for a missing or unknown token or session), within the token's request rate (429). */
  function admit(request: IncomingMessage): ApiCaller {
    const caller = bySession(request)
      ? webConsole!.sessions.authenticate(request)
      : authenticate(request.headers.authorization, options.tokens);
    const wait = limiter.take(caller.id);
    if (wait !== undefined) throw new RateLimitedError(wait, rateLimit.perSecond, rateLimit.burst);
    return caller;
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<{ route: string; status: number }> {
    let parsed: URL;
    try {
      parsed = new URL(request.url ?? '/', 'http://localhost');
    } catch {
      admit(request);
      throw new InvalidRequestError('path', 'not a valid request target');
    }
    const method = request.method ?? 'GET';
    if (webConsole?.owns(parsed.pathname)) {
      return { route: 'console', status: await webConsole.serve(request, response, parsed, admit) };
    }
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
    const { route } = found;
    const caller = route.role === 'public' ? undefined : admit(request);
    if (caller) authorize(caller, route.role);
    // decoded only now: an unauthenticated caller learns nothing from a malformed path but 401
    const params = decodePathParams(found.params);
    let body: unknown;
    let raw: { body: Buffer; contentType?: string } | undefined;
    if ((method === 'POST' || method === 'PUT') && route.rawBody) {
      const contentType = request.headers['content-type'];
      raw = { body: await readBody(request, limit), ...(contentType ? { contentType } : {}) };
    } else if (method === 'POST' || method === 'PUT') {
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
    // Changes made from the console are audited with their actor and answer (refused ones too).
    const audited = caller && method !== 'GET' && bySession(request) ? caller : undefined;
    let result: Awaited<ReturnType<typeof route.handle>>;
    try {
      result = await route.handle(
        { params, query: parsed.searchParams, body, caller, ...(raw ? { raw } : {}) },
        context,
      );
    } catch (error) {
      if (audited)
        webConsole!.auditChange(request, audited, parsed, error instanceof ApiError ? error.status : 500, body);
      throw error;
    }
    if (audited) webConsole!.auditChange(request, audited, parsed, result.status, body);
    if (result.text) send(response, result.status, result.body, result.text.contentType);
    else send(response, result.status, result.body);
    return { route: `${route.method} ${route.path}`, status: result.status };
  }

  const server = http.createServer((request, response) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdOf(request);
    response.setHeader('x-request-id', requestId);
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
            request_id: requestId,
            method: request.method,
            url: request.url,
            error: String(error),
          });
          failure = new ApiError(500, 'internal', 'internal error (logged on the server under this request_id)');
        }
        if (failure instanceof DependencyUnavailableError) {
          options.metrics.dependencyErrors.inc({ dependency: failure.dependency });
          log({
            level: 'warn',
            msg: failure.message,
            request_id: requestId,
            dependency: failure.dependency,
            detail: failure.detail,
            method: request.method,
            url: request.url,
          });
        }
        if (failure instanceof RateLimitedError) response.setHeader('retry-after', String(failure.retryAfterSeconds));
        if (failure instanceof PayloadTooLargeError) {
          options.metrics.eventsRejected.inc({ reason: 'too_large' });
          response.setHeader('connection', 'close');
        }
        if (!response.headersSent)
          send(response, failure.status, {
            error: {
              code: failure.code,
              message:
                failure instanceof DependencyUnavailableError
                  ? `${failure.message} (details in the server log under this request_id)`
                  : failure.message,
            },
            request_id: requestId,
          } satisfies ErrorBody);
        else response.destroy();
        observe('unmatched', failure.status);
      },
    );
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  if (options.tokens.some((entry) => entry.development) && !isLoopbackAddress(address.address)) {
    // `localhost` resolved to an address other machines reach
    await new Promise<void>((resolve) => server.close(() => resolve()));
    requireLoopbackForDevelopmentTokens(options.tokens, address.address);
    throw new TokenConfigError('LAZARUS_API_DEV_TOKENS', `${host} is not a loopback address`);
  }
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${shown}:${address.port}`;
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
