// A stream record the bridge could not turn into an event: kept with its reason and raw payload so an operator can
// inspect it and replay it, and so it never blocks its shard. The dead-letter entity workflow, the bridge that records
// one and the API that replays one all speak through these types, ids and messages.
import { defineQuery, defineUpdate } from '@temporalio/workflow';

/**
 * `rejected`: Temporal refused to start its remediation as invalid (not a transient failure). `unknown_region`: a
 * well-formed event naming a region services/deployment.yaml does not declare.
 */
export const deadLetterReasons = ['malformed_json', 'schema', 'oversize', 'rejected', 'unknown_region'] as const;
export type DeadLetterReason = (typeof deadLetterReasons)[number];

/** Where a dead-lettered record came from on the stream. */
export interface StreamPosition {
  stream: string;
  shard_id: string;
  sequence_number: string;
  partition_key: string;
  /** ISO 8601: when Kinesis accepted the record. */
  arrived_at?: string;
}

export interface DeadLetterEntry {
  /** `<stream>.<shard id>.<sequence number>`: the same record dead-lettered twice (a re-read after a crash) is one entry. */
  id: string;
  reason: DeadLetterReason;
  /** What is wrong, naming the place ("not JSON at byte 17", "/host: must match pattern ..."). */
  detail: string;
  source: StreamPosition;
  /** The record's bytes exactly as read, base64. */
  payload_base64: string;
  size_bytes: number;
  /** ISO 8601: when the bridge dead-lettered it. */
  dead_lettered_at: string;
}

export type DeadLetterStatus = 'pending' | 'replayed' | 'expired';

export interface DeadLetterReplay {
  actor: string;
  /** ISO 8601. */
  at: string;
  incident_key: string;
  workflow_id: string;
  /** True when the operator replayed a corrected payload instead of the stored one. */
  corrected: boolean;
}

export interface DeadLetterState {
  entry: DeadLetterEntry;
  status: DeadLetterStatus;
  replay?: DeadLetterReplay;
}

export function deadLetterId(position: Pick<StreamPosition, 'stream' | 'shard_id' | 'sequence_number'>): string {
  return `${position.stream}.${position.shard_id}.${position.sequence_number}`;
}

/** Workflow id of a dead letter's entity. */
export function deadLetterWorkflowId(id: string): string {
  return `deadletter/${id}`;
}

/** Memo on the dead-letter workflow, so a visibility listing shows what and why without querying each one. */
export interface DeadLetterMemo {
  reason: DeadLetterReason;
  detail: string;
  stream: string;
  shard_id: string;
  sequence_number: string;
  size_bytes: number;
  dead_lettered_at: string;
}

export function deadLetterMemo(entry: DeadLetterEntry): DeadLetterMemo {
  return {
    reason: entry.reason,
    detail: entry.detail.slice(0, 500),
    stream: entry.source.stream,
    shard_id: entry.source.shard_id,
    sequence_number: entry.source.sequence_number,
    size_bytes: entry.size_bytes,
    dead_lettered_at: entry.dead_lettered_at,
  };
}

export const deadLetterQuery = defineQuery<DeadLetterState>('deadLetter');
/** Marks the entry replayed (the caller has already resubmitted the event); refused unless still pending. */
export const markReplayedUpdate = defineUpdate<DeadLetterState, [DeadLetterReplay]>('markReplayed');
