// The console's sessions: the cookie's attributes, expiry, and the CSRF and origin checks on changes.
import { ConsoleSessions, parseCookies, sameOrigin, sessionCookie, sessionCookieName } from '../../api/console';

const caller = { role: 'operator' as const, id: 'abcd1234' };

function request(headers: Record<string, string>, method = 'GET'): { headers: Record<string, string>; method: string } {
  return { headers: { host: 'console.example:8080', ...headers }, method };
}

describe('console sessions', () => {
  it('sets an HttpOnly, SameSite=Strict cookie for the whole site, Secure behind TLS, and clears it on logout', () => {
    const sessions = new ConsoleSessions(60_000, () => 1_000);
    const session = sessions.open(caller);
    expect(sessionCookie(session, false, 1_000)).toBe(
      `${sessionCookieName}=${session.id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=60`,
    );
    expect(sessionCookie(session, true, 1_000)).toMatch(/; Secure$/);
    expect(sessionCookie(undefined, false)).toBe(`${sessionCookieName}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
  });

  it('answers the caller of a live session and refuses an expired or unknown one', () => {
    let now = 0;
    const sessions = new ConsoleSessions(1_000, () => now);
    const session = sessions.open(caller);
    const cookie = `other=1; ${sessionCookieName}=${session.id}`;
    expect(sessions.authenticate(request({ cookie }))).toEqual(caller);
    now = 1_000;
    expect(() => sessions.authenticate(request({ cookie }))).toThrow(/session has ended/);
    expect(() => sessions.authenticate(request({ cookie: `${sessionCookieName}=made-up` }))).toThrow(
      /session has ended/,
    );
  });

  it('lets a change through only with the session CSRF token and from the same origin', () => {
    const sessions = new ConsoleSessions();
    const session = sessions.open(caller);
    const cookie = `${sessionCookieName}=${session.id}`;
    const change = (headers: Record<string, string>): unknown =>
      sessions.authenticate(request({ cookie, ...headers }, 'PUT'));
    expect(() => change({})).toThrow(/missing or wrong CSRF token/);
    expect(() => change({ 'x-csrf-token': `${session.csrf}x` })).toThrow(/missing or wrong CSRF token/);
    expect(() => change({ 'x-csrf-token': session.csrf, origin: 'https://evil.example' })).toThrow(/another site/);
    expect(change({ 'x-csrf-token': session.csrf, origin: 'http://console.example:8080' })).toEqual(caller);
    expect(change({ 'x-csrf-token': session.csrf })).toEqual(caller);
    // reads need no CSRF token
    expect(sessions.authenticate(request({ cookie }))).toEqual(caller);
  });

  it('reads cookies and origins defensively', () => {
    expect(parseCookies('a=1; b = 2;c=3=4; =x; a=9')).toEqual({ a: '1', b: '2', c: '3=4' });
    expect(sameOrigin(request({ origin: 'null' }))).toBe(false);
    expect(sameOrigin(request({ referer: 'not a url' }))).toBe(false);
    expect(sameOrigin(request({ referer: 'http://console.example:8080/regions' }))).toBe(true);
  });
});
