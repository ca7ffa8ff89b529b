// A stream record the bridge could not turn into an event, or a vendor payload the API's sensor routes could not turn
// into one: kept with its reason and raw payload so an operator can inspect it and replay it, and so it never blocks
// its shard nor is lost to a vendor that drops 4xx answers. The dead-letter entity workflow, the bridge and the API
// that record one and the API that replays one all speak through these types, ids and messages.
import { defineQuery, defineUpdate } from '@temporalio/workflow';

/**
 * `rejected`: Temporal refused to start its remediation as invalid (not a transient failure). `unknown_region`: a
 * well-formed event naming a region services/deployment.yaml does not declare.
 */
export const streamDeadLetterReasons = ['malformed_json', 'schema', 'oversize', 'rejected', 'unknown_region'] as const;

/**
 * Why a vendor payload (POST /v1/sensors/*) could not be used. `unknown_shape`: not a payload of the route's vendor
 * (or not JSON / form data). `missing_field`, `invalid_field`: the vendor's shape, but a field it needs is absent or
 * unusable. `unmapped_host`: the host name resolves to no EC2 instance. `lookup_failed`: EC2 could not be asked.
 * `bad_signature`: an SNS message whose signature does not verify. `unknown_region`, `schema`: as for the stream.
 */
export const sensorDeadLetterReasons = [
  'unknown_shape',
  'missing_field',
  'invalid_field',
  'unmapped_host',
  'lookup_failed',
  'bad_signature',
] as const;
export type SensorDeadLetterReason = (typeof sensorDeadLetterReasons)[number] | 'unknown_region' | 'schema';

export const deadLetterReasons = [...streamDeadLetterReasons, ...sensorDeadLetterReasons] as const;
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

/** Where a dead-lettered vendor payload came from: the API route it was posted to, and what the route knew. */
export interface SensorRoutePosition {
  /** `POST /v1/sensors/<sensor>`. */
  route: string;
  sensor: 'nagios' | 'datadog' | 'aws';
  content_type?: string;
  /** The request's query string (the documented per-webhook defaults), without the leading `?`. */
  query?: string;
  /** The sensor token's id (first 8 hex digits of its hash): its defaults in services/sensors.yaml apply on replay. */
  token_id?: string;
  /** The payload field at fault, when one is. */
  field?: string;
  /** ISO 8601: when the API received it. */
  received_at: string;
}

export function isSensorRoutePosition(source: StreamPosition | SensorRoutePosition): source is SensorRoutePosition {
  return 'route' in source;
}

export interface DeadLetterEntry {
  /**
   * `<stream>.<shard id>.<sequence number>` for a stream record: the same record dead-lettered twice (a re-read after
   * a crash) is one entry. `sensor:<sensor>:<hash>` for a vendor payload: the hash of the route, query, token and
   * bytes, so a vendor's redelivery is one entry too.
   */
  id: string;
  reason: DeadLetterReason;
  /** What is wrong, naming the place ("not JSON at byte 17", "/host: must match pattern ..."). */
  detail: string;
  source: StreamPosition | SensorRoutePosition;
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
  /** Stream records. */
  stream?: string;
  shard_id?: string;
  sequence_number?: string;
  /** Vendor payloads: the route they were posted to. */
  route?: string;
  size_bytes: number;
  dead_lettered_at: string;
}

export function deadLetterMemo(entry: DeadLetterEntry): DeadLetterMemo {
  const where = isSensorRoutePosition(entry.source)
    ? { route: entry.source.route }
    : { stream: entry.source.stream, shard_id: entry.source.shard_id, sequence_number: entry.source.sequence_number };
  return {
    reason: entry.reason,
    detail: entry.detail.slice(0, 500),
    ...where,
    size_bytes: entry.size_bytes,
    dead_lettered_at: entry.dead_lettered_at,
  };
}

/** The id of a vendor payload's dead letter, from the hash of what was posted where (the caller hashes). */
export function sensorDeadLetterId(sensor: SensorRoutePosition['sensor'], hashHex: string): string {
  return `sensor:${sensor}:${hashHex.slice(0, 32)}`;
}

export const deadLetterQuery = defineQuery<DeadLetterState>('deadLetter');
/** Marks the entry replayed (the caller has already resubmitted the event); refused unless still pending. */
export const markReplayedUpdate = defineUpdate<DeadLetterState, [DeadLetterReplay]>('markReplayed');
