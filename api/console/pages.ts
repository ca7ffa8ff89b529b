// The console's HTML: one server-rendered shell per page, with its forms and empty regions that console.js fills from
// the REST API (so a page renders even while Temporal is unreachable, and says so). No inline script or style: the
// page's settings travel in data- attributes, which the Content-Security-Policy allows.
import { allOutcomes } from '../../core/outcome';
import { killSwitchScopes } from '../../core/control';
import type { ApiCaller } from '../auth';

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

export interface PageContext {
  caller: ApiCaller;
  csrf: string;
  regions: readonly string[];
  defaultRegion: string;
  /** Base URL of the Temporal Web UI for links to a workflow; absent: no link. */
  temporalUiUrl?: string;
  namespace: string;
  /** How often lists refresh (ms). */
  refreshMs: number;
  /** Where a static asset is served: `/console/assets/<name>?v=<hash>`. */
  asset: (name: string) => string;
}

export type PageName = 'remediations' | 'remediation' | 'regions' | 'deadletters' | 'audit';

const nav: Array<[PageName, string, string]> = [
  ['remediations', '/', 'Remediations'],
  ['regions', '/regions', 'Regions'],
  ['deadletters', '/deadletters', 'Dead letters'],
  ['audit', '/audit', 'Audit'],
];

function head(title: string, context: Pick<PageContext, 'asset'>): string {
  return (
    `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${escapeHtml(title)} · Lazarus</title>\n` +
    `<link rel="icon" href="${context.asset('favicon.svg')}" type="image/svg+xml">\n` +
    `<link rel="stylesheet" href="${context.asset('console.css')}">\n</head>\n`
  );
}

function attributes(values: Record<string, string | undefined>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => ` data-${name}="${escapeHtml(value)}"`)
    .join('');
}

function layout(page: PageName, title: string, context: PageContext, main: string): string {
  const { caller } = context;
  const links = nav
    .map(([name, href, label]) => {
      const current = name === page || (page === 'remediation' && name === 'remediations');
      return `<li><a href="${href}"${current ? ' aria-current="page"' : ''}>${label}</a></li>`;
    })
    .join('');
  const data = attributes({
    page,
    csrf: context.csrf,
    role: caller.role,
    actor: `${caller.role}:${caller.id}`,
    regions: JSON.stringify(context.regions),
    'default-region': context.defaultRegion,
    'temporal-ui': context.temporalUiUrl,
    namespace: context.namespace,
    'refresh-ms': String(context.refreshMs),
    outcomes: JSON.stringify(allOutcomes),
    scopes: JSON.stringify(killSwitchScopes),
  });
  return (
    head(title, context) +
    `<body${data}>\n<a class="skip" href="#main">Skip to content</a>\n` +
    `<header class="top">\n<a class="brand" href="/">Lazarus</a>\n` +
    `<nav aria-label="Console pages"><ul>${links}</ul></nav>\n` +
    `<div class="who"><span title="your role and token id">${escapeHtml(caller.role)} · ${escapeHtml(caller.id)}</span>` +
    `<form method="post" action="/logout"><input type="hidden" name="csrf" value="${escapeHtml(context.csrf)}">` +
    `<button type="submit" class="link">Log out</button></form></div>\n</header>\n` +
    `<div id="connection" class="banner" role="status" aria-live="polite" hidden></div>\n` +
    `<main id="main" tabindex="-1">\n${main}\n</main>\n` +
    `<script src="${context.asset('console.js')}" defer></script>\n</body>\n</html>\n`
  );
}

function regionSelect(context: PageContext, id: string, allLabel = 'All regions'): string {
  const options = context.regions.map((r) => `<option value="${escapeHtml(r)}">${escapeHtml(r)}</option>`).join('');
  return (
    `<label for="${id}">Region</label><select id="${id}" name="region">` +
    `<option value="">${allLabel}</option>${options}</select>`
  );
}

export function remediationsPage(context: PageContext): string {
  const outcomes = allOutcomes.map((o) => `<option value="${o}">${o}</option>`).join('');
  const main = `<h1>Remediations</h1>
<form id="filters" class="filters" role="search" aria-label="Filter remediations">
  <div>${regionSelect(context, 'f-region')}</div>
  <div><label for="f-service">Service</label><input id="f-service" name="service" autocomplete="off"></div>
  <div><label for="f-host">Host</label><input id="f-host" name="host" autocomplete="off" placeholder="i-…"></div>
  <div><label for="f-outcome">Outcome</label><select id="f-outcome" name="outcome"><option value="">Any</option>${outcomes}</select></div>
  <div><label for="f-rule">Rule</label><input id="f-rule" name="rule" autocomplete="off"></div>
  <div><label for="f-range">Started</label><select id="f-range" name="range">
    <option value="900">last 15 minutes</option><option value="3600">last hour</option>
    <option value="21600" selected>last 6 hours</option><option value="86400">last 24 hours</option>
    <option value="604800">last 7 days</option><option value="">any time</option></select></div>
  <div class="actions"><button type="submit">Apply</button> <button type="reset" class="secondary">Clear</button></div>
</form>
<section aria-labelledby="counts-title">
  <h2 id="counts-title" class="visually-hidden">Counts per outcome</h2>
  <ul id="counts" class="counts" aria-live="polite"></ul>
</section>
<section aria-labelledby="list-title">
  <h2 id="list-title">Newest first <span id="list-note" class="note"></span></h2>
  <table class="list" id="remediations">
    <caption class="visually-hidden">Remediations matching the filters, newest first; refreshed every few seconds</caption>
    <thead><tr><th scope="col">Started</th><th scope="col">Outcome</th><th scope="col">Service</th><th scope="col">Host</th><th scope="col">Rule</th><th scope="col">Region</th><th scope="col">Incident</th></tr></thead>
    <tbody></tbody>
  </table>
</section>`;
  return layout('remediations', 'Remediations', context, main);
}

export function remediationPage(context: PageContext, incidentKey: string): string {
  const operator = context.caller.role === 'operator';
  const controls = operator
    ? `<form id="steer" class="steer" aria-label="Steer this remediation">
  <label for="steer-reason">Reason (recorded with your name)</label>
  <input id="steer-reason" name="reason" autocomplete="off">
  <button type="button" data-action="pause">Pause</button>
  <button type="button" data-action="resume">Resume</button>
  <button type="button" data-action="cancel" class="danger">Cancel</button>
  <p class="feedback" id="steer-feedback" role="status" aria-live="polite"></p>
</form>`
    : `<p class="note">Viewers see the trace; pause, resume and cancel need an operator token.</p>`;
  const main = `<p><a href="/">← Remediations</a></p>
<h1>Remediation <code id="incident" data-key="${escapeHtml(incidentKey)}">${escapeHtml(incidentKey)}</code></h1>
<section id="summary" aria-live="polite" aria-busy="true"><p>Loading…</p></section>
${controls}
<section aria-labelledby="timeline-title">
  <h2 id="timeline-title">Decision trace</h2>
  <ol id="timeline" class="timeline"></ol>
</section>
<section aria-labelledby="steps-title">
  <h2 id="steps-title">Runbook steps</h2>
  <div id="steps"></div>
</section>`;
  return layout('remediation', `Remediation ${incidentKey}`, context, main);
}

export function regionsPage(context: PageContext): string {
  const main = `<h1>Regions</h1>
<form id="region-filter" class="filters" aria-label="Choose regions">
  <div>${regionSelect(context, 'r-region')}</div>
  <div><label for="r-hours">Chart span</label><select id="r-hours" name="hours">
    <option value="1">1 hour</option><option value="3" selected>3 hours</option><option value="6">6 hours</option>
    <option value="12">12 hours</option><option value="24">24 hours</option></select></div>
</form>
<section aria-labelledby="chart-title">
  <h2 id="chart-title">Decisions per minute by outcome</h2>
  <div id="chart" class="chart"><p class="note">Reading the decisions…</p></div>
</section>
<div id="regions" class="regions" aria-live="polite"><p class="note">Reading the regions…</p></div>`;
  return layout('regions', 'Regions', context, main);
}

export function deadLettersPage(context: PageContext): string {
  const operator = context.caller.role === 'operator';
  const main = operator
    ? `<h1>Dead letters</h1>
<form id="dl-filter" class="filters" aria-label="Filter dead letters">
  <div><label for="dl-status">Status</label><select id="dl-status" name="status">
    <option value="pending" selected>pending</option><option value="replayed">replayed</option>
    <option value="expired">expired</option><option value="all">all</option></select></div>
</form>
<table class="list" id="deadletters">
  <caption class="visually-hidden">Stream records the bridge could not use</caption>
  <thead><tr><th scope="col">Dead-lettered</th><th scope="col">Reason</th><th scope="col">Detail</th><th scope="col">Status</th><th scope="col">Source</th><th scope="col"><span class="visually-hidden">Open</span></th></tr></thead>
  <tbody></tbody>
</table>
<section id="dl-detail" aria-live="polite" hidden></section>`
    : `<h1>Dead letters</h1><p class="note">Dead letters hold raw sensor payloads: reading and replaying them needs an operator token.</p>`;
  return layout('deadletters', 'Dead letters', context, main);
}

export function auditPage(context: PageContext): string {
  const main = `<h1>Audit</h1>
<p class="note">Changes made through this console since the API process started (each is also one JSON line in the
API's log), and every kill-switch, shadow and rule-quarantine change recorded in Temporal for each region.</p>
<section aria-labelledby="audit-console-title">
  <h2 id="audit-console-title">Console actions</h2>
  <table class="list" id="audit-console">
    <thead><tr><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Answer</th></tr></thead>
    <tbody></tbody>
  </table>
</section>
<section aria-labelledby="audit-control-title">
  <h2 id="audit-control-title">Kill switch, shadow and rule quarantine changes</h2>
  <table class="list" id="audit-control">
    <thead><tr><th scope="col">When</th><th scope="col">Region</th><th scope="col">What</th><th scope="col">Set to</th><th scope="col">Actor</th><th scope="col">Reason</th></tr></thead>
    <tbody></tbody>
  </table>
</section>`;
  return layout('audit', 'Audit', context, main);
}

export function loginPage(options: { asset: (name: string) => string; message?: string; next?: string }): string {
  const message = options.message
    ? `<p class="error" id="login-message" role="alert">${escapeHtml(options.message)}</p>`
    : '';
  return (
    head('Log in', options) +
    `<body data-page="login">\n<main id="main" class="login">\n<h1>Lazarus console</h1>\n${message}\n` +
    `<form method="post" action="/login" class="login-form">\n` +
    `<input type="hidden" name="next" value="${escapeHtml(options.next ?? '/')}">\n` +
    `<label for="token">API token</label>\n` +
    `<input id="token" name="token" type="password" autocomplete="current-password" required autofocus` +
    `${options.message ? ' aria-describedby="login-message"' : ''}>\n` +
    `<p class="note">A viewer token shows; an operator token also acts. The token is checked once and not stored: ` +
    `the browser keeps a session cookie.</p>\n` +
    `<button type="submit">Log in</button>\n</form>\n</main>\n</body>\n</html>\n`
  );
}
