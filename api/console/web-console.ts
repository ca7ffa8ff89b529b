// The console's HTTP side, mounted by the API server at the root: the login and logout, the page shells, the static
// assets and three reads of its own under /console/api/. Everything else the pages show or change goes through the
// REST routes (/v1/...), which accept the session cookie in place of a bearer token (api/server.ts).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { authenticate, authorize, TokenRateLimiter, type ApiCaller, type TokenEntry } from '../auth';
import type { ApiDependencies } from '../dependencies';
import { ApiError, InvalidRequestError } from '../errors';
import { readBody } from '../http-body';
import { ConsoleAudit } from './audit';
import { countOutcomes, decisionChart, regionOverviews } from './overview';
import {
  auditPage,
  deadLettersPage,
  loginPage,
  regionsPage,
  remediationPage,
  remediationsPage,
  type PageContext,
} from './pages';
import { ConsoleSessions, defaultSessionTtlMs, sessionCookie, type ConsoleSession } from './sessions';

export interface ConsoleOptions {
  /** Base URL of the Temporal Web UI (LAZARUS_TEMPORAL_UI_URL) for the link on a remediation's page. */
  temporalUiUrl?: string;
  /** Temporal namespace in Web UI links (default `default`). */
  namespace?: string;
  /** How long a login lasts (default 8 hours). */
  sessionTtlMs?: number;
  /** How often the lists and the overview refresh in the browser (default 3 s). */
  refreshMs?: number;
}

export interface WebConsole {
  readonly sessions: ConsoleSessions;
  readonly audit: ConsoleAudit;
  /** Whether the path is the console's (the server hands it to `serve`). */
  owns(pathname: string): boolean;
  serve(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    admit: (r: IncomingMessage) => ApiCaller,
  ): Promise<number>;
  /** Record a change a console session made through a REST route, with the answer it got. */
  auditChange(request: IncomingMessage, caller: ApiCaller, url: URL, status: number, body: unknown): void;
}

const assetTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface Asset {
  body: Buffer;
  type: string;
  version: string;
}

/** api/console/assets, from the sources (the tests) or from the compiled dist/api/console (its sources are beside dist). */
function assetsDirectory(): string {
  const candidates = [
    path.join(__dirname, 'assets'),
    path.resolve(__dirname, '..', '..', '..', 'api', 'console', 'assets'),
  ];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'console.js')));
  if (!found) throw new Error(`console assets not found (looked in ${candidates.join(', ')})`);
  return found;
}

function loadAssets(): Map<string, Asset> {
  const dir = assetsDirectory();
  const assets = new Map<string, Asset>();
  for (const name of fs.readdirSync(dir)) {
    const type = assetTypes[path.extname(name)];
    if (!type) continue;
    const body = fs.readFileSync(path.join(dir, name));
    assets.set(name, { body, type, version: createHash('sha256').update(body).digest('hex').slice(0, 12) });
  }
  return assets;
}

const securityHeaders: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

const loginMessages: Record<string, string> = {
  expired: 'Your session has ended (it expired, you logged out elsewhere, or the API restarted). Log in again.',
  logged_out: 'You are logged out.',
};

/** How long one read of counts, chart or regions answers every page that asks for the same. */
const sharedReadMs = 1500;

const pagePaths = /^\/(regions|deadletters|audit)$/;
const remediationPath = /^\/remediations\/([^/]+)$/;

function safeNext(next: string | null | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

async function readForm(request: IncomingMessage, limit = 8192): Promise<URLSearchParams> {
  return new URLSearchParams((await readBody(request, limit)).toString('utf8'));
}

function isSecure(request: IncomingMessage): boolean {
  return (
    (request.socket as { encrypted?: boolean }).encrypted === true || request.headers['x-forwarded-proto'] === 'https'
  );
}

export function createWebConsole(options: {
  deps: ApiDependencies;
  tokens: readonly TokenEntry[];
  log: (entry: Record<string, unknown>) => void;
  console?: ConsoleOptions;
}): WebConsole {
  const { deps, tokens } = options;
  const settings = options.console ?? {};
  const sessions = new ConsoleSessions(settings.sessionTtlMs ?? defaultSessionTtlMs);
  const audit = new ConsoleAudit(options.log);
  const assets = loadAssets();
  // Ten login attempts, then one every six seconds, per client address: a token cannot be guessed through the form.
  const loginLimiter = new TokenRateLimiter({ perSecond: 1 / 6, burst: 10 });
  const regions = deps.declaredRegions?.length ? [...deps.declaredRegions] : [deps.region];
  // Every open page polls: reads of the same thing within a moment share one set of Temporal calls.
  const recent = new Map<string, { at: number; answer: Promise<unknown> }>();
  const shared = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    const now = Date.now();
    for (const [k, entry] of recent) if (now - entry.at > sharedReadMs) recent.delete(k);
    const hit = recent.get(key);
    if (hit) return hit.answer as Promise<T>;
    const answer = read();
    recent.set(key, { at: now, answer });
    answer.catch(() => recent.delete(key));
    return answer;
  };
  const asset = (name: string): string => `/console/assets/${name}?v=${assets.get(name)?.version ?? '0'}`;

  function send(response: ServerResponse, status: number, body: string | Buffer, type: string, extra = {}): number {
    response.writeHead(status, {
      ...securityHeaders,
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      ...extra,
    });
    response.end(body);
    return status;
  }
  const html = (response: ServerResponse, status: number, text: string, extra = {}): number =>
    send(response, status, text, 'text/html; charset=utf-8', extra);
  const json = (response: ServerResponse, body: unknown): number =>
    send(response, 200, JSON.stringify(body), 'application/json');
  const redirect = (response: ServerResponse, location: string, extra = {}): number => {
    response.writeHead(303, { ...securityHeaders, location, 'cache-control': 'no-store', ...extra });
    response.end();
    return 303;
  };

  function context(session: ConsoleSession): PageContext {
    return {
      caller: session.caller,
      csrf: session.csrf,
      regions,
      defaultRegion: deps.region,
      ...(settings.temporalUiUrl ? { temporalUiUrl: settings.temporalUiUrl } : {}),
      namespace: settings.namespace ?? 'default',
      refreshMs: settings.refreshMs ?? 3000,
      asset,
    };
  }

  async function login(request: IncomingMessage, response: ServerResponse): Promise<number> {
    const form = await readForm(request);
    const next = safeNext(form.get('next'));
    const address = request.socket.remoteAddress ?? 'unknown';
    const refuse = (status: number, message: string, actor = 'anonymous'): number => {
      audit.record({ actor, action: 'login_refused', status, detail: `${message} (from ${address})` });
      return html(response, status, loginPage({ asset, message, next }));
    };
    const wait = loginLimiter.take(address);
    if (wait !== undefined) {
      response.setHeader('retry-after', String(wait));
      return refuse(429, `Too many login attempts: wait ${wait} s and try again.`);
    }
    const token = (form.get('token') ?? '').trim();
    if (!token) return refuse(401, 'Enter an API token.');
    let caller: ApiCaller;
    try {
      caller = authenticate(`Bearer ${token}`, tokens);
    } catch {
      return refuse(401, 'That token is not valid: check it and try again.');
    }
    if (caller.role === 'sensor') {
      return refuse(
        403,
        'A sensor token only submits events: log in with a viewer or operator token.',
        `sensor:${caller.id}`,
      );
    }
    const session = sessions.open(caller);
    audit.record({ actor: `${caller.role}:${caller.id}`, action: 'login', status: 303, detail: `from ${address}` });
    return redirect(response, next, { 'set-cookie': sessionCookie(session, isSecure(request)) });
  }

  async function logout(request: IncomingMessage, response: ServerResponse): Promise<number> {
    const session = sessions.find(request);
    if (session) {
      const form = await readForm(request);
      sessions.checkChange(request, session, form.get('csrf') ?? undefined);
      sessions.close(session.id);
      audit.record({ actor: `${session.caller.role}:${session.caller.id}`, action: 'logout', status: 303 });
    }
    return redirect(response, '/login?m=logged_out', { 'set-cookie': sessionCookie(undefined, isSecure(request)) });
  }

  async function consoleApi(url: URL, caller: ApiCaller, response: ServerResponse): Promise<number> {
    authorize(caller, 'viewer');
    const q = url.searchParams;
    const region = q.get('region')?.trim() || undefined;
    if (region && !regions.includes(region)) {
      throw new InvalidRequestError('region', `expected one of ${regions.join(', ')}`);
    }
    switch (url.pathname) {
      case '/console/api/counts': {
        const pick = (name: 'service' | 'host' | 'rule' | 'since'): Record<string, string> => {
          const value = q.get(name)?.trim();
          return value ? { [name]: value } : {};
        };
        const filter = {
          ...(region ? { region } : {}),
          ...pick('service'),
          ...pick('host'),
          ...pick('rule'),
          ...pick('since'),
        };
        return json(response, await shared(`counts ${JSON.stringify(filter)}`, () => countOutcomes(deps, filter)));
      }
      case '/console/api/chart':
        return json(
          response,
          await shared(`chart ${region ?? ''} ${q.get('hours')}`, () =>
            decisionChart(deps, { regions, ...(region ? { region } : {}), hours: Number(q.get('hours') ?? 3) }),
          ),
        );
      case '/console/api/regions':
        return json(
          response,
          await shared(`regions ${region ?? ''}`, () => regionOverviews(deps, region ? [region] : regions)),
        );
      case '/console/api/audit':
        return json(response, { entries: audit.list(Number(q.get('limit') ?? 100) || 100) });
      default:
        throw new ApiError(404, 'not_found', `no console route ${url.pathname}`);
    }
  }

  async function serve(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    admit: (r: IncomingMessage) => ApiCaller,
  ): Promise<number> {
    const method = request.method ?? 'GET';
    const { pathname } = url;
    if (pathname.startsWith('/console/assets/')) {
      const found = assets.get(pathname.slice('/console/assets/'.length));
      if (!found) throw new ApiError(404, 'not_found', `no console asset ${pathname}`);
      return send(response, 200, found.body, found.type, { 'cache-control': 'public, max-age=86400' });
    }
    if (pathname.startsWith('/console/api/')) {
      if (method !== 'GET') throw new ApiError(405, 'method_not_allowed', `${method} ${pathname}: use GET`);
      return await consoleApi(url, admit(request), response);
    }
    if (pathname === '/login') {
      if (method === 'POST') return await login(request, response);
      if (sessions.find(request)) return redirect(response, safeNext(url.searchParams.get('next')));
      const message = loginMessages[url.searchParams.get('m') ?? ''];
      return html(
        response,
        200,
        loginPage({ asset, next: safeNext(url.searchParams.get('next')), ...(message ? { message } : {}) }),
      );
    }
    if (pathname === '/logout' && method === 'POST') return await logout(request, response);
    if (method !== 'GET') throw new ApiError(405, 'method_not_allowed', `${method} ${pathname}: use GET`);
    const session = sessions.find(request);
    if (!session) {
      const expired = ConsoleSessions.presented(request) ? '&m=expired' : '';
      return redirect(response, `/login?next=${encodeURIComponent(pathname + url.search)}${expired}`, {
        ...(expired ? { 'set-cookie': sessionCookie(undefined, isSecure(request)) } : {}),
      });
    }
    const page = context(session);
    if (pathname === '/') return html(response, 200, remediationsPage(page));
    const remediation = remediationPath.exec(pathname);
    if (remediation) {
      let key: string;
      try {
        key = decodeURIComponent(remediation[1]);
      } catch {
        throw new InvalidRequestError('incident_key', 'malformed percent-encoding in the path');
      }
      return html(response, 200, remediationPage(page, key));
    }
    const named = pagePaths.exec(pathname)?.[1];
    if (named === 'regions') return html(response, 200, regionsPage(page));
    if (named === 'deadletters') return html(response, 200, deadLettersPage(page));
    if (named === 'audit') return html(response, 200, auditPage(page));
    throw new ApiError(404, 'not_found', `no console page ${pathname}`);
  }

  function auditChange(request: IncomingMessage, caller: ApiCaller, url: URL, status: number, body: unknown): void {
    recent.clear(); // the next read shows the change
    const detail = body === undefined ? undefined : JSON.stringify(body);
    audit.record({
      actor: `${caller.role}:${caller.id}`,
      action: `${request.method ?? 'GET'} ${url.pathname}`,
      target: url.pathname + url.search,
      status,
      ...(detail ? { detail: detail.length > 300 ? `${detail.slice(0, 300)}…` : detail } : {}),
    });
  }

  return {
    sessions,
    audit,
    owns: (pathname) =>
      pathname === '/' ||
      pathname === '/login' ||
      pathname === '/logout' ||
      pathname.startsWith('/console/') ||
      pagePaths.test(pathname) ||
      remediationPath.test(pathname),
    serve,
    auditChange,
  };
}
