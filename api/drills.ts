// Replay drills through the API: gathers the events (given in the request, the remediations of a time range read
// back from Temporal, or dead letters), what actually happened to each recorded one, and starts the drill workflow
// (workflows/drill.ts) on the main queue; its remediations run on the drill task queue with dry-run activities.
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type WorkflowExecutionInfo } from '@temporalio/client';
import { buildSnapshot, formatConfigIssue, validateEvent, type ConfigFileText } from '../core/config';
import {
  drillPreconditionModes,
  drillProgressQuery,
  maxDrillEvents,
  type DrillActual,
  type DrillEvent,
  type DrillInput,
  type DrillPreconditions,
  type DrillProgress,
  type DrillReport,
} from '../contracts/drill';
import { statusQuery } from '../contracts/messages';
import type { GateRecord, RemediationStatus } from '../contracts/trace';
import { drillTaskQueue, drillWorkflowId, remediationWorkflowId } from '../contracts/workflow-ids';
import { snapshotVersion } from '../platform/content-hash';
import { eventFromStoredPayload } from '../ingest/bridge/model/dead-letter-replay';
import { callTemporal, within, type ApiDependencies } from './dependencies';
import { showDeadLetter, listDeadLetters } from './dead-letters';
import { InvalidRequestError } from './errors';
import { visibilityQuery } from './remediations';

export interface DrillRequest {
  /** Events, each an event or { event, received_at? } (the JSONL lines of `lazarus drill replay FILE`). */
  events?: unknown[];
  /** The remediations started in [since, until] (ISO 8601), optionally of one region or service. */
  since?: string;
  until?: string;
  region?: string;
  service?: string;
  /** Dead letters to replay: their ids, or "pending" for every pending one. */
  dead_letters?: string[] | 'pending';
  /** A candidate configuration: the files of a folder (rules/, profiles/, services/); absent: the live one. */
  config?: { label?: string; files: ConfigFileText[] };
  speed?: number;
  preconditions?: DrillPreconditions;
  label?: string;
}

export interface DrillReceipt {
  drill_id: string;
  workflow_id: string;
  events: number;
  /** Inputs that could not become events, with why (nothing is dropped silently). */
  rejected: Array<{ source: string; field: string; problem: string }>;
}

export interface DrillView {
  drill_id: string;
  status: string;
  progress?: DrillProgress;
  report?: DrillReport;
}

/** How long one read of what actually happened may take (a status query of a closed remediation). */
const actualReadMs = 5000;

function parseRequest(body: unknown): DrillRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidRequestError(
      '<body>',
      'expected an object { events? | since+until | dead_letters, config?, speed? }',
    );
  }
  const request = body as DrillRequest;
  const known = [
    'events',
    'since',
    'until',
    'region',
    'service',
    'dead_letters',
    'config',
    'speed',
    'preconditions',
    'label',
  ];
  const unknownField = Object.keys(request).find((key) => !known.includes(key));
  if (unknownField) throw new InvalidRequestError(unknownField, `unknown field; expected ${known.join(', ')}`);
  const sources = [request.events !== undefined, request.since !== undefined, request.dead_letters !== undefined];
  if (sources.filter(Boolean).length !== 1) {
    throw new InvalidRequestError('events', 'give exactly one source: events, since (+ until) or dead_letters');
  }
  if (request.events !== undefined && !Array.isArray(request.events)) {
    throw new InvalidRequestError('events', 'expected an array of events');
  }
  if (
    request.speed !== undefined &&
    !(typeof request.speed === 'number' && request.speed > 0 && request.speed <= 3600)
  ) {
    throw new InvalidRequestError('speed', 'expected a number above 0 and at most 3600 (1 keeps the recorded timing)');
  }
  if (request.preconditions !== undefined && !drillPreconditionModes.includes(request.preconditions)) {
    throw new InvalidRequestError('preconditions', `expected one of ${drillPreconditionModes.join(', ')}`);
  }
  for (const field of ['since', 'until'] as const) {
    const value = request[field];
    if (value !== undefined && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) {
      throw new InvalidRequestError(field, 'expected an ISO 8601 time');
    }
  }
  if (request.config !== undefined) {
    if (!Array.isArray(request.config?.files))
      throw new InvalidRequestError('config.files', 'expected [{ path, text }]');
    const built = buildSnapshot(request.config.files, { hashContent: snapshotVersion });
    if (built.errors) {
      throw new InvalidRequestError(
        'config',
        `the candidate configuration is invalid: ${built.errors.map(formatConfigIssue).join('; ')}`,
      );
    }
  }
  return request;
}

/** The first gate that stopped a remediation, and the breaker its governor gate saw. */
function actualOf(
  workflowId: string,
  status: RemediationStatus | undefined,
  outcome?: string,
  endedAt?: Date,
): DrillActual {
  const gates: GateRecord[] = status?.gates ?? [];
  const stop =
    gates.find((g) => g.verdict === 'fail') ?? gates.find((g) => g.verdict === 'shadow' && g.gate === 'shadow');
  const breaker = (gates.find((g) => g.gate === 'governor')?.detail.breaker as { state?: string } | undefined)?.state;
  return {
    workflow_id: workflowId,
    ...((status?.outcome ?? outcome) ? { outcome: status?.outcome ?? outcome } : {}),
    ...(stop ? { stopped_at: stop.gate } : {}),
    ...(breaker === 'open' || breaker === 'closed' ? { breaker } : {}),
    ...(status?.rule ? { rule: status.rule } : {}),
    ...(endedAt ? { ended_at: endedAt.getTime() } : {}),
  };
}

async function readStatus(deps: ApiDependencies, workflowId: string): Promise<RemediationStatus | undefined> {
  try {
    return await within(deps.temporal, actualReadMs, () =>
      deps.temporal.workflow.getHandle(workflowId).query(statusQuery),
    );
  } catch {
    return undefined;
  }
}

/** What actually happened to a recorded event, if Lazarus remediated it (event/<key>); undefined otherwise. */
async function lookUpActual(deps: ApiDependencies, incidentKey: string): Promise<DrillActual | undefined> {
  const workflowId = remediationWorkflowId(incidentKey);
  try {
    const info = await deps.temporal.workflow.getHandle(workflowId).describe();
    const outcome = info.searchAttributes?.LazarusOutcome?.[0];
    return actualOf(
      workflowId,
      await readStatus(deps, workflowId),
      typeof outcome === 'string' ? outcome : undefined,
      info.closeTime,
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** The remediations started in a time range (optionally of a region or service), with what happened to each. */
export async function recordedEvents(
  deps: ApiDependencies,
  range: { since: string; until?: string; region?: string; service?: string },
  rejected: DrillReceipt['rejected'] = [],
): Promise<DrillEvent[]> {
  let query = visibilityQuery({ since: range.since, region: range.region, service: range.service });
  if (range.until) query += ` AND StartTime <= '${new Date(range.until).toISOString()}'`;
  return await callTemporal(
    'recorded remediations',
    async () => {
      const infos: WorkflowExecutionInfo[] = [];
      for await (const info of deps.temporal.workflow.list({ query, pageSize: 200 })) {
        if (!info.workflowId.startsWith('event/')) continue;
        infos.push(info);
        if (infos.length > maxDrillEvents) {
          throw new InvalidRequestError('since', `more than ${maxDrillEvents} remediations in the range: narrow it`);
        }
      }
      const events: DrillEvent[] = [];
      for (const info of infos) {
        const status = await readStatus(deps, info.workflowId);
        if (!status) {
          // a remediation whose trace cannot be read cannot be replayed: named in the receipt
          rejected.push({ source: info.workflowId, field: 'status', problem: 'its decision trace could not be read' });
          continue;
        }
        const outcome = info.searchAttributes?.LazarusOutcome?.[0];
        events.push({
          event: status.event,
          received_at: info.startTime.getTime(),
          actual: actualOf(info.workflowId, status, typeof outcome === 'string' ? outcome : undefined, info.closeTime),
        });
      }
      return events;
    },
    deps.temporal,
    60_000,
  );
}

function eventsFromRequest(items: unknown[], rejected: DrillReceipt['rejected']): DrillEvent[] {
  const events: DrillEvent[] = [];
  items.forEach((item, i) => {
    const wrapped = item !== null && typeof item === 'object' && 'event' in item;
    const candidate = wrapped ? item.event : item;
    const receivedText = wrapped ? (item as { received_at?: unknown }).received_at : undefined;
    const validation = validateEvent(candidate);
    if (!validation.ok) {
      const [first] = validation.errors;
      rejected.push({ source: `events[${i}]`, field: first?.path ?? '<root>', problem: first?.message ?? 'invalid' });
      return;
    }
    const receivedAt =
      typeof receivedText === 'string'
        ? Date.parse(receivedText)
        : typeof receivedText === 'number'
          ? receivedText
          : NaN;
    events.push({ event: validation.event, ...(Number.isNaN(receivedAt) ? {} : { received_at: receivedAt }) });
  });
  return events;
}

async function deadLetterEvents(
  deps: ApiDependencies,
  which: string[] | 'pending',
  rejected: DrillReceipt['rejected'],
  maxPayloadBytes: number,
): Promise<DrillEvent[]> {
  const ids =
    which === 'pending'
      ? (await listDeadLetters(deps, { status: 'pending', limit: maxDrillEvents })).map((entry) => entry.id)
      : which;
  const events: DrillEvent[] = [];
  for (const id of ids) {
    const letter = await showDeadLetter(deps, id);
    const checked = eventFromStoredPayload(letter.payload_base64, maxPayloadBytes);
    if (!checked.ok) {
      rejected.push({ source: `dead letter ${id}`, field: checked.field, problem: checked.problem });
      continue;
    }
    // a stream record's arrival, else when it was dead-lettered (a vendor payload of a sensor route has no stream
    // position; its payload is the vendor's, not an event, and is named in `rejected` above)
    const arrivedText = 'arrived_at' in letter.source ? letter.source.arrived_at : undefined;
    const arrived = Date.parse(arrivedText ?? letter.dead_lettered_at);
    events.push({ event: checked.event, ...(Number.isNaN(arrived) ? {} : { received_at: arrived }) });
  }
  return events;
}

/** POST /v1/drills: gathers the events and starts the drill; answers at once with its id. */
export async function startDrill(
  deps: ApiDependencies,
  body: unknown,
  actor: string,
  maxPayloadBytes = 1 << 20,
): Promise<DrillReceipt> {
  const request = parseRequest(body);
  const rejected: DrillReceipt['rejected'] = [];
  let events: DrillEvent[];
  if (request.since !== undefined) {
    events = await recordedEvents(
      deps,
      {
        since: request.since,
        ...(request.until ? { until: request.until } : {}),
        ...(request.region ? { region: request.region } : {}),
        ...(request.service ? { service: request.service } : {}),
      },
      rejected,
    );
  } else if (request.dead_letters !== undefined) {
    events = await deadLetterEvents(deps, request.dead_letters, rejected, maxPayloadBytes);
  } else {
    events = eventsFromRequest(request.events ?? [], rejected);
    // recorded production events: what actually happened, for the diff
    for (const item of events) {
      const actual = await callTemporal(
        'recorded remediation',
        () => lookUpActual(deps, item.event.incident_key),
        deps.temporal,
      );
      if (actual) item.actual = actual;
    }
  }
  if (events.length === 0) throw new InvalidRequestError('events', 'no event to replay');
  if (events.length > maxDrillEvents) {
    throw new InvalidRequestError('events', `a drill replays at most ${maxDrillEvents} events, got ${events.length}`);
  }
  const drillId = randomUUID().slice(0, 12);
  const input: DrillInput = {
    drill_id: drillId,
    task_queue: drillTaskQueue(deps.taskQueue),
    events,
    speed: request.speed ?? 1,
    preconditions: request.preconditions ?? 'pass',
    ...(request.config
      ? { candidate: { label: request.config.label ?? 'candidate', files: request.config.files } }
      : {}),
    actor,
    ...(request.label ? { label: request.label } : {}),
  };
  await callTemporal(
    'drill',
    () =>
      deps.temporal.workflow.start('drill', {
        workflowId: drillWorkflowId(drillId),
        taskQueue: deps.taskQueue,
        args: [input],
      }),
    deps.temporal,
  );
  return { drill_id: drillId, workflow_id: drillWorkflowId(drillId), events: events.length, rejected };
}

/** GET /v1/drills/{id}: progress while it runs, the report once done. */
export async function showDrill(deps: ApiDependencies, drillId: string): Promise<DrillView> {
  if (!/^[\w-]{1,64}$/.test(drillId)) throw new InvalidRequestError('drill_id', 'expected a drill id');
  return await callTemporal(
    `drill ${drillId}`,
    async () => {
      const handle = deps.temporal.workflow.getHandle<(input: DrillInput) => Promise<DrillReport>>(
        drillWorkflowId(drillId),
      );
      const info = await handle.describe();
      if (info.status.name === 'COMPLETED') {
        return { drill_id: drillId, status: info.status.name, report: await handle.result() };
      }
      if (info.status.name === 'RUNNING') {
        const progress = await within(deps.temporal, actualReadMs, () => handle.query(drillProgressQuery));
        return { drill_id: drillId, status: info.status.name, progress };
      }
      return { drill_id: drillId, status: info.status.name };
    },
    deps.temporal,
  );
}
