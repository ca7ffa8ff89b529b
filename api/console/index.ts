/**
 * The Lazarus web console, served by the API process at its root: a token login kept as an HttpOnly, SameSite=Strict
 * session cookie with a CSRF token for every change, server-rendered page shells and one vanilla script
 * (assets/console.js) that reads and changes everything through the REST routes, plus the console's own reads
 * (outcome counts, the decisions chart, every region at once) and the audit of what its users did. See
 * docs/console.md.
 */
export * from './audit';
export * from './overview';
export * from './pages';
export * from './sessions';
export * from './web-console';
