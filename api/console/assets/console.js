// The Lazarus console in the browser: fills the server-rendered page shells from the REST API (/v1/...) and the
// console's reads (/console/api/...), refreshes them, and sends the changes an operator makes with the session's CSRF
// token. No framework and no build step: plain DOM calls, text set with textContent (never HTML built from data).
'use strict';

(() => {
  const body = document.body;
  const page = body.dataset.page;
  if (!page || page === 'login') return;
  const cfg = {
    csrf: body.dataset.csrf,
    role: body.dataset.role,
    regions: JSON.parse(body.dataset.regions || '[]'),
    defaultRegion: body.dataset.defaultRegion,
    temporalUi: body.dataset.temporalUi,
    namespace: body.dataset.namespace || 'default',
    refreshMs: Number(body.dataset.refreshMs) || 3000,
    outcomes: JSON.parse(body.dataset.outcomes || '[]'),
    scopes: JSON.parse(body.dataset.scopes || '[]'),
  };
  const isOperator = cfg.role === 'operator';

  // ---- DOM and formatting -------------------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'class') node.className = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  const $ = (selector, root) => (root || document).querySelector(selector);
  const pad = (n) => String(n).padStart(2, '0');
  function clock(value) {
    const d = new Date(value);
    if (Number.isNaN(d.getTime())) return '';
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }
  function time(value) {
    const d = new Date(value);
    return el('time', { datetime: Number.isNaN(d.getTime()) ? undefined : d.toISOString() }, clock(value));
  }
  function duration(ms) {
    if (ms === undefined || ms === null || Number.isNaN(ms)) return '';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 120000) return `${(ms / 1000).toFixed(1)} s`;
    return `${Math.round(ms / 60000)} min`;
  }
  function badge(text, kind) {
    return el('span', { class: `badge badge-${String(kind || text).toLowerCase()}` }, text);
  }
  function value(v) {
    if (v === undefined || v === null) return '';
    if (typeof v !== 'object') return String(v);
    const compact = JSON.stringify(v);
    if (compact.length <= 80) return el('code', {}, compact);
    const text = JSON.stringify(v, null, 2);
    const pre = el('pre', { class: 'json' }, text);
    if (text.length <= 240) return pre;
    // long inputs (rule explanations, outputs) stay folded so the timeline reads at a glance
    const size = Array.isArray(v) ? `${v.length} items` : `${Object.keys(v).length} fields`;
    return el('details', {}, el('summary', {}, `${size}: show`), pre);
  }
  function details(obj) {
    const dl = el('dl', { class: 'kv' });
    for (const [k, v] of Object.entries(obj || {})) dl.append(el('dt', {}, k), el('dd', {}, value(v)));
    return dl;
  }
  function replace(node, ...children) {
    node.replaceChildren(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
  }

  // ---- talking to the API ---------------------------------------------------------------------------------------
  class ApiFailure extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }
  /** Temporal (or the API) could not be reached: shown in the banner and retried. */
  class Unreachable extends Error {}

  function toLogin() {
    const next = encodeURIComponent(location.pathname + location.search);
    location.assign(`/login?m=expired&next=${next}`);
  }

  async function api(method, path, payload) {
    const headers = { accept: 'application/json' };
    if (method !== 'GET') headers['x-csrf-token'] = cfg.csrf;
    if (payload !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        credentials: 'same-origin',
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
    } catch (error) {
      throw new Unreachable(`the Lazarus API did not answer (${error.message})`);
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (response.ok) return data;
    const code = data?.error?.code ?? 'error';
    const message = data?.error?.message ?? `HTTP ${response.status}`;
    if (response.status === 401) {
      toLogin();
      throw new ApiFailure(401, code, message);
    }
    if (response.status === 503 || response.status === 502 || response.status === 504) {
      throw new Unreachable(message);
    }
    throw new ApiFailure(response.status, code, message);
  }

  const banner = $('#connection');
  let lastGood = null;
  function showUnreachable(error, retryMs) {
    banner.hidden = false;
    banner.className = 'banner banner-warn';
    const since = lastGood ? `; showing what was read at ${clock(lastGood)}` : '';
    banner.textContent = `Temporal or the API is unreachable: ${error.message}. Retrying in ${Math.round(retryMs / 1000)} s${since}.`;
  }
  function showReachable() {
    lastGood = Date.now();
    if (!banner.hidden) {
      banner.hidden = true;
      banner.textContent = '';
    }
  }

  /** Run `load` now and every `everyMs`; while it fails as unreachable, back off (2 s doubling to 30 s). */
  function poll(load, everyMs, options) {
    let timer;
    let failures = 0;
    const state = {
      stopped: false,
      async now() {
        clearTimeout(timer);
        if (options?.skip?.()) return void schedule(everyMs);
        try {
          const keepGoing = await load();
          failures = 0;
          showReachable();
          if (keepGoing === false) return;
          schedule(everyMs);
        } catch (error) {
          if (error instanceof Unreachable) {
            failures += 1;
            const wait = Math.min(30000, 2000 * 2 ** (failures - 1));
            showUnreachable(error, wait);
            schedule(wait);
          } else if (error instanceof ApiFailure && error.status === 401) {
            // on the way to the login
          } else {
            options?.onError?.(error);
            schedule(everyMs * 3);
          }
        }
      },
    };
    function schedule(ms) {
      clearTimeout(timer);
      if (!state.stopped) timer = setTimeout(() => void state.now(), ms);
    }
    void state.now();
    return state;
  }

  /** Show the answer of a change next to the control that made it: role=alert for refusals. */
  function feedback(node, error, success) {
    node.hidden = false;
    if (!error) {
      node.className = 'feedback ok';
      node.setAttribute('role', 'status');
      node.textContent = success;
      return;
    }
    node.className = 'feedback error';
    node.setAttribute('role', 'alert');
    if (error instanceof ApiFailure) {
      const why =
        {
          403: 'Refused',
          404: 'Not found',
          409: 'Conflict',
          422: 'Still invalid',
          400: 'Invalid',
          429: 'Too many requests',
        }[error.status] || 'Failed';
      node.textContent = `${why} (${error.status} ${error.code}): ${error.message}`;
    } else if (error instanceof Unreachable) {
      node.textContent = `Not done: ${error.message}. Try again when the banner is gone.`;
    } else {
      node.textContent = `Not done: ${error.message}`;
    }
  }

  function queryString(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
    const text = q.toString();
    return text ? `?${text}` : '';
  }

  // ---- Remediations ---------------------------------------------------------------------------------------------
  function remediationsList() {
    const form = $('#filters');
    const fields = ['region', 'service', 'host', 'outcome', 'rule', 'range'];
    const initial = new URLSearchParams(location.search);
    for (const name of fields) if (initial.has(name)) form.elements[name].value = initial.get(name);
    const tbody = $('#remediations tbody');
    const counts = $('#counts');
    const note = $('#list-note');
    let seen = null;

    function filters() {
      const f = {};
      for (const name of fields) f[name] = form.elements[name].value.trim();
      return f;
    }
    function query(withOutcome) {
      const f = filters();
      // to the 10 s: pages polling the same filter share the server's reads
      const since = f.range
        ? new Date(Math.floor((Date.now() - Number(f.range) * 1000) / 10000) * 10000).toISOString()
        : undefined;
      return {
        region: f.region,
        service: f.service,
        host: f.host,
        rule: f.rule,
        since,
        ...(withOutcome ? { outcome: f.outcome } : {}),
      };
    }

    function renderCounts(data) {
      const items = [el('li', { class: 'count count-total' }, el('span', { class: 'n' }, data.total), ' total')];
      items.push(el('li', { class: 'count' }, el('span', { class: 'n' }, data.running), ' ', badge('RUNNING')));
      for (const outcome of cfg.outcomes) {
        const n = data.outcomes[outcome] ?? 0;
        if (!n) continue;
        items.push(
          el(
            'li',
            { class: 'count' },
            el(
              'button',
              {
                type: 'button',
                class: 'link',
                title: `Show only ${outcome}`,
                'aria-label': `${n} ${outcome}: show only these`,
                onclick: () => {
                  form.elements.outcome.value = outcome;
                  apply();
                },
              },
              el('span', { class: 'n' }, n),
              ' ',
              badge(outcome),
            ),
          ),
        );
      }
      replace(counts, items);
    }

    function renderRows(events) {
      const keys = new Set(events.map((e) => e.incident_key));
      const rows = events.map((e) => {
        const isNew = seen !== null && !seen.has(e.incident_key);
        const link = el('a', { href: `/remediations/${encodeURIComponent(e.incident_key)}` }, e.incident_key);
        return el(
          'tr',
          { class: isNew ? 'new' : undefined, 'data-key': e.incident_key },
          el('td', {}, time(e.started_at)),
          el('td', {}, e.outcome ? badge(e.outcome) : badge(e.status === 'RUNNING' ? 'RUNNING' : e.status)),
          el('td', {}, e.service ?? ''),
          el('td', {}, e.host ?? ''),
          el('td', {}, e.rule ?? ''),
          el('td', {}, e.region ?? ''),
          el('td', {}, link),
        );
      });
      if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: 7, class: 'empty' }, 'No remediation matches.')));
      replace(tbody, rows);
      seen = keys;
    }

    const poller = poll(
      async () => {
        const [list, summary] = await Promise.all([
          api('GET', `/v1/events${queryString({ ...query(true), limit: 200 })}`),
          api('GET', `/console/api/counts${queryString(query(false))}`),
        ]);
        renderRows(list.events);
        renderCounts(summary);
        note.textContent = `· ${list.events.length} shown · updated ${clock(Date.now())}`;
      },
      cfg.refreshMs,
      {
        onError: (error) => {
          note.textContent = `· ${error.message}`;
        },
      },
    );

    function apply() {
      const f = filters();
      history.replaceState(null, '', `/${queryString(f)}`);
      seen = null;
      void poller.now();
    }
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      apply();
    });
    form.addEventListener('reset', () => setTimeout(apply, 0));
    form.addEventListener('change', (event) => {
      if (event.target.tagName === 'SELECT') apply();
    });
  }

  // ---- One remediation ------------------------------------------------------------------------------------------
  function quorumAnswers(detail) {
    const rows = (detail.answers || []).map((a) =>
      el(
        'tr',
        {},
        el('td', {}, a.node, el('br'), el('small', {}, a.zone)),
        el('td', {}, badge(a.status === 'answered' ? (a.passed ? 'pass' : 'fail') : a.status)),
        el('td', {}, duration(a.elapsed_ms)),
        el(
          'td',
          {},
          el(
            'ul',
            { class: 'checks' },
            (a.checks || []).map((c) => el('li', {}, badge(c.passed ? 'pass' : 'fail'), ` ${c.check}: ${c.detail}`)),
          ),
          a.error ? el('p', { class: 'error' }, a.error) : null,
        ),
      ),
    );
    return el(
      'div',
      {},
      el(
        'p',
        {},
        `${detail.passes} checker nodes passed, ${detail.needed} needed (deadline ${duration(detail.deadline_ms)}); ` +
          `${(detail.answers || []).length} answers were in when the quorum decided`,
      ),
      el(
        'table',
        { class: 'list compact' },
        el('caption', { class: 'visually-hidden' }, 'The checker nodes’ answers'),
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['Node', 'Answer', 'Took', 'Checks'].map((h) => el('th', { scope: 'col' }, h)),
          ),
        ),
        el('tbody', {}, rows),
      ),
    );
  }

  function gateItem(gate, startedAt) {
    const rest = { ...gate.detail };
    const body =
      gate.gate === 'quorum' && Array.isArray(gate.detail?.answers)
        ? quorumAnswers(gate.detail)
        : Object.keys(rest).length
          ? details(rest)
          : null;
    return el(
      'li',
      { class: `gate verdict-${gate.verdict}` },
      el(
        'div',
        { class: 'gate-head' },
        el('span', { class: 'offset', title: clock(gate.at) }, `+${duration(gate.at - startedAt)}`),
        el('strong', {}, gate.gate.replace(/_/g, ' ')),
        badge(gate.verdict),
      ),
      body,
    );
  }

  function stepCard(step) {
    const attempts = (step.attempts || []).map((a) =>
      el(
        'li',
        {},
        `attempt ${a.attempt}: `,
        a.ended_at ? duration(a.ended_at - a.started_at) : 'running',
        a.error ? el('span', { class: 'error' }, ` — ${a.error_type ? `${a.error_type}: ` : ''}${a.error}`) : '',
      ),
    );
    return el(
      'article',
      { class: `step status-${step.status}` },
      el(
        'h3',
        {},
        `${step.id} `,
        el('small', {}, step.activity),
        ' ',
        badge(step.status),
        step.started_at && step.ended_at
          ? el('span', { class: 'offset' }, ` ${duration(step.ended_at - step.started_at)}`)
          : '',
      ),
      attempts.length ? el('ol', { class: 'attempts', 'aria-label': `attempts of ${step.id}` }, attempts) : null,
      step.error ? el('p', { class: 'error' }, step.error) : null,
      step.progress ? el('div', {}, el('h4', {}, 'Progress'), details(step.progress)) : null,
      step.compensation
        ? el(
            'p',
            { class: 'compensation' },
            'Compensated by ',
            el('code', {}, step.compensation.activity),
            ': ',
            badge(step.compensation.status),
            step.compensation.error ? ` ${step.compensation.error}` : '',
          )
        : null,
      step.output !== undefined ? el('details', {}, el('summary', {}, 'Output'), value(step.output)) : null,
    );
  }

  function remediationDetail() {
    const key = $('#incident').dataset.key;
    const summary = $('#summary');
    const timeline = $('#timeline');
    const steps = $('#steps');

    function render(data) {
      summary.removeAttribute('aria-busy');
      const trace = data.trace;
      const event = trace?.event ?? {};
      const ui = cfg.temporalUi
        ? el(
            'a',
            {
              href: `${cfg.temporalUi.replace(/\/$/, '')}/namespaces/${encodeURIComponent(cfg.namespace)}/workflows/${encodeURIComponent(data.workflow_id)}`,
              rel: 'noopener',
              target: '_blank',
              id: 'temporal-link',
            },
            'Open in the Temporal Web UI',
          )
        : el('span', { class: 'note' }, 'Temporal Web UI link: set LAZARUS_TEMPORAL_UI_URL for the API');
      const facts = {
        Outcome: data.outcome ? badge(data.outcome) : badge(data.status),
        Phase: data.phase,
        Reason: data.reason,
        Service: event.service,
        Host: event.host,
        Region: event.region,
        'Event type': event.event_type,
        Source: event.source,
        Rule: trace?.rule,
        Runbook: trace?.runbook,
        Shadow: trace?.shadow ? 'yes (notification only)' : undefined,
        Started: trace ? time(trace.started_at) : undefined,
        Decided: trace?.decided_at ? time(trace.decided_at) : undefined,
        Paused: trace?.paused
          ? `${trace.paused.reason}${trace.paused.actor ? ` (by ${trace.paused.actor})` : ''}`
          : undefined,
        Workflow: el('span', {}, el('code', {}, data.workflow_id), ' ', ui),
        'Pages followed': trace?.following_pages?.length ? trace.following_pages.join(', ') : undefined,
        'Page follows': trace?.page_follows,
        'Config snapshot': trace?.snapshot_version,
        'Runbook read': data.runbook_unavailable,
      };
      const dl = el('dl', { class: 'kv facts' });
      for (const [k, v] of Object.entries(facts))
        if (v !== undefined && v !== '') dl.append(el('dt', {}, k), el('dd', {}, v));
      replace(
        summary,
        dl,
        trace ? el('details', {}, el('summary', {}, 'The event as received'), value(trace.event)) : null,
      );
      if (!trace) {
        replace(timeline, el('li', {}, 'No trace: the remediation did not complete normally (see Temporal).'));
        replace(steps);
        return;
      }
      const gates = [...trace.gates].sort((a, b) => a.at - b.at);
      replace(
        timeline,
        gates.map((g) => gateItem(g, trace.started_at)),
      );
      replace(
        steps,
        trace.steps.length ? trace.steps.map(stepCard) : el('p', { class: 'note' }, 'No runbook step ran.'),
      );
      const steer = $('#steer');
      if (steer) for (const b of steer.querySelectorAll('button')) b.disabled = data.status !== 'RUNNING';
    }

    poll(
      async () => {
        const data = await api('GET', `/v1/events/${encodeURIComponent(key)}`);
        render(data);
        return data.status === 'RUNNING';
      },
      cfg.refreshMs,
      {
        onError: (error) => {
          summary.removeAttribute('aria-busy');
          replace(summary, el('p', { class: 'error', role: 'alert' }, error.message));
        },
      },
    );

    const steer = $('#steer');
    if (steer) {
      const out = $('#steer-feedback');
      steer.addEventListener('click', async (event) => {
        const action = event.target.closest('button')?.dataset.action;
        if (!action) return;
        const reason = steer.elements.reason.value.trim();
        try {
          const receipt = await api(
            'POST',
            `/v1/events/${encodeURIComponent(key)}/${action}`,
            reason ? { reason } : {},
          );
          feedback(out, null, `${action} sent (recorded as ${receipt.actor}).`);
        } catch (error) {
          feedback(out, error);
        }
      });
    }
  }

  // ---- Regions --------------------------------------------------------------------------------------------------
  const palette = {
    REMEDIATED: '#1b7f3b',
    SHADOW: '#6b5ca5',
    NO_RULE: '#7a7a7a',
    STALE: '#a0a0a0',
    RATE_LIMITED: '#c27c0e',
    CIRCUIT_OPEN: '#b3261e',
    PRECONDITION_FAILED: '#0b6e99',
    QUORUM_TIMEOUT: '#5a8fb0',
    LOCKED: '#8a6d3b',
    KILL_SWITCH: '#000000',
    STEP_FAILED: '#d0542c',
    TIMED_OUT: '#e09a3e',
    CANCELLED: '#5f6b7a',
    FAILED: '#7d1128',
    RUNNING: '#9db8d9',
  };
  const svgNs = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(svgNs, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  function chart(data) {
    const width = 960;
    const height = 240;
    const left = 40;
    const bottom = 24;
    const top = 16;
    const buckets = data.buckets;
    const totals = buckets.map((b) => Object.values(b.counts).reduce((a, n) => a + n, 0));
    const max = Math.max(1, ...totals);
    const barW = (width - left) / Math.max(1, buckets.length);
    const y = (n) => top + (height - top - bottom) * (1 - n / max);
    const x = (at) => left + ((at - data.since) / (data.bucket_ms * buckets.length)) * (width - left);
    const order = [...cfg.outcomes, 'RUNNING'];
    const present = new Set();
    const total = totals.reduce((a, n) => a + n, 0);
    const byOutcome = {};
    const title = svg('title', { id: 'chart-svg-title' }, 'Decisions per minute by outcome');
    const g = svg('g', {});
    buckets.forEach((b, i) => {
      let base = 0;
      for (const outcome of [...order, ...Object.keys(b.counts).filter((o) => !order.includes(o))]) {
        const n = b.counts[outcome];
        if (!n) continue;
        present.add(outcome);
        byOutcome[outcome] = (byOutcome[outcome] ?? 0) + n;
        const rect = svg('rect', {
          x: left + i * barW,
          y: y(base + n),
          width: Math.max(1, barW - (barW > 3 ? 1 : 0)),
          height: y(base) - y(base + n),
          fill: palette[outcome] ?? '#444',
        });
        rect.append(svg('title', {}, `${clock(b.at)}: ${n} ${outcome}`));
        g.append(rect);
        base += n;
      }
    });
    const axis = svg('g', { class: 'axis' });
    axis.append(svg('line', { x1: left, y1: height - bottom, x2: width, y2: height - bottom }));
    axis.append(svg('text', { x: left - 6, y: top + 4, 'text-anchor': 'end' }, max));
    axis.append(svg('text', { x: left - 6, y: height - bottom, 'text-anchor': 'end' }, 0));
    const spanMs = data.bucket_ms * buckets.length;
    const step = spanMs > 6 * 3600000 ? 3 * 3600000 : spanMs > 2 * 3600000 ? 3600000 : 15 * 60000;
    for (let at = Math.ceil(data.since / step) * step; at <= data.until; at += step) {
      const d = new Date(at);
      axis.append(
        svg(
          'text',
          { x: x(at), y: height - 6, 'text-anchor': 'middle' },
          `${pad(d.getHours())}:${pad(d.getMinutes())}`,
        ),
      );
    }
    const marks = svg('g', { class: 'transitions' });
    for (const t of data.transitions) {
      const mx = x(t.at);
      const mark = svg('g', { class: `transition to-${t.to}` });
      mark.append(svg('line', { x1: mx, y1: top - 8, x2: mx, y2: height - bottom }));
      mark.append(
        svg('text', { x: mx + 3, y: top - 2 }, `breaker ${t.to}${cfg.regions.length > 1 ? ` (${t.region})` : ''}`),
      );
      mark.append(
        svg(
          'title',
          {},
          `${clock(t.at)}: breaker ${t.to} in ${t.region} (${t.failing_count} failing, after ${t.cause})`,
        ),
      );
      marks.append(mark);
    }
    const summary = `${total} decisions since ${clock(data.since)}${
      total
        ? `: ${Object.entries(byOutcome)
            .map(([o, n]) => `${n} ${o}`)
            .join(', ')}`
        : ''
    }; ${data.transitions.length} breaker transitions${data.truncated ? ` (only the newest ${data.read} remediations were read)` : ''}.`;
    const desc = svg('desc', { id: 'chart-svg-desc' }, summary);
    const root = svg(
      'svg',
      {
        viewBox: `0 0 ${width} ${height}`,
        role: 'img',
        'aria-labelledby': 'chart-svg-title chart-svg-desc',
        class: 'chart-svg',
      },
      title,
      desc,
      axis,
      g,
      marks,
    );
    const legend = el(
      'ul',
      { class: 'legend', 'aria-label': 'Legend' },
      [...present].map((o) =>
        el('li', {}, el('span', { class: 'swatch', style: undefined, 'data-color': palette[o] ?? '#444' }), o),
      ),
      data.transitions.length ? el('li', {}, el('span', { class: 'swatch swatch-line' }), 'breaker transition') : null,
    );
    for (const swatch of legend.querySelectorAll('[data-color]')) swatch.style.background = swatch.dataset.color;
    const rows = buckets
      .filter((b, i) => totals[i] > 0)
      .map((b) =>
        el(
          'tr',
          {},
          el('td', {}, clock(b.at)),
          el(
            'td',
            {},
            Object.entries(b.counts)
              .map(([o, n]) => `${n} ${o}`)
              .join(', '),
          ),
        ),
      );
    const table = el(
      'details',
      {},
      el('summary', {}, 'As a table'),
      el(
        'table',
        { class: 'list compact' },
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Minute'), el('th', { scope: 'col' }, 'Decisions'))),
        el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: 2 }, 'None in this span.'))),
        data.transitions.length
          ? el(
              'tfoot',
              {},
              data.transitions.map((t) =>
                el('tr', {}, el('td', {}, clock(t.at)), el('td', {}, `breaker ${t.to} in ${t.region}`)),
              ),
            )
          : null,
      ),
    );
    const missing = data.unavailable.length
      ? el(
          'p',
          { class: 'error' },
          `Breaker not read for ${data.unavailable.map((u) => `${u.region} (${u.error})`).join('; ')}`,
        )
      : null;
    return [el('p', { class: 'note', id: 'chart-summary' }, summary), root, legend, table, missing];
  }

  /**
   * A change that asks for its reason first: a button that opens a small form (label, required reason, the change's
   * button, Cancel) and the feedback beside it. While the form is open the overview does not re-render (`editing`).
   * `change(reason)` makes the change and answers the success message; a refusal is shown in the feedback.
   */
  function reasonControl({ id, openText, formLabel, question, submitText, danger, editing, change, onChanged }) {
    const out = el('p', { class: 'feedback', id: `${id}-feedback`, hidden: true });
    const reasonId = `${id}-reason`;
    const form = el(
      'form',
      { class: 'toggle-form', id: `${id}-form`, hidden: true, 'aria-label': formLabel },
      el('label', { for: reasonId }, `${question} (recorded with your name)`),
      el('input', { id: reasonId, name: 'reason', required: true, autocomplete: 'off' }),
      el('button', { type: 'submit', class: danger ? 'danger' : '' }, submitText),
      ' ',
      el('button', { type: 'button', class: 'secondary', onclick: () => close() }, 'Cancel'),
    );
    const toggle = el(
      'button',
      {
        type: 'button',
        class: 'toggle',
        'aria-expanded': 'false',
        'aria-controls': `${id}-form`,
        disabled: !isOperator,
        title: isOperator ? undefined : 'operators only',
        onclick: () => {
          form.hidden = false;
          toggle.setAttribute('aria-expanded', 'true');
          editing.add(id);
          form.elements.reason.focus();
        },
      },
      openText,
    );
    function close() {
      form.hidden = true;
      toggle.setAttribute('aria-expanded', 'false');
      editing.delete(id);
      toggle.focus();
    }
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const done = await change(form.elements.reason.value.trim());
        editing.delete(id);
        feedback(out, null, done);
        onChanged();
      } catch (error) {
        feedback(out, error);
      }
    });
    return [toggle, form, out];
  }

  function switchRow(kind, region, scope, setting, onChanged, editing) {
    const on = Boolean(setting?.enabled);
    const control = reasonControl({
      id: `${kind}-${region}-${scope}`.replace(/[^\w-]/g, '_'),
      openText: on ? 'Turn off…' : 'Turn on…',
      formLabel: `${on ? 'Turn off' : 'Turn on'} ${kind} ${scope} in ${region}`,
      question: `Why turn ${kind.replace('-', ' ')} ${scope} ${on ? 'off' : 'on'}?`,
      submitText: on ? 'Turn off' : 'Turn on',
      danger: !on,
      editing,
      onChanged,
      change: async (reason) => {
        const path = kind === 'kill-switch' ? '/v1/killswitch' : '/v1/shadow';
        await api('PUT', `${path}${queryString({ region })}`, { scope, enabled: !on, reason });
        return `${kind} ${scope} turned ${on ? 'off' : 'on'}.`;
      },
    });
    return el(
      'tr',
      { 'data-scope': scope, 'data-kind': kind },
      el('th', { scope: 'row' }, scope),
      el('td', {}, badge(on ? 'on' : 'off', on ? `${kind}-on` : 'off')),
      el('td', {}, setting ? [setting.actor, el('br'), time(setting.at)] : '—'),
      el('td', {}, setting?.reason ?? ''),
      el('td', {}, control),
    );
  }

  /**
   * The region's rule quarantine (workflows/quarantine.ts): each quarantined rule with since when, why and the failed
   * runs that tripped it, with a Release… control for operators; the other tracked rules in one line; the latest
   * quarantines and releases with who and why.
   */
  /** Runbook outcomes that count against a rule (core/quarantine.ts ruleFailureOutcomes). */
  const failedOutcomes = ['STEP_FAILED', 'TIMED_OUT', 'FAILED'];
  function quarantineSection(region, quarantine, onChanged, editing) {
    const section = el('div', { class: 'quarantine', 'data-kind': 'quarantine' }, el('h3', {}, 'Rule quarantine'));
    if (!quarantine) {
      section.append(el('p', { class: 'note' }, 'Not read.'));
      return section;
    }
    const records = Object.values(quarantine.rules ?? {}).sort((a, b) => a.rule.localeCompare(b.rule));
    const quarantined = records.filter((r) => r.quarantine);
    const tracked = records.length;
    section.append(
      el(
        'p',
        { class: 'note', 'data-role': 'quarantine-summary' },
        tracked === 0
          ? 'No runbook run of any rule reported in this region yet.'
          : `${tracked} ${tracked === 1 ? 'rule' : 'rules'} tracked, ` +
              (quarantined.length ? `${quarantined.length} quarantined (forced to shadow).` : 'none quarantined.'),
      ),
    );
    const others = records.filter((r) => !r.quarantine);
    if (others.length) {
      section.append(
        el(
          'ul',
          { class: 'tracked', 'aria-label': 'Rules tracked, not quarantined' },
          others.map((r) => {
            const failedRuns = r.runs.filter((run) => failedOutcomes.includes(run.outcome)).length;
            return el(
              'li',
              { 'data-rule': r.rule },
              el('code', {}, r.rule),
              ' ',
              badge('live', 'pass'),
              ` ${r.runs.length} recent ${r.runs.length === 1 ? 'run' : 'runs'}, ${failedRuns} failed`,
            );
          }),
        ),
      );
    }
    for (const record of quarantined) {
      const q = record.quarantine;
      const control = reasonControl({
        id: `quarantine-${region}-${record.rule}`.replace(/[^\w-]/g, '_'),
        openText: 'Release…',
        formLabel: `Release rule ${record.rule} in ${region}`,
        question: `Why release rule ${record.rule} in ${region}?`,
        submitText: 'Release',
        danger: false,
        editing,
        onChanged,
        change: async (reason) => {
          const path = `/v1/quarantine/${encodeURIComponent(record.rule)}/release${queryString({ region })}`;
          await api('POST', path, { reason });
          return `Rule ${record.rule} released: it acts again in ${region}.`;
        },
      });
      section.append(
        el(
          'article',
          { class: 'quarantined', 'data-rule': record.rule, 'aria-label': `Rule ${record.rule} quarantined` },
          el('h4', {}, el('code', {}, record.rule), ' ', badge('quarantined', 'quarantined')),
          el('p', {}, 'In shadow since ', time(q.since), `: ${q.why}.`),
          el('h5', {}, `Evidence: ${q.evidence.length} failed ${q.evidence.length === 1 ? 'run' : 'runs'}`),
          el(
            'ol',
            { class: 'evidence', 'aria-label': `Failed runs of ${record.rule}` },
            q.evidence.map((run) =>
              el(
                'li',
                { 'data-workflow-id': run.workflow_id },
                badge(run.outcome),
                ' ',
                el('a', { href: `/remediations/${encodeURIComponent(run.incident_key)}` }, run.workflow_id),
                run.host ? ` on ${run.host}` : '',
                ', ended ',
                time(run.at),
                el('br'),
                el('small', {}, run.reason),
              ),
            ),
          ),
          el('div', { class: 'release' }, control),
        ),
      );
    }
    const history = (quarantine.history ?? []).slice(-5).reverse();
    if (history.length) {
      section.append(
        el('h4', {}, 'Recent quarantines and releases'),
        el(
          'ul',
          { class: 'history', 'data-role': 'quarantine-history' },
          history.map((h) => el('li', {}, time(h.at), ` ${h.rule} ${h.what} by ${h.actor}: ${h.reason}`)),
        ),
      );
    }
    return section;
  }

  function regionCard(overview, refresh, editing) {
    const { region, control, breaker, services, errors } = overview;
    const card = el('section', { class: 'region', 'aria-labelledby': `region-${region}`, 'data-region': region });
    card.append(el('h2', { id: `region-${region}` }, region));
    if (errors.length) card.append(el('p', { class: 'error', role: 'alert' }, `Partly read: ${errors.join('; ')}`));
    // breaker
    const state = breaker === undefined ? 'unknown' : (breaker?.state ?? 'closed');
    const failing = Object.entries(breaker?.failing ?? {});
    card.append(
      el('h3', {}, 'Breaker ', badge(state, `breaker-${state}`)),
      failing.length
        ? el(
            'ul',
            { class: 'failing', 'aria-label': 'Failing services' },
            failing.map(([s, at]) => el('li', {}, `${s} failing since `, time(at))),
          )
        : el('p', { class: 'note' }, breaker === undefined ? 'Not read.' : 'No failing service.'),
    );
    // kill switch
    const killRows = [...new Set([...cfg.scopes, ...Object.keys(control?.kill_switch ?? {})])].map((scope) =>
      switchRow('kill-switch', region, scope, control?.kill_switch?.[scope], refresh, editing),
    );
    card.append(
      el('h3', {}, 'Kill switch'),
      control
        ? el(
            'table',
            { class: 'list switches', 'data-kind': 'kill-switch' },
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                ['Scope', 'State', 'Changed by', 'Reason', ''].map((h) => el('th', { scope: 'col' }, h)),
              ),
            ),
            el('tbody', {}, killRows),
          )
        : el('p', { class: 'note' }, 'Not read.'),
    );
    // shadow
    const shadowScopes = Object.keys(control?.shadow ?? {});
    const shadowRows = shadowScopes.map((scope) =>
      switchRow('shadow', region, scope, control.shadow[scope], refresh, editing),
    );
    const addId = `shadow-add-${region}`.replace(/[^\w-]/g, '_');
    const addOut = el('p', { class: 'feedback', hidden: true });
    const addForm = el(
      'form',
      { class: 'inline-form', 'aria-label': `Set shadow mode in ${region}` },
      el('label', { for: `${addId}-scope` }, 'Scope'),
      el('input', {
        id: `${addId}-scope`,
        name: 'scope',
        required: true,
        placeholder: 'global, profile:<name> or service:<name>',
        autocomplete: 'off',
      }),
      el('label', { for: `${addId}-enabled` }, 'Shadow'),
      el(
        'select',
        { id: `${addId}-enabled`, name: 'enabled' },
        el('option', { value: 'true' }, 'on'),
        el('option', { value: 'false' }, 'off'),
      ),
      el('label', { for: `${addId}-reason` }, 'Reason'),
      el('input', { id: `${addId}-reason`, name: 'reason', required: true, autocomplete: 'off' }),
      el('button', { type: 'submit', disabled: !isOperator }, 'Set'),
      addOut,
    );
    addForm.addEventListener('focusin', () => editing.add(addId));
    addForm.addEventListener('focusout', () =>
      setTimeout(() => addForm.contains(document.activeElement) || editing.delete(addId), 0),
    );
    addForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const f = addForm.elements;
      try {
        await api('PUT', `/v1/shadow${queryString({ region })}`, {
          scope: f.scope.value.trim(),
          enabled: f.enabled.value === 'true',
          reason: f.reason.value.trim(),
        });
        editing.delete(addId);
        feedback(addOut, null, 'Shadow mode set.');
        refresh();
      } catch (error) {
        feedback(addOut, error);
      }
    });
    card.append(
      el('h3', {}, 'Shadow mode'),
      shadowRows.length
        ? el(
            'table',
            { class: 'list switches', 'data-kind': 'shadow' },
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                ['Scope', 'State', 'Changed by', 'Reason', ''].map((h) => el('th', { scope: 'col' }, h)),
              ),
            ),
            el('tbody', {}, shadowRows),
          )
        : el('p', { class: 'note' }, 'No shadow scope set at runtime (configuration may still set shadow mode).'),
      isOperator ? addForm : null,
    );
    card.append(quarantineSection(region, overview.quarantine, refresh, editing));
    // services and their windows
    const now = Date.now();
    card.append(
      el('h3', {}, 'Rate-limit windows'),
      services.length
        ? el(
            'table',
            { class: 'list compact' },
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                ['Service', 'State', 'Events in window', 'Last event', 'Counted in all'].map((h) =>
                  el('th', { scope: 'col' }, h),
                ),
              ),
            ),
            el(
              'tbody',
              {},
              services
                .sort((a, b) => b.events.length - a.events.length)
                .map((s) =>
                  el(
                    'tr',
                    {},
                    el('th', { scope: 'row' }, s.service),
                    el('td', {}, badge(s.failing ? 'failing' : 'ok', s.failing ? 'fail' : 'pass')),
                    el(
                      'td',
                      {},
                      `${s.events.length}${s.events.length ? ` (oldest ${duration(now - s.events[0])} ago)` : ''}`,
                    ),
                    el('td', {}, s.events.length ? time(s.events[s.events.length - 1]) : ''),
                    el('td', {}, s.counted),
                  ),
                ),
            ),
          )
        : el('p', { class: 'note' }, 'No service governor running in this region.'),
    );
    const history = (control?.history ?? []).slice(-5).reverse();
    if (history.length) {
      card.append(
        el('h3', {}, 'Recent control changes'),
        el(
          'ul',
          { class: 'history' },
          history.map((h) =>
            el(
              'li',
              {},
              time(h.setting.at),
              ` ${h.what} ${h.setting.enabled ? 'on' : 'off'} by ${h.setting.actor}: ${h.setting.reason}`,
            ),
          ),
        ),
      );
    }
    return card;
  }

  function regions() {
    const form = $('#region-filter');
    const initial = new URLSearchParams(location.search);
    for (const name of ['region', 'hours']) if (initial.has(name)) form.elements[name].value = initial.get(name);
    const holder = $('#regions');
    const chartHolder = $('#chart');
    const editing = new Set();
    const params = () => ({ region: form.elements.region.value, hours: form.elements.hours.value });
    const overview = poll(
      async () => {
        const data = await api('GET', `/console/api/regions${queryString({ region: params().region })}`);
        if (editing.size > 0) return; // a reason form opened while this read was on its way: keep it open
        replace(
          holder,
          data.regions.map((r) => regionCard(r, () => void overview.now(), editing)),
        );
      },
      cfg.refreshMs,
      {
        skip: () => editing.size > 0,
        onError: (e) => replace(holder, el('p', { class: 'error', role: 'alert' }, e.message)),
      },
    );
    const charts = poll(
      async () => {
        replace(chartHolder, chart(await api('GET', `/console/api/chart${queryString(params())}`)));
      },
      Math.max(10000, cfg.refreshMs * 3),
      { onError: (e) => replace(chartHolder, el('p', { class: 'error', role: 'alert' }, e.message)) },
    );
    form.addEventListener('change', () => {
      history.replaceState(null, '', `/regions${queryString(params())}`);
      editing.clear();
      void overview.now();
      void charts.now();
    });
  }

  // ---- Dead letters ---------------------------------------------------------------------------------------------
  function deadLetters() {
    const form = $('#dl-filter');
    if (!form) return;
    const tbody = $('#deadletters tbody');
    const detail = $('#dl-detail');
    let open = null;
    const list = poll(
      async () => {
        const data = await api(
          'GET',
          `/v1/deadletters${queryString({ status: form.elements.status.value, limit: 100 })}`,
        );
        const rows = data.dead_letters.map((d) =>
          el(
            'tr',
            { 'data-id': d.id, class: d.id === open ? 'selected' : undefined },
            el('td', {}, d.dead_lettered_at ? time(d.dead_lettered_at) : ''),
            el('td', {}, badge(d.reason ?? '?', 'reason')),
            el('td', { class: 'wrap' }, d.detail ?? ''),
            el('td', {}, badge(d.status)),
            el('td', {}, d.route ?? `${d.stream ?? ''} ${d.shard_id ?? ''}`),
            el(
              'td',
              {},
              el(
                'button',
                {
                  type: 'button',
                  class: 'link',
                  onclick: () => void show(d.id),
                  'aria-label': `Open dead letter ${d.id}`,
                },
                'Open',
              ),
            ),
          ),
        );
        if (!rows.length)
          rows.push(el('tr', {}, el('td', { colspan: 6, class: 'empty' }, 'No dead letter with this status.')));
        replace(tbody, rows);
      },
      cfg.refreshMs * 2,
      { onError: (e) => replace(tbody, el('tr', {}, el('td', { colspan: 6, class: 'error' }, e.message))) },
    );
    form.addEventListener('change', () => void list.now());

    async function show(id) {
      open = id;
      detail.hidden = false;
      let d;
      try {
        d = await api('GET', `/v1/deadletters/${encodeURIComponent(id)}`);
      } catch (error) {
        replace(detail, el('p', { class: 'error', role: 'alert' }, error.message));
        return;
      }
      let corrected = d.payload_text ?? '';
      try {
        corrected = JSON.stringify(JSON.parse(corrected), null, 2);
      } catch {
        // not JSON: shown as stored, for the operator to fix
      }
      const asIsOut = el('p', { class: 'feedback', id: 'replay-as-is-feedback', hidden: true });
      const fixOut = el('p', { class: 'feedback', id: 'replay-corrected-feedback', hidden: true });
      const pending = d.status === 'pending';
      const replayAsIs = el('button', { type: 'button', id: 'replay-as-is', disabled: !pending }, 'Replay as is');
      const textarea = el('textarea', { id: 'corrected', name: 'payload', rows: 14, spellcheck: 'false' });
      textarea.value = corrected;
      const fixForm = el(
        'form',
        { class: 'replay-form', 'aria-label': 'Replay a corrected event' },
        el('label', { for: 'corrected' }, 'Corrected event (JSON)'),
        textarea,
        el('button', { type: 'submit', disabled: !pending }, 'Replay corrected'),
        fixOut,
      );
      const done = (receipt) =>
        el(
          'span',
          {},
          'Replayed as ',
          el('a', { href: `/remediations/${encodeURIComponent(receipt.incident_key)}` }, receipt.incident_key),
          ` (recorded as ${receipt.dead_letter.replay.actor ?? 'you'}).`,
        );
      replayAsIs.addEventListener('click', async () => {
        try {
          const receipt = await api('POST', `/v1/deadletters/${encodeURIComponent(id)}/replay`);
          feedback(asIsOut, null, '');
          asIsOut.append(done(receipt));
          void list.now();
        } catch (error) {
          feedback(asIsOut, error);
        }
      });
      fixForm.addEventListener('submit', async (event) => {
        event.preventDefault();
        let payload;
        try {
          payload = JSON.parse(textarea.value);
        } catch (error) {
          feedback(fixOut, new Error(`not JSON: ${error.message}`));
          return;
        }
        try {
          const receipt = await api('POST', `/v1/deadletters/${encodeURIComponent(id)}/replay`, { payload });
          feedback(fixOut, null, '');
          fixOut.append(done(receipt));
          void list.now();
        } catch (error) {
          feedback(fixOut, error);
        }
      });
      replace(
        detail,
        el('h2', { tabindex: '-1', id: 'dl-title' }, 'Dead letter ', el('code', {}, d.id)),
        details({
          status: d.status,
          reason: d.reason,
          detail: d.detail,
          source: d.source,
          size_bytes: d.size_bytes,
          dead_lettered_at: d.dead_lettered_at,
          ...(d.replay ? { replay: d.replay } : {}),
        }),
        el('h3', {}, 'Raw payload'),
        d.payload_text !== undefined
          ? el('pre', { class: 'payload', id: 'raw-payload', tabindex: '0' }, d.payload_text)
          : el(
              'pre',
              { class: 'payload', id: 'raw-payload', tabindex: '0' },
              `(not UTF-8 text; base64) ${d.payload_base64}`,
            ),
        el('div', { class: 'replay' }, replayAsIs, asIsOut),
        fixForm,
      );
      $('#dl-title').focus();
    }
  }

  // ---- Audit ----------------------------------------------------------------------------------------------------
  function audit() {
    poll(async () => {
      const [consoleAudit, overview] = await Promise.all([
        api('GET', '/console/api/audit'),
        api('GET', '/console/api/regions'),
      ]);
      replace(
        $('#audit-console tbody'),
        consoleAudit.entries.length
          ? consoleAudit.entries.map((e) =>
              el(
                'tr',
                {},
                el('td', {}, time(e.at)),
                el('td', {}, e.actor),
                el('td', {}, e.action),
                el('td', { class: 'wrap' }, [
                  e.target ?? '',
                  e.detail ? el('br') : null,
                  e.detail ? el('small', {}, e.detail) : null,
                ]),
                el('td', {}, e.status),
              ),
            )
          : el('tr', {}, el('td', { colspan: 5, class: 'empty' }, 'Nothing yet.')),
      );
      // rule quarantines and releases read as changes of the rule's shadow: quarantined = on, released = off
      const quarantineChanges = (r) =>
        (r.quarantine?.history ?? []).map((h) => ({
          region: r.region,
          what: `quarantine:${h.rule}`,
          setting: { enabled: h.what === 'quarantined', actor: h.actor, at: h.at, reason: h.reason },
          label: h.what,
        }));
      const changes = overview.regions
        .flatMap((r) => [
          ...(r.control?.history ?? []).map((h) => ({ region: r.region, ...h })),
          ...quarantineChanges(r),
        ])
        .sort((a, b) => b.setting.at - a.setting.at);
      replace(
        $('#audit-control tbody'),
        changes.length
          ? changes.map((c) =>
              el(
                'tr',
                {},
                el('td', {}, time(c.setting.at)),
                el('td', {}, c.region),
                el('td', {}, c.what),
                el('td', {}, c.label ?? (c.setting.enabled ? 'on' : 'off')),
                el('td', {}, c.setting.actor),
                el('td', { class: 'wrap' }, c.setting.reason),
              ),
            )
          : el('tr', {}, el('td', { colspan: 6, class: 'empty' }, 'No change recorded.')),
      );
    }, cfg.refreshMs * 2);
  }

  const pages = {
    remediations: remediationsList,
    remediation: remediationDetail,
    regions,
    deadletters: deadLetters,
    audit,
  };
  pages[page]?.();
})();
