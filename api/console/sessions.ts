// Browser sessions of the console: a token presented once at the login form becomes a random session id in an
// HttpOnly, SameSite=Strict cookie, with a CSRF token every change must send back in a header. The token itself is
// never kept: a session holds only the caller (role and token id) the token authenticated as, so the actor recorded
// for a change made in the browser is the same as for one made with the token from the CLI.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ApiCaller } from '../auth';
import { ApiError, UnauthenticatedError } from '../errors';

export const sessionCookieName = 'lazarus_session';

/** 8 hours: a working shift. */
export const defaultSessionTtlMs = 8 * 60 * 60 * 1000;

export interface ConsoleSession {
  id: string;
  caller: ApiCaller;
  /** Sent back by every change in the `x-csrf-token` header (or the `csrf` field of a form). */
  csrf: string;
  createdAt: number;
  expiresAt: number;
}

/** A change without the session's CSRF token, or from another origin: 403, never carried out. */
export class CsrfRejectedError extends ApiError {
  override readonly name = 'CsrfRejectedError';
  constructor(problem: string) {
    super(403, 'csrf_rejected', `${problem}: reload the console page and try again`);
  }
}

/** The session of a request is unknown or past its end: the console sends the browser back to the login. */
export function sessionExpired(): UnauthenticatedError {
  return new UnauthenticatedError(
    'the console session has ended (expired, logged out or the API restarted): log in again',
  );
}

/** Cookie header → name → value (the first of each name). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    const name = part.slice(0, Math.max(0, at)).trim();
    if (!name) continue;
    if (!(name in cookies)) cookies[name] = part.slice(at + 1).trim();
  }
  return cookies;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** In-memory sessions of one API process: a restart ends them all (the browser is sent to the login again). */
export class ConsoleSessions {
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(
    readonly ttlMs: number = defaultSessionTtlMs,
    private readonly now: () => number = Date.now,
  ) {}

  open(caller: ApiCaller): ConsoleSession {
    this.sweep();
    const at = this.now();
    const session: ConsoleSession = {
      id: randomBytes(32).toString('base64url'),
      caller,
      csrf: randomBytes(32).toString('base64url'),
      createdAt: at,
      expiresAt: at + this.ttlMs,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  close(id: string): void {
    this.sessions.delete(id);
  }

  /** The live session a request's cookie names, if any. */
  find(request: Pick<IncomingMessage, 'headers'>): ConsoleSession | undefined {
    const id = parseCookies(request.headers.cookie)[sessionCookieName];
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  /** Whether the request carries a session cookie at all (live or not). */
  static presented(request: Pick<IncomingMessage, 'headers'>): boolean {
    return parseCookies(request.headers.cookie)[sessionCookieName] !== undefined;
  }

  /**
   * The caller of an API request authenticated by its session cookie. A change (any method but GET/HEAD/OPTIONS)
   * must carry the session's CSRF token in `x-csrf-token` and, when the browser says where it comes from, come
   * from this origin.
   */
  authenticate(request: Pick<IncomingMessage, 'headers' | 'method'>): ApiCaller {
    const session = this.find(request);
    if (!session) throw sessionExpired();
    if (!safeMethods.has(request.method ?? 'GET')) this.checkChange(request, session, request.headers['x-csrf-token']);
    return session.caller;
  }

  /** A change made with this session: same origin (when the browser names one) and the session's CSRF token. */
  checkChange(
    request: Pick<IncomingMessage, 'headers'>,
    session: ConsoleSession,
    presented: string | string[] | undefined,
  ): void {
    if (!sameOrigin(request)) throw new CsrfRejectedError('the request comes from another site');
    if (typeof presented !== 'string' || !sameText(presented, session.csrf)) {
      throw new CsrfRejectedError('missing or wrong CSRF token');
    }
  }

  private sweep(): void {
    const at = this.now();
    for (const [id, session] of this.sessions) if (session.expiresAt <= at) this.sessions.delete(id);
  }
}

/** Origin (or Referer) of the request, when sent, names the host the request went to. */
export function sameOrigin(request: Pick<IncomingMessage, 'headers'>): boolean {
  const from = request.headers.origin ?? request.headers.referer;
  if (!from || from === 'null') return from !== 'null';
  let host: string;
  try {
    host = new URL(from).host;
  } catch {
    return false;
  }
  return host === request.headers.host || host === request.headers['x-forwarded-host'];
}

/** The Set-Cookie value for a session (Secure when the browser reached us over TLS, through a proxy). */
export function sessionCookie(
  session: Pick<ConsoleSession, 'id' | 'expiresAt'> | undefined,
  secure: boolean,
  now = Date.now(),
): string {
  const maxAge = session ? Math.max(0, Math.floor((session.expiresAt - now) / 1000)) : 0;
  return [
    `${sessionCookieName}=${session?.id ?? ''}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAge}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
