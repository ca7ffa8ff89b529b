// The Kinesis bridge's domain: its settings, the shards of a stream and which of them may be read now. Pure, so the
// bridge workflows can use it and unit tests run in milliseconds.

/** Where a shard with no checkpoint starts: its oldest retained record, or only what arrives from now on. */
export type ShardStart = 'trim_horizon' | 'latest';

export interface BridgeSettings {
  /** Task queue of the bridge's workflows and shard readers (every bridge process polls it). */
  task_queue: string;
  /** Task queue the remediations (and dead letters) start on. */
  remediation_task_queue: string;
  /** A shard reader that has not heartbeated for this long has lost its shard to another bridge process. */
  heartbeat_timeout_ms: number;
  /** How long one reader attempt runs before it hands its checkpoint to its workflow (which then starts the next). */
  lease_ms: number;
  /** Wait after a read that returned nothing. */
  idle_poll_ms: number;
  /** Least time between two GetRecords calls on one shard: Kinesis allows 5 per second per shard. */
  min_read_interval_ms: number;
  /** Records asked for per GetRecords call. */
  batch_limit: number;
  /** Records of a batch whose starts are in flight at once; the checkpoint moves past a window once all are done. */
  start_concurrency: number;
  /** A record larger than this is dead-lettered, not started. */
  max_record_bytes: number;
  /** How often the stream's shard list is read to find new shards (resharding) and finished ones. */
  discovery_interval_ms: number;
  /** Where a shard with no checkpoint and no parent starts. Children of a reshard always start at their beginning. */
  start_at: ShardStart;
  /** Longest wait between retries when Temporal does not answer (the record is retried, never skipped). */
  max_retry_backoff_ms: number;
}

export const defaultBridgeSettings: Omit<BridgeSettings, 'remediation_task_queue'> = {
  task_queue: 'lazarus-bridge',
  heartbeat_timeout_ms: 10_000,
  lease_ms: 5 * 60_000,
  idle_poll_ms: 1000,
  min_read_interval_ms: 200,
  batch_limit: 500,
  start_concurrency: 8,
  max_record_bytes: 64 * 1024,
  discovery_interval_ms: 10_000,
  start_at: 'trim_horizon',
  max_retry_backoff_ms: 5000,
};

/** Read a shard's settings from LAZARUS_BRIDGE_* variables; a bad value names its variable. */
export function readBridgeSettings(
  env: Readonly<Record<string, string | undefined>>,
  remediationTaskQueue: string,
): BridgeSettings {
  const number = (name: string, fallback: number, min: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`${name}: "${raw}" is not an integer >= ${min}`);
    return value;
  };
  const startAt = env.LAZARUS_BRIDGE_START_AT?.trim() || defaultBridgeSettings.start_at;
  if (startAt !== 'trim_horizon' && startAt !== 'latest') {
    throw new Error(`LAZARUS_BRIDGE_START_AT: "${startAt}" is neither trim_horizon nor latest`);
  }
  const d = defaultBridgeSettings;
  return {
    task_queue: env.LAZARUS_BRIDGE_TASK_QUEUE?.trim() || d.task_queue,
    remediation_task_queue: remediationTaskQueue,
    heartbeat_timeout_ms: number('LAZARUS_BRIDGE_HEARTBEAT_TIMEOUT_MS', d.heartbeat_timeout_ms, 500),
    lease_ms: number('LAZARUS_BRIDGE_LEASE_MS', d.lease_ms, 1000),
    idle_poll_ms: number('LAZARUS_BRIDGE_IDLE_POLL_MS', d.idle_poll_ms, 200),
    // Kinesis's own limit (5 reads per second per shard) is the floor.
    min_read_interval_ms: number('LAZARUS_BRIDGE_MIN_READ_INTERVAL_MS', d.min_read_interval_ms, 200),
    batch_limit: Math.min(10_000, number('LAZARUS_BRIDGE_BATCH_LIMIT', d.batch_limit, 1)),
    start_concurrency: number('LAZARUS_BRIDGE_START_CONCURRENCY', d.start_concurrency, 1),
    max_record_bytes: number('LAZARUS_BRIDGE_MAX_RECORD_BYTES', d.max_record_bytes, 256),
    discovery_interval_ms: number('LAZARUS_BRIDGE_DISCOVERY_INTERVAL_MS', d.discovery_interval_ms, 100),
    start_at: startAt,
    max_retry_backoff_ms: number('LAZARUS_BRIDGE_MAX_RETRY_BACKOFF_MS', d.max_retry_backoff_ms, 100),
  };
}

export interface StreamShard {
  shard_id: string;
  /** The shard(s) this one was split or merged from. */
  parent_shard_ids: string[];
  /** Closed by a reshard: it takes no new records and ends at this sequence number. */
  ending_sequence_number?: string;
}

/** Workflow id of the bridge of a stream. */
export function bridgeWorkflowId(stream: string): string {
  return `bridge/${stream}`;
}

/**
 * Workflow id of the reader of one shard. A stream deleted and created again under the same name is a new stream
 * (its shard ids and, on emulators, its sequence numbers start over), so its generation, the stream's creation time
 * in epoch ms, is part of the id: old checkpoints never apply to the new stream.
 */
export function shardReaderWorkflowId(stream: string, generation: string, shardId: string): string {
  return `bridge/${stream}@${generation}/shard/${shardId}`;
}

/**
 * Shards to read now: not finished, and every parent finished (or gone from the stream after its retention), so a
 * parent is read to its end before its children and an incident's records stay in order across a reshard.
 */
export function shardsReadyToRead(shards: readonly StreamShard[], finished: ReadonlySet<string>): StreamShard[] {
  const listed = new Set(shards.map((s) => s.shard_id));
  return shards.filter(
    (shard) =>
      !finished.has(shard.shard_id) &&
      shard.parent_shard_ids.every((parent) => finished.has(parent) || !listed.has(parent)),
  );
}

/** Kinesis sequence numbers are decimal strings up to 128 bits: compare them as numbers. */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** What one reader attempt hands back to its workflow (and heartbeats while it runs). */
export interface ShardProgress {
  /** Sequence number of the last record whose remediation (or dead letter) is confirmed started. */
  checkpoint?: string;
  records: number;
  started: number;
  duplicates: number;
  dead_letters: number;
  /** Ingest lag: age of the last record when its start was confirmed (0 once caught up), ms. */
  lag_ms: number;
  /** The bridge process that read it. */
  owner?: string;
}

export interface ShardReadResult extends ShardProgress {
  /** The shard is closed and read to its end (its children may be read), or its stream is gone or replaced. */
  shard_ended: boolean;
  /** The stream was deleted, or replaced by a new one of the same name: nothing more to read here. */
  stream_gone?: boolean;
}

export interface ShardReaderInput {
  stream: string;
  /** The stream's creation time, epoch ms (see shardReaderWorkflowId). */
  generation: string;
  shard_id: string;
  /** Where to start when there is no checkpoint. */
  start_at: ShardStart;
  checkpoint?: string;
  settings: BridgeSettings;
  /** Totals of earlier runs (continue-as-new). */
  totals?: Omit<ShardProgress, 'checkpoint' | 'lag_ms' | 'owner'>;
}

export interface StreamBridgeInput {
  stream: string;
  settings: BridgeSettings;
  /** The generation `finished` belongs to. */
  generation?: string;
  /** Shards read to their end (carried over continue-as-new). */
  finished?: string[];
}

export interface ReconcileResult {
  /** The stream's generation now (a new one starts with nothing finished). */
  generation: string;
  /** Finished shards still listed by the stream. */
  finished: string[];
  /** Readers started by this pass. */
  started: string[];
  /** Shards being read. */
  reading: string[];
  /** Shards waiting for a parent to finish. */
  waiting: string[];
}

export interface ReconcileInput {
  stream: string;
  settings: BridgeSettings;
  finished: string[];
  /** The generation `finished` belongs to. */
  generation?: string;
}

/** The bridge's activities (ingest/bridge), as its workflows see them. */
export interface BridgeActivities {
  /** List the stream's shards, learn which readers finished, start the readers of shards now ready. */
  reconcileShards(input: ReconcileInput): Promise<ReconcileResult>;
  /** Own one shard and read it until the lease ends, the shard ends, or this process stops. */
  readShard(input: ShardReaderInput): Promise<ShardReadResult>;
}
