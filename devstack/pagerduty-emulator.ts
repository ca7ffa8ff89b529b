// A PagerDuty stand-in: Events API v2 over HTTPS (pdjs always uses https) and the REST incidents API over HTTP,
// with escalation policies and PagerDuty's own timer (an incident not acknowledged in ackTimeoutMs escalates by
// itself). Test hooks under /_emulator/ inspect state and inject 429s, 5xx, outages and hangs. See docs/devstack.md.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { generate } from 'selfsigned';
import { close, listen, outlastClientKeepAlive, readJson, sendJson } from './http-json';

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

export interface EmulatedNote {
  id: string;
  content: string;
  created_at: string;
}

export interface EmulatedIncident {
  id: string;
  type: 'incident';
  incident_number: number;
  incident_key: string;
  routing_key: string;
  title: string;
  status: IncidentStatus;
  escalation_level: number;
  escalation_policy: { id: string; type: 'escalation_policy_reference'; levels: number };
  created_at: string;
  last_status_change_at: string;
  /** How the level got where it is: 'timeout' entries are PagerDuty's own escalations. */
  escalations: Array<{ at: string; to: number; by: 'timeout' | 'api' }>;
  notes: EmulatedNote[];
}

export interface EmulatedEvent {
  at: string;
  routing_key: string;
  event_action: string;
  dedup_key: string;
  /** What the event did: created, deduplicated, acknowledged, resolved, or ignored (and why). */
  effect: string;
}

export type FailureMode = '429' | '500' | '503' | 'hang';

export interface FailurePlan {
  mode: FailureMode;
  /** Calls left to fail (Infinity: until cleared). */
  remaining: number;
  scope: 'events' | 'rest' | 'all';
  retryAfterS?: number;
}

export interface PagerDutyEmulatorState {
  incidents: EmulatedIncident[];
  events: EmulatedEvent[];
  calls: { events: number; rest: number; failed: number };
  failure: FailurePlan | null;
  ackTimeoutMs: number;
}

export interface PagerDutyEmulatorOptions {
  host?: string;
  /** HTTPS port of the Events API (0: any free port). */
  eventsPort?: number;
  /** HTTP port of the REST API and the test hooks (0: any free port). */
  restPort?: number;
  /** An incident not acknowledged in this long escalates to the next level (default 60 000). */
  ackTimeoutMs?: number;
  /** Levels of every escalation policy (default 3). */
  escalationLevels?: number;
}

export interface RunningPagerDutyEmulator {
  /** `host:port` for pdjs `event({ server })`. */
  readonly eventsServer: string;
  readonly eventsUrl: string;
  /** Base URL of the REST API, for pdjs `api({ url })`; the test hooks live under `${restUrl}/_emulator/`. */
  readonly restUrl: string;
  /** PEM of the self-signed certificate of the Events API, to trust in an https Agent. */
  readonly caPem: string;
  state(): PagerDutyEmulatorState;
  stop(): Promise<void>;
}

export async function startPagerDutyEmulator(
  options: PagerDutyEmulatorOptions = {},
): Promise<RunningPagerDutyEmulator> {
  const host = options.host ?? '127.0.0.1';
  const levels = options.escalationLevels ?? 3;
  let ackTimeoutMs = options.ackTimeoutMs ?? 60_000;
  const incidents = new Map<string, EmulatedIncident>();
  const events: EmulatedEvent[] = [];
  const timers = new Map<string, NodeJS.Timeout>();
  const calls = { events: 0, rest: 0, failed: 0 };
  let failure: FailurePlan | null = null;
  let incidentNumber = 0;
  const hanging = new Set<ServerResponse>();

  const now = (): string => new Date().toISOString();
  const openIncident = (dedupKey: string): EmulatedIncident | undefined =>
    [...incidents.values()].find((i) => i.incident_key === dedupKey && i.status !== 'resolved');

  function armAckTimer(incident: EmulatedIncident): void {
    clearTimeout(timers.get(incident.id));
    if (incident.status !== 'triggered' || incident.escalation_level >= levels) return;
    const timer = setTimeout(() => {
      if (incident.status !== 'triggered') return;
      incident.escalation_level += 1;
      incident.escalations.push({ at: now(), to: incident.escalation_level, by: 'timeout' });
      armAckTimer(incident);
    }, ackTimeoutMs);
    timer.unref();
    timers.set(incident.id, timer);
  }

  function setStatus(incident: EmulatedIncident, status: IncidentStatus): void {
    if (incident.status === status) return;
    incident.status = status;
    incident.last_status_change_at = now();
    if (status === 'triggered') armAckTimer(incident);
    else clearTimeout(timers.get(incident.id));
  }

  /** Events API v2: trigger / acknowledge / resolve with dedup semantics. */
  function enqueue(body: Record<string, unknown>): { status: number; body: unknown } {
    const routingKey = typeof body.routing_key === 'string' ? body.routing_key : '';
    const action = body.event_action;
    const errors: string[] = [];
    if (!routingKey) errors.push("'routing_key' is missing or blank");
    if (action !== 'trigger' && action !== 'acknowledge' && action !== 'resolve') {
      errors.push("'event_action' must be one of trigger, acknowledge, resolve");
    }
    const payload = (body.payload ?? {}) as Record<string, unknown>;
    let dedupKey = typeof body.dedup_key === 'string' ? body.dedup_key : '';
    if (action !== 'trigger' && !dedupKey) errors.push("'dedup_key' is required for acknowledge and resolve");
    if (dedupKey.length > 255) errors.push("'dedup_key' is longer than 255 characters");
    if (action === 'trigger' && (typeof payload.summary !== 'string' || typeof payload.source !== 'string')) {
      errors.push("'payload.summary' and 'payload.source' are required for trigger");
    }
    if (errors.length > 0)
      return { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } };

    if (!dedupKey) dedupKey = randomUUID().replace(/-/g, '');
    const incident = openIncident(dedupKey);
    let effect: string;
    if (action === 'trigger') {
      if (incident) {
        effect = 'deduplicated';
      } else {
        incidentNumber += 1;
        const created: EmulatedIncident = {
          id: `P${String(incidentNumber).padStart(6, '0')}`,
          type: 'incident',
          incident_number: incidentNumber,
          incident_key: dedupKey,
          routing_key: routingKey,
          title: String(payload.summary),
          status: 'triggered',
          escalation_level: 1,
          escalation_policy: { id: `EP-${routingKey.slice(0, 8)}`, type: 'escalation_policy_reference', levels },
          created_at: now(),
          last_status_change_at: now(),
          escalations: [],
          notes: [],
        };
        incidents.set(created.id, created);
        armAckTimer(created);
        effect = 'created';
      }
    } else if (!incident) {
      effect = 'ignored: no open incident with this dedup_key';
    } else if (incident.routing_key !== routingKey) {
      // PagerDuty applies acknowledge and resolve only with the integration key that triggered the incident.
      effect = 'ignored: routing_key differs from the trigger';
    } else {
      setStatus(incident, action === 'acknowledge' ? 'acknowledged' : 'resolved');
      effect = action === 'acknowledge' ? 'acknowledged' : 'resolved';
    }
    events.push({ at: now(), routing_key: routingKey, event_action: String(action), dedup_key: dedupKey, effect });
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } };
  }

  function restError(res: ServerResponse, status: number, message: string): void {
    sendJson(res, status, { error: { message, code: status === 404 ? 2100 : 2001, errors: [message] } });
  }

  async function rest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const parts = url.pathname.split('/').filter(Boolean);
    const incident = parts[0] === 'incidents' && parts[1] ? incidents.get(parts[1]) : undefined;
    if (req.method === 'GET' && url.pathname === '/incidents') {
      const key = url.searchParams.get('incident_key');
      const statuses = url.searchParams.getAll('statuses[]');
      const list = [...incidents.values()].filter(
        (i) => (!key || i.incident_key === key) && (statuses.length === 0 || statuses.includes(i.status)),
      );
      sendJson(res, 200, { incidents: list, limit: 100, offset: 0, more: false, total: list.length });
      return;
    }
    if (parts[0] === 'incidents' && parts[1] && !incident) return restError(res, 404, `Incident ${parts[1]} not found`);
    if (incident && parts.length === 2 && req.method === 'GET') return sendJson(res, 200, { incident });
    if (incident && parts.length === 2 && req.method === 'PUT') {
      const body = (await readJson(req)) as { incident?: { escalation_level?: unknown; status?: unknown } };
      const change = body.incident ?? {};
      if (change.escalation_level !== undefined) {
        const level = Number(change.escalation_level);
        if (!Number.isInteger(level) || level < 1 || level > levels) {
          return restError(res, 400, `escalation_level must be between 1 and ${levels}`);
        }
        if (level !== incident.escalation_level) {
          incident.escalation_level = level;
          incident.escalations.push({ at: now(), to: level, by: 'api' });
          armAckTimer(incident);
        }
      }
      if (change.status !== undefined) {
        if (change.status !== 'acknowledged' && change.status !== 'resolved') {
          return restError(res, 400, 'status must be acknowledged or resolved');
        }
        setStatus(incident, change.status);
      }
      return sendJson(res, 200, { incident });
    }
    if (incident && parts[2] === 'notes' && req.method === 'POST') {
      const body = (await readJson(req)) as { note?: { content?: unknown } };
      if (typeof body.note?.content !== 'string' || !body.note.content) {
        return restError(res, 400, 'note.content is required');
      }
      const note = {
        id: `N${incident.notes.length + 1}-${incident.id}`,
        content: body.note.content,
        created_at: now(),
      };
      incident.notes.push(note);
      return sendJson(res, 201, { note });
    }
    if (incident && parts[2] === 'notes' && req.method === 'GET') return sendJson(res, 200, { notes: incident.notes });
    if (req.method === 'GET' && url.pathname === '/escalation_policies') {
      const keys = [...new Set([...incidents.values()].map((i) => i.routing_key))];
      return sendJson(res, 200, {
        escalation_policies: keys.map((k) => ({ id: `EP-${k.slice(0, 8)}`, num_levels: levels })),
      });
    }
    restError(res, 404, `no route ${req.method ?? ''} ${url.pathname}`);
  }

  function state(): PagerDutyEmulatorState {
    return {
      incidents: structuredClone([...incidents.values()]),
      events: structuredClone(events),
      calls: { ...calls },
      failure: failure ? { ...failure } : null,
      ackTimeoutMs,
    };
  }

  async function hooks(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const action = url.pathname.slice('/_emulator/'.length);
    if (req.method === 'GET' && action === 'state') return sendJson(res, 200, state());
    if (req.method === 'POST' && action === 'fail') {
      const body = (await readJson(req)) as Partial<FailurePlan> & { count?: number };
      if (!['429', '500', '503', 'hang'].includes(String(body.mode))) {
        return sendJson(res, 400, { error: 'mode must be one of 429, 500, 503, hang' });
      }
      failure = {
        mode: String(body.mode) as FailureMode,
        remaining: typeof body.count === 'number' ? body.count : Infinity,
        scope: body.scope ?? 'all',
        ...(body.retryAfterS !== undefined ? { retryAfterS: body.retryAfterS } : {}),
      };
      return sendJson(res, 200, { failure: { ...failure, remaining: String(failure.remaining) } });
    }
    if (req.method === 'POST' && action === 'heal') {
      failure = null;
      for (const r of hanging) if (!r.writableEnded) restError(r, 503, 'outage ended');
      hanging.clear();
      return sendJson(res, 200, { failure: null });
    }
    if (req.method === 'POST' && action === 'config') {
      const body = (await readJson(req)) as { ackTimeoutMs?: number };
      if (typeof body.ackTimeoutMs === 'number') ackTimeoutMs = body.ackTimeoutMs;
      return sendJson(res, 200, { ackTimeoutMs });
    }
    if (req.method === 'POST' && action === 'reset') {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      incidents.clear();
      events.length = 0;
      failure = null;
      return sendJson(res, 200, { reset: true });
    }
    sendJson(res, 404, { error: `no emulator hook ${req.method ?? ''} ${action}` });
  }

  /** Applies an injected failure to this call; true when the call has been answered (or left hanging). */
  function injected(res: ServerResponse, scope: 'events' | 'rest'): boolean {
    if (!failure || failure.remaining <= 0 || (failure.scope !== 'all' && failure.scope !== scope)) return false;
    failure.remaining -= 1;
    calls.failed += 1;
    const plan = failure;
    if (failure.remaining <= 0) failure = null;
    if (plan.mode === 'hang') {
      hanging.add(res);
      return true;
    }
    const status = Number(plan.mode);
    const headers: Record<string, string> =
      plan.retryAfterS !== undefined ? { 'Retry-After': String(plan.retryAfterS) } : {};
    sendJson(
      res,
      status,
      status === 429
        ? { status: 'throttle event', message: 'Requests for this service are arriving too quickly.' }
        : { error: { message: `emulated ${status}`, code: 5000 } },
      headers,
    );
    return true;
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const work = async (): Promise<void> => {
      if (url.pathname.startsWith('/_emulator/')) return await hooks(req, res, url);
      if (url.pathname === '/v2/enqueue' && req.method === 'POST') {
        calls.events += 1;
        if (injected(res, 'events')) return;
        const body = (await readJson(req)) as Record<string, unknown>;
        const answer = enqueue(body);
        return sendJson(res, answer.status, answer.body);
      }
      calls.rest += 1;
      if (injected(res, 'rest')) return;
      await rest(req, res, url);
    };
    work().catch((err: unknown) => {
      if (!res.headersSent)
        sendJson(res, 400, { error: { message: err instanceof Error ? err.message : String(err) } });
    });
  };

  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    days: 30,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  } as Parameters<typeof generate>[1]);
  const eventsServer = outlastClientKeepAlive(https.createServer({ key: pems.private, cert: pems.cert }, handler));
  const restServer = outlastClientKeepAlive(http.createServer(handler));
  const eventsPort = await listen(eventsServer, host, options.eventsPort ?? 0);
  const restPort = await listen(restServer, host, options.restPort ?? 0);

  return {
    eventsServer: `${host}:${eventsPort}`,
    eventsUrl: `https://${host}:${eventsPort}/v2/enqueue`,
    restUrl: `http://${host}:${restPort}`,
    caPem: pems.cert,
    state,
    async stop() {
      for (const t of timers.values()) clearTimeout(t);
      for (const r of hanging) r.destroy();
      await Promise.all([close(eventsServer as unknown as http.Server), close(restServer)]);
    },
  };
}
