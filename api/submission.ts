// Getting an event in: validate it, then put it on the Kinesis stream (partition key: service; requests arriving
// together share one PutRecords call, kinesis-batches.ts), or, when no stream is configured, start its remediation
// directly (workflow id event/<incident_key>; already started = duplicate).
import { checkEvent } from '../core/config/event-validation';
import { type LazarusEvent } from '../core/event';
import { startRemediation } from '../ingest/remediation-start';
import { callTemporal, type ApiDependencies } from './dependencies';
import { kinesisBatchesFor } from './kinesis-batches';
import { DependencyUnavailableError, InvalidRequestError } from './errors';
import type { ApiMetrics } from './metrics';
import type { SubmissionReceipt } from './types';
import { remediationWorkflowId } from '../contracts/workflow-ids';

/**
 * Validate a submitted body; a failure is a 400 naming the first field at fault (all are listed in the message):
 * schema, details size, an incident key that makes a valid workflow id, occurred_at at most the skew ahead of `now`,
 * and (when the API knows them, `declaredRegions`) a region services/deployment.yaml declares. `maxFutureSkewMs`:
 * LAZARUS_EVENT_MAX_FUTURE_SKEW_MS as the API read it at start (api/config.ts); default 5 min.
 */
export function requireValidEvent(
  json: unknown,
  metrics: ApiMetrics,
  now: number = Date.now(),
  declaredRegions?: readonly string[],
  maxFutureSkewMs?: number,
): LazarusEvent {
  const checked = checkEvent(json, {
    now,
    ...(maxFutureSkewMs === undefined ? {} : { maxFutureSkewMs }),
    ...(declaredRegions ? { declaredRegions } : {}),
  });
  if (checked.ok) return checked.event;
  metrics.eventsRejected.inc({ reason: checked.field === 'region' ? 'unknown_region' : 'schema' });
  throw new InvalidRequestError(checked.field, checked.problem);
}

export async function submitEvent(
  event: LazarusEvent,
  deps: ApiDependencies,
  metrics: ApiMetrics,
): Promise<SubmissionReceipt> {
  metrics.eventsReceived.inc({ source: event.source });
  const workflowId = remediationWorkflowId(event.incident_key);
  if (deps.kinesis) {
    const { client, streamName } = deps.kinesis;
    try {
      const put = await kinesisBatchesFor(client, streamName).put(
        event.service,
        Buffer.from(JSON.stringify(event), 'utf8'),
      );
      metrics.recordsPut.inc();
      return { incident_key: event.incident_key, sequence_number: put.sequenceNumber ?? null, workflow_id: workflowId };
    } catch (error) {
      throw new DependencyUnavailableError('kinesis', `stream ${streamName}: ${(error as Error).message}`);
    }
  }
  const { duplicate } = await callTemporal(
    workflowId,
    () => startRemediation(deps.temporal, deps.taskQueue, event),
    deps.temporal,
  );
  if (duplicate) metrics.duplicates.inc();
  else metrics.workflowsStarted.inc();
  return { incident_key: event.incident_key, sequence_number: null, workflow_id: workflowId, duplicate };
}
