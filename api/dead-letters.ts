// Dead letters for operators: listed from Temporal visibility (the memo says what and why), read from their entity
// workflow (its query while pending, its result once closed), and replayed through the same validation and
// submission as POST /v1/events before the entity is marked replayed.
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowExecutionInfo,
  type WorkflowHandle,
} from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { checkEvent, type EventCheck } from '../core/config/event-validation';
import {
  deadLetterReasons,
  deadLetterWorkflowId,
  isSensorRoutePosition,
  type DeadLetterEntry,
  type DeadLetterMemo,
  type DeadLetterReason,
  type DeadLetterReplay,
  type DeadLetterState,
  type SensorRoutePosition,
} from '../contracts/dead-letter';
import { deadLetterPayloadText, eventFromStoredPayload } from '../ingest/bridge/model/dead-letter-replay';
import { deadLetterQuery, markReplayedUpdate } from '../contracts/dead-letter';
import { callTemporal, within, type ApiDependencies } from './dependencies';
import { ConflictError, InvalidRequestError, StillInvalidError } from './errors';
import type { ApiMetrics } from './metrics';
import { edgeProblem, intakeSensorPayload } from './sensor-intake';
import { submitEvent } from './submission';
import type {
  DeadLetterDetail,
  DeadLetterReplayReceipt,
  DeadLetterReplayRequest,
  DeadLetterSummary,
  SubmissionReceipt,
} from './types';

export const deadLetterStatusFilters = ['pending', 'replayed', 'expired', 'all'] as const;
export type DeadLetterStatusFilter = (typeof deadLetterStatusFilters)[number];

export interface DeadLetterFilter {
  reason?: DeadLetterReason;
  /** Default pending: what still needs an operator. */
  status: DeadLetterStatusFilter;
  limit: number;
}

export const maxDeadLetterListLimit = 500;

/** The filter of GET /v1/deadletters from its query string; a bad value is a 400 naming the parameter. */
export function parseDeadLetterFilter(query: URLSearchParams): DeadLetterFilter {
  const reason = query.get('reason')?.trim() || undefined;
  if (reason !== undefined && !(deadLetterReasons as readonly string[]).includes(reason)) {
    throw new InvalidRequestError('reason', `expected one of ${deadLetterReasons.join(', ')}`);
  }
  const status = query.get('status')?.trim() || 'pending';
  if (!(deadLetterStatusFilters as readonly string[]).includes(status)) {
    throw new InvalidRequestError('status', `expected one of ${deadLetterStatusFilters.join(', ')}`);
  }
  const limitText = query.get('limit')?.trim() || '50';
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxDeadLetterListLimit) {
    throw new InvalidRequestError('limit', `expected an integer from 1 to ${maxDeadLetterListLimit}`);
  }
  return {
    ...(reason ? { reason: reason as DeadLetterReason } : {}),
    status: status as DeadLetterStatusFilter,
    limit,
  };
}

/**
 * The visibility query for a status. Pending is running; replayed and expired are both closed (which one is in the
 * workflow's result), so they share one query and are told apart per entry.
 */
export function deadLetterVisibilityQuery(status: DeadLetterStatusFilter): string {
  const base = `WorkflowType='deadLetter'`;
  if (status === 'pending') return `${base} AND ExecutionStatus='Running'`;
  if (status === 'all') return base;
  return `${base} AND ExecutionStatus!='Running'`;
}

/** Dead-letter ids are `<stream>.<shard id>.<sequence number>` or `sensor:<sensor>:<hash>`. */
export function checkDeadLetterId(id: string): string {
  if (!/^[\w.:-]{1,512}$/.test(id)) {
    throw new InvalidRequestError('id', 'expected <stream>.<shard id>.<sequence> or sensor:<sensor>:<hash>');
  }
  return id;
}

const queryTimeoutMs = 5000;
/** How many closed entries' results are read at once while listing. */
const resultConcurrency = 10;

function idOf(workflowId: string): string {
  return workflowId.replace(/^deadletter\//, '');
}

/** The arguments the entity was started with: the entry, for an entity closed other than by its own return. */
async function startedEntry(handle: WorkflowHandle): Promise<DeadLetterEntry> {
  const history = await handle.fetchHistory();
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  return defaultPayloadConverter.fromPayload<DeadLetterEntry>(payloads[0]);
}

/** The entity's state: its query while it runs, its result once completed; otherwise (terminated, ...) expired. */
async function stateOf(
  deps: ApiDependencies,
  handle: WorkflowHandle,
  workflowStatus: string,
): Promise<DeadLetterState> {
  if (workflowStatus === 'RUNNING')
    return await within(deps.temporal, queryTimeoutMs, () => handle.query(deadLetterQuery));
  // The result comes from the close event of history: no worker needed.
  if (workflowStatus === 'COMPLETED') return (await handle.result()) as DeadLetterState;
  return { entry: await startedEntry(handle), status: 'expired' };
}

function summarize(info: WorkflowExecutionInfo, closed?: DeadLetterState): DeadLetterSummary {
  const memo = (info.memo ?? {}) as Partial<DeadLetterMemo>;
  const entry = closed?.entry;
  const sensor = entry && isSensorRoutePosition(entry.source) ? entry.source : undefined;
  const stream = entry && !isSensorRoutePosition(entry.source) ? entry.source : undefined;
  const summary: DeadLetterSummary = {
    id: idOf(info.workflowId),
    workflow_id: info.workflowId,
    status: info.status.name === 'RUNNING' ? 'pending' : (closed?.status ?? 'expired'),
    workflow_status: info.status.name,
  };
  const fields: Partial<DeadLetterSummary> = {
    reason: memo.reason ?? entry?.reason,
    detail: memo.detail ?? entry?.detail,
    stream: memo.stream ?? stream?.stream,
    shard_id: memo.shard_id ?? stream?.shard_id,
    sequence_number: memo.sequence_number ?? stream?.sequence_number,
    route: memo.route ?? sensor?.route,
    size_bytes: memo.size_bytes ?? entry?.size_bytes,
    dead_lettered_at: memo.dead_lettered_at ?? entry?.dead_lettered_at ?? info.startTime.toISOString(),
    closed_at: info.closeTime?.toISOString(),
    replay: closed?.replay,
  };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) (summary as unknown as Record<string, unknown>)[key] = value;
  }
  return summary;
}

/** Dead letters matching the filter, newest first. */
export async function listDeadLetters(deps: ApiDependencies, filter: DeadLetterFilter): Promise<DeadLetterSummary[]> {
  const query = deadLetterVisibilityQuery(filter.status);
  return await callTemporal(
    'dead letters',
    async () => {
      const found: DeadLetterSummary[] = [];
      let batch: WorkflowExecutionInfo[] = [];
      // Closed entries need their result to tell replayed from expired: read a batch at a time, in parallel.
      const flush = async (): Promise<void> => {
        const summaries = await Promise.all(
          batch.map(async (info) =>
            info.status.name === 'RUNNING'
              ? summarize(info)
              : summarize(
                  info,
                  await stateOf(deps, deps.temporal.workflow.getHandle(info.workflowId), info.status.name),
                ),
          ),
        );
        batch = [];
        for (const summary of summaries) {
          if (found.length < filter.limit && (filter.status === 'all' || summary.status === filter.status)) {
            found.push(summary);
          }
        }
      };
      for await (const info of deps.temporal.workflow.list({ query, pageSize: 100 })) {
        const reason = (info.memo as Partial<DeadLetterMemo> | undefined)?.reason;
        if (filter.reason && reason !== filter.reason) continue;
        batch.push(info);
        if (batch.length >= resultConcurrency) await flush();
        if (found.length >= filter.limit) break;
      }
      await flush();
      return found.sort((a, b) => (b.dead_lettered_at ?? '').localeCompare(a.dead_lettered_at ?? ''));
    },
    deps.temporal,
  );
}

/** One dead letter with its payload (base64, and as text when it is text), status and replay. */
export async function showDeadLetter(deps: ApiDependencies, id: string): Promise<DeadLetterDetail> {
  const workflowId = deadLetterWorkflowId(checkDeadLetterId(id));
  return await callTemporal(
    `dead letter ${id}`,
    async () => {
      const handle = deps.temporal.workflow.getHandle(workflowId);
      const info = await handle.describe();
      const state = await stateOf(deps, handle, info.status.name);
      const text = deadLetterPayloadText(state.entry.payload_base64);
      return {
        ...state.entry,
        workflow_id: workflowId,
        status: state.status,
        workflow_status: info.status.name,
        ...(text !== undefined ? { payload_text: text } : {}),
        ...(info.closeTime ? { closed_at: info.closeTime.toISOString() } : {}),
        ...(state.replay ? { replay: state.replay } : {}),
      };
    },
    deps.temporal,
  );
}

/** The body of POST /v1/deadletters/{id}/replay: nothing, or `{ payload: <corrected event> }`. */
export function parseReplayRequest(body: unknown): { corrected?: unknown } {
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidRequestError('<body>', 'expected an object { payload? }');
  }
  const unknown = Object.keys(body).filter((key) => key !== 'payload');
  if (unknown.length) throw new InvalidRequestError(unknown[0], 'unknown field; the body is { payload? }');
  const request: DeadLetterReplayRequest = body;
  return 'payload' in request ? { corrected: request.payload } : {};
}

/** A vendor payload's dead letter replayed: mapped again; still unusable or now ignored is 422 naming why. */
async function replaySensorPayload(
  deps: ApiDependencies,
  metrics: ApiMetrics,
  source: SensorRoutePosition,
  payloadBase64: string,
): Promise<SubmissionReceipt[]> {
  const outcome = await intakeSensorPayload(deps, {
    sensor: source.sensor,
    body: Buffer.from(payloadBase64, 'base64'),
    ...(source.content_type ? { contentType: source.content_type } : {}),
    query: source.query ?? '',
    ...(source.token_id ? { tokenId: source.token_id } : {}),
    receivedAt: source.received_at,
  });
  if (outcome.kind === 'unusable') throw new StillInvalidError(outcome.field, `${outcome.reason}: ${outcome.problem}`);
  if (outcome.kind !== 'events') {
    throw new StillInvalidError('<payload>', `maps to no event now: ${outcome.reason}`);
  }
  const problem = edgeProblem(outcome.events, deps, Date.now());
  if (problem) throw new StillInvalidError(problem.field, problem.problem);
  const receipts: SubmissionReceipt[] = [];
  for (const event of outcome.events) receipts.push(await submitEvent(event, deps, metrics));
  return receipts;
}

/**
 * Replay a pending dead letter: its stored payload, or the corrected one, checked as POST /v1/events checks a body
 * (still invalid: 422, the entry stays pending), submitted as POST /v1/events submits, then marked replayed.
 * Submitting first means a crash in between leaves the entry pending with its remediation started; a second replay
 * then finds that remediation already started (same incident key) and marks the entry.
 */
export async function replayDeadLetter(
  deps: ApiDependencies,
  metrics: ApiMetrics,
  input: { id: string; corrected?: unknown; actor: string; maxPayloadBytes: number },
): Promise<DeadLetterReplayReceipt> {
  const current = await showDeadLetter(deps, input.id);
  if (current.status !== 'pending') {
    throw new ConflictError(`dead letter ${input.id} is ${current.status}, not pending: it cannot be replayed`);
  }
  const corrected = input.corrected !== undefined;
  let receipts: SubmissionReceipt[];
  if (!corrected && isSensorRoutePosition(current.source)) {
    // A vendor payload: through its adapter again, with today's mapping and EC2 facts and the defaults it came with.
    receipts = await replaySensorPayload(deps, metrics, current.source, current.payload_base64);
  } else {
    // checked as POST /v1/events checks a body: the same future skew and declared regions
    const edge = {
      ...(deps.maxFutureSkewMs === undefined ? {} : { maxFutureSkewMs: deps.maxFutureSkewMs }),
      ...(deps.declaredRegions ? { declaredRegions: deps.declaredRegions } : {}),
    };
    const checked: EventCheck = corrected
      ? checkEvent(input.corrected, edge)
      : eventFromStoredPayload(current.payload_base64, input.maxPayloadBytes, edge);
    if (!checked.ok) throw new StillInvalidError(checked.field, checked.problem);
    receipts = [await submitEvent(checked.event, deps, metrics)];
  }
  const [receipt] = receipts;
  const replay: DeadLetterReplay = {
    actor: input.actor,
    at: new Date().toISOString(),
    incident_key: receipt.incident_key,
    workflow_id: receipt.workflow_id,
    corrected,
  };
  const state = await callTemporal(
    `dead letter ${input.id}`,
    async () => {
      try {
        return await deps.temporal.workflow.getHandle(current.workflow_id).executeUpdate(markReplayedUpdate, {
          args: [replay],
        });
      } catch (error) {
        // Refused by the entity (replayed by someone else meanwhile), or closed since it was read (expired).
        if (error instanceof WorkflowUpdateFailedError || error instanceof WorkflowNotFoundError) {
          throw new ConflictError(`dead letter ${input.id} is no longer pending: it cannot be replayed`);
        }
        throw error;
      }
    },
    deps.temporal,
  );
  metrics.deadLettersReplayed.inc({ corrected: String(corrected) });
  return {
    ...receipt,
    dead_letter: { id: input.id, status: state.status, replay },
    ...(receipts.length > 1 ? { events: receipts } : {}),
  };
}
