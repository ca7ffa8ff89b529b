// Reading one shard: the long-running, heartbeating activity that makes this process the shard's owner. Each record
// becomes a remediation start (or a dead letter); the checkpoint moves only once that start is confirmed and is
// heartbeated, so when this process dies Temporal's heartbeat timeout hands the shard, with its checkpoint, to the
// next bridge process, which re-reads at most the records after the last heartbeat (their starts are duplicates).
import {
  DescribeStreamSummaryCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
  type GetRecordsCommandOutput,
  type KinesisClient,
  type _Record,
} from '@aws-sdk/client-kinesis';
import { Context } from '@temporalio/activity';
import { isGrpcServiceError, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { BridgeSettings, ShardProgress, ShardReadResult, ShardReaderInput, StreamShard } from '../model/bridge';
import {
  closedShardReadToEnd,
  readerAttemptSettings,
  readWaitMs,
  startWindows,
  temporalRetryBackoffMs,
  type StartWindow,
} from '../model/shard-reading';
import { deadLetterId, type DeadLetterEntry, type DeadLetterReason } from '../../../contracts/dead-letter';
import type { LazarusEvent } from '../../../core/event';
import { startRemediation } from '../../remediation-start';
import { recordDeadLetter } from './dead-letters';
import type { BridgeMetrics } from './metrics';
import { decodeStreamRecord } from './record';

export interface ShardReaderDependencies {
  kinesis: KinesisClient;
  temporal: Client;
  metrics: BridgeMetrics;
  /** This process, as heartbeated with the checkpoint (who owns the shard). */
  identity: string;
  /**
   * This process's settings (LAZARUS_BRIDGE_*). A reader handles records with these, not with the settings in its
   * workflow's input, which were fixed by whichever bridge process (of whichever version) started the workflow.
   */
  settings: BridgeSettings;
  /** How long one Temporal call may take before it counts as "Temporal unavailable" and is retried. */
  temporalCallTimeoutMs?: number;
  /**
   * How far a record's occurred_at may be ahead of this process's clock (LAZARUS_EVENT_MAX_FUTURE_SKEW_MS, default
   * 5 minutes); a record further ahead is dead-lettered (reason schema), as POST /v1/events answers it 400.
   */
  maxFutureSkewMs?: number;
  /**
   * The regions Lazarus serves (services/deployment.yaml): a record naming another region is dead-lettered
   * (reason unknown_region), as POST /v1/events answers it 400. Unset: any region passes the edge (the workflow still
   * ends an undeclared region FAILED).
   */
  declaredRegions?: readonly string[];
}

/**
 * gRPC codes that mean Temporal is away, slow, overloaded or failing in itself, not that it refuses this record: a
 * call failing with one of these is retried until answered. Any other refusal (INVALID_ARGUMENT, FAILED_PRECONDITION,
 * NOT_FOUND, PERMISSION_DENIED, ..., or an error the client raised itself) dead-letters the record at once.
 */
const grpcUnavailability = new Set([
  1, // CANCELLED
  2, // UNKNOWN
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED
  10, // ABORTED
  13, // INTERNAL
  14, // UNAVAILABLE
  15, // DATA_LOSS
  16, // UNAUTHENTICATED (credentials expired or rotating: nothing to do with the record)
]);

/** This process is stopping or has lost the shard: the attempt ends and hands its checkpoint back. */
class ShardReaderStopped extends Error {
  override name = 'ShardReaderStopped';
}

/** How an attempt ends: the shard read to its end, its stream deleted or replaced, or the shard handed back. */
type AttemptEnd = 'shard_ended' | 'stream_gone' | 'handed_back';

/** One read: a batch to start, the end of the attempt, or a failure already waited out (read again). */
type Read =
  | { kind: 'batch'; batch: GetRecordsCommandOutput; records: _Record[] }
  | { kind: 'ended'; end: AttemptEnd }
  | { kind: 'failed' };

export function createShardReader(
  deps: ShardReaderDependencies,
): (input: ShardReaderInput) => Promise<ShardReadResult> {
  return async function readShard(input) {
    const run = new ShardReaderRun(deps, input, Context.current());
    deps.metrics.shardsOwned.inc({ stream: input.stream });
    try {
      run.heartbeat();
      if (!(await run.sameStream())) return run.result('stream_gone');
      while (run.leaseLeft()) {
        const read = await run.readBatch();
        if (read.kind === 'ended') return run.result(read.end);
        if (read.kind === 'failed') continue;
        for (const window of run.windowsOf(read.records)) {
          await run.startWindow(window);
          run.moveCheckpoint(window);
        }
        const end = await run.afterBatch(read.batch, read.records);
        if (end) return run.result(end);
      }
    } catch (error) {
      if (!(error instanceof ShardReaderStopped)) throw error;
    } finally {
      deps.metrics.shardsOwned.dec({ stream: input.stream });
    }
    // Lease over, or this process is stopping / lost the shard: hand the checkpoint back to the workflow.
    return run.result('handed_back');
  };
}

/**
 * One attempt at reading a shard, with its state in the open: the checkpoint and totals it heartbeats, the pacing of
 * its reads, its place in the shard, and what it knows of the shard's end. Its methods are the stages of the loop in
 * readShard; a method that finds this process stopping throws ShardReaderStopped, which ends the attempt.
 */
class ShardReaderRun {
  private readonly settings: BridgeSettings;
  private readonly labels: { stream: string; shard: string };
  private readonly leaseEnds: number;
  /** Checkpoint and totals of this attempt: heartbeated as they move, handed back at the end. */
  private readonly progress: ShardProgress;
  /** Where the next read starts; none after a failed read, then it starts again right after the checkpoint. */
  private iterator: string | undefined;
  /** When the last read was sent (pacing: Kinesis allows 5 reads per second per shard). */
  private lastReadAt = 0;
  /** Empty reads since the last record: a closed shard that keeps answering empty has been read. */
  private emptyReadsAtEnd = 0;
  /** The shard's ending sequence number once a reshard closed it, looked up now and then while it reads empty. */
  private endingSequence: string | undefined;
  private endingCheckedAt = 0;

  constructor(
    private readonly deps: ShardReaderDependencies,
    private readonly input: ShardReaderInput,
    private readonly ctx: Context,
  ) {
    this.settings = readerAttemptSettings(deps.settings, input.settings);
    const resumed = ctx.info.heartbeatDetails as ShardProgress | undefined;
    this.progress = {
      checkpoint: resumed?.checkpoint ?? input.checkpoint,
      records: 0,
      started: 0,
      duplicates: 0,
      dead_letters: 0,
      lag_ms: 0,
      owner: deps.identity,
    };
    this.labels = { stream: input.stream, shard: input.shard_id };
    this.leaseEnds = Date.now() + this.settings.lease_ms;
  }

  /** Whether to read on: the lease is not over and this process is neither stopping nor has lost the shard. */
  leaseLeft(): boolean {
    return Date.now() < this.leaseEnds && !this.stopped();
  }

  /** Tell Temporal this process still owns the shard, with the checkpoint, lag, totals and owner. */
  heartbeat(): void {
    this.ctx.heartbeat({ ...this.progress });
  }

  /** What the attempt hands back to its workflow. */
  result(end: AttemptEnd): ShardReadResult {
    return {
      ...this.progress,
      shard_ended: end !== 'handed_back',
      ...(end === 'stream_gone' ? { stream_gone: true } : {}),
    };
  }

  /** False when the stream was deleted or replaced by a new one of the same name (unsure: true, read on). */
  async sameStream(): Promise<boolean> {
    try {
      return (await streamGeneration(this.deps.kinesis, this.input.stream)) === this.input.generation;
    } catch (error) {
      return !(error instanceof ResourceNotFoundException);
    }
  }

  /** Read the next batch after the checkpoint, no sooner than min_read_interval_ms after the last read. */
  async readBatch(): Promise<Read> {
    try {
      this.iterator ??= await this.iteratorAfterCheckpoint();
    } catch (error) {
      this.readFailed(error);
      if (error instanceof ResourceNotFoundException && !(await this.sameStream())) {
        return { kind: 'ended', end: 'stream_gone' };
      }
      this.heartbeat();
      await this.pause(this.settings.idle_poll_ms);
      return { kind: 'failed' };
    }
    if (this.iterator === undefined) return { kind: 'ended', end: 'shard_ended' };
    await this.pause(readWaitMs(this.lastReadAt, Date.now(), this.settings.min_read_interval_ms));
    this.lastReadAt = Date.now();
    try {
      this.deps.metrics.reads.inc(this.labels);
      const batch = await this.deps.kinesis.send(
        new GetRecordsCommand({ ShardIterator: this.iterator, Limit: this.settings.batch_limit }),
        { abortSignal: this.ctx.cancellationSignal },
      );
      return { kind: 'batch', batch, records: batch.Records ?? [] };
    } catch (error) {
      this.readFailed(error);
      // Expired or otherwise unusable iterator: start again right after the checkpoint.
      this.iterator = undefined;
      this.heartbeat();
      await this.pause(error instanceof ProvisionedThroughputExceededException ? 1000 : this.settings.idle_poll_ms);
      return { kind: 'failed' };
    }
  }

  /** A batch's records a window at a time: the checkpoint moves past a window only once all its starts are done. */
  windowsOf(records: _Record[]): StartWindow<_Record>[] {
    return startWindows(records, this.settings.start_concurrency);
  }

  /** Start a window's records: one partition key's (one service's) in stream order, different keys side by side. */
  async startWindow(window: StartWindow<_Record>): Promise<void> {
    if (this.stopped()) throw new ShardReaderStopped();
    await Promise.all(
      window.lanes.map(async (lane) => {
        for (const record of lane) await this.handle(record);
      }),
    );
  }

  /** Move the checkpoint to a window's last record, every start in it being confirmed, and heartbeat it. */
  moveCheckpoint(window: StartWindow<_Record>): void {
    this.progress.records += window.records.length;
    this.progress.checkpoint = window.last.SequenceNumber;
    // Ingest lag: how old the record was when its start was confirmed.
    const arrived = window.last.ApproximateArrivalTimestamp?.getTime();
    if (arrived !== undefined) this.setLag(Date.now() - arrived);
    this.deps.metrics.checkpoint.inc(this.labels, window.records.length);
    this.heartbeat();
  }

  /**
   * After a batch's starts: heartbeat and take the next iterator. An empty read means caught up: then see whether
   * the shard has been closed and read to its end (or its stream is gone), and if not, wait before reading again.
   */
  async afterBatch(batch: GetRecordsCommandOutput, records: _Record[]): Promise<AttemptEnd | undefined> {
    // Caught up (Kinesis's own measure where it gives one): nothing is waiting.
    if (records.length === 0) this.setLag(batch.MillisBehindLatest ?? 0);
    this.heartbeat();
    if (!batch.NextShardIterator) return 'shard_ended';
    this.iterator = batch.NextShardIterator;
    if (records.length > 0) {
      this.emptyReadsAtEnd = 0;
      return undefined;
    }
    if (!(await this.refreshEnding())) return 'stream_gone';
    const { checkpoint } = this.progress;
    if (closedShardReadToEnd(this.endingSequence, checkpoint, batch.MillisBehindLatest, ++this.emptyReadsAtEnd)) {
      return 'shard_ended';
    }
    await this.pause(this.settings.idle_poll_ms);
    return undefined;
  }

  private stopped(): boolean {
    return this.ctx.cancellationSignal.aborted;
  }

  /** Wait; cancellation (this process stopping, or the shard lost) cuts the wait short and ends the attempt. */
  private async pause(ms: number): Promise<void> {
    try {
      await this.ctx.sleep(ms);
    } catch {
      throw new ShardReaderStopped();
    }
  }

  private setLag(ms: number): void {
    this.progress.lag_ms = Math.max(0, ms);
    this.deps.metrics.lag.set(this.labels, this.progress.lag_ms / 1000);
  }

  /** A read that failed because this process is stopping ends the attempt; any other failure is counted. */
  private readFailed(error: unknown): void {
    if (this.stopped()) throw new ShardReaderStopped();
    this.deps.metrics.readErrors.inc({ stream: this.input.stream, kind: readErrorKind(error) });
  }

  private async iteratorAfterCheckpoint(): Promise<string | undefined> {
    const { checkpoint } = this.progress;
    const request = checkpoint
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, StartingSequenceNumber: checkpoint }
      : { ShardIteratorType: this.input.start_at === 'latest' ? ('LATEST' as const) : ('TRIM_HORIZON' as const) };
    const answer = await this.deps.kinesis.send(
      new GetShardIteratorCommand({ StreamName: this.input.stream, ShardId: this.input.shard_id, ...request }),
      { abortSignal: this.ctx.cancellationSignal },
    );
    return answer.ShardIterator;
  }

  /** Now and then while the shard reads empty: has it been closed, and is it still the same stream? */
  private async refreshEnding(): Promise<boolean> {
    if (Date.now() - this.endingCheckedAt < this.settings.discovery_interval_ms) return true;
    this.endingCheckedAt = Date.now();
    if (!(await this.sameStream())) return false;
    try {
      const shards = await listShards(this.deps.kinesis, this.input.stream);
      this.endingSequence = shards.find((s) => s.shard_id === this.input.shard_id)?.ending_sequence_number;
    } catch (error) {
      this.deps.metrics.readErrors.inc({ stream: this.input.stream, kind: readErrorKind(error) });
    }
    return true;
  }

  /** A record becomes a remediation start, or a dead letter when it is not an event we can start. */
  private async handle(record: _Record): Promise<void> {
    const decoded = decodeStreamRecord(record.Data ?? new Uint8Array(), this.settings.max_record_bytes, {
      ...(this.deps.maxFutureSkewMs === undefined ? {} : { maxFutureSkewMs: this.deps.maxFutureSkewMs }),
      ...(this.deps.declaredRegions === undefined ? {} : { declaredRegions: this.deps.declaredRegions }),
    });
    if (decoded.kind === 'event') {
      this.deps.metrics.eventsReceived.inc({ source: decoded.event.source });
      await this.start(record, decoded.event);
    } else await this.deadLetter(record, decoded.reason, decoded.detail);
  }

  private async start(record: _Record, event: LazarusEvent): Promise<void> {
    const { stream } = this.input;
    try {
      const { duplicate } = await this.untilAnswered(() =>
        startRemediation(this.deps.temporal, this.settings.remediation_task_queue, event),
      );
      if (duplicate) this.progress.duplicates++;
      else this.progress.started++;
      this.deps.metrics.records.inc({ stream, result: duplicate ? 'duplicate' : 'started' });
    } catch (error) {
      if (error instanceof ShardReaderStopped) throw error;
      // Temporal refused the start itself (anything but unavailability): keep the record, move on.
      await this.deadLetter(
        record,
        'rejected',
        `Temporal refused to start event/${event.incident_key}: ${describe(error)}`,
      );
    }
  }

  private async deadLetter(record: _Record, reason: DeadLetterReason, detail: string): Promise<void> {
    const { stream, shard_id: shardId } = this.input;
    const data = record.Data ?? new Uint8Array();
    const position = { stream, shard_id: shardId, sequence_number: record.SequenceNumber ?? '' };
    const entry: DeadLetterEntry = {
      id: deadLetterId(position),
      reason,
      detail,
      source: {
        ...position,
        partition_key: record.PartitionKey ?? '',
        ...(record.ApproximateArrivalTimestamp ? { arrived_at: record.ApproximateArrivalTimestamp.toISOString() } : {}),
      },
      payload_base64: Buffer.from(data).toString('base64'),
      size_bytes: data.byteLength,
      dead_lettered_at: new Date().toISOString(),
    };
    await this.untilAnswered(() =>
      recordDeadLetter({ client: this.deps.temporal, taskQueue: this.settings.remediation_task_queue }, entry),
    );
    this.progress.dead_letters++;
    this.deps.metrics.deadLetters.inc({ stream, reason });
    this.deps.metrics.records.inc({ stream, result: 'dead_letter' });
  }

  /** Run a Temporal call until it is answered: Temporal being away delays records, never skips them. */
  private async untilAnswered<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.deps.temporal.withDeadline(Date.now() + (this.deps.temporalCallTimeoutMs ?? 5000), call);
      } catch (error) {
        if (this.stopped()) throw new ShardReaderStopped();
        if (!isTemporalUnavailable(error)) throw error;
        this.deps.metrics.temporalRetries.inc({ stream: this.input.stream });
        this.heartbeat();
        await this.pause(temporalRetryBackoffMs(attempt, this.settings.max_retry_backoff_ms));
      }
    }
  }
}

/** The stream's generation: its creation time in epoch ms (a stream created again under its name is a new one). */
export async function streamGeneration(kinesis: KinesisClient, stream: string): Promise<string> {
  const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
  const created = summary.StreamDescriptionSummary?.StreamCreationTimestamp;
  if (!created) throw new Error(`stream ${stream}: DescribeStreamSummary gave no creation time`);
  return String(created.getTime());
}

/** Every shard of the stream (all pages), with its parents and, once closed, its ending sequence number. */
export async function listShards(kinesis: KinesisClient, stream: string): Promise<StreamShard[]> {
  const shards: StreamShard[] = [];
  let nextToken: string | undefined;
  do {
    const page = await kinesis.send(
      new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: stream }),
    );
    for (const shard of page.Shards ?? []) {
      if (!shard.ShardId) continue;
      const ending = shard.SequenceNumberRange?.EndingSequenceNumber;
      shards.push({
        shard_id: shard.ShardId,
        parent_shard_ids: [shard.ParentShardId, shard.AdjacentParentShardId].filter((p): p is string => !!p),
        ...(ending ? { ending_sequence_number: ending } : {}),
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return shards;
}

/**
 * Whether a failed Temporal call is Temporal being unavailable (retry the record) rather than a refusal of it
 * (dead-letter it). A gRPC status decides by its code; a Node network error (ECONNREFUSED, ...) is unavailability;
 * anything else, such as an error the client raised before sending, is a refusal.
 */
export function isTemporalUnavailable(error: unknown): boolean {
  if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'number' || isGrpcServiceError(current)) return grpcUnavailability.has(Number(code));
    if (typeof code === 'string' && /^E[A-Z]+/.test(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function readErrorKind(error: unknown): string {
  if (error instanceof ExpiredIteratorException) return 'expired_iterator';
  if (error instanceof ProvisionedThroughputExceededException) return 'throttled';
  if (error instanceof ResourceNotFoundException) return 'not_found';
  return 'other';
}

function describe(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  return [(error as Error).message, (cause as Error | undefined)?.message].filter(Boolean).join(': ');
}
