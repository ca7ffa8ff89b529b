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
  type KinesisClient,
  type _Record,
} from '@aws-sdk/client-kinesis';
import { Context } from '@temporalio/activity';
import { isGrpcServiceError, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { BridgeSettings, ShardProgress, ShardReadResult, ShardReaderInput, StreamShard } from '../model/bridge';
import { compareSequenceNumbers } from '../model/bridge';
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
}

const grpcInvalidArgument = 3;

class ShardReaderStopped extends Error {
  override name = 'ShardReaderStopped';
}

export function createShardReader(
  deps: ShardReaderDependencies,
): (input: ShardReaderInput) => Promise<ShardReadResult> {
  return async function readShard(input) {
    const ctx = Context.current();
    const { stream, shard_id: shardId } = input;
    // The lease also bounds the workflow's startToClose for this attempt: never run longer than it allows.
    const settings: BridgeSettings = {
      ...deps.settings,
      lease_ms: Math.min(deps.settings.lease_ms, input.settings.lease_ms || deps.settings.lease_ms),
    };
    const resumed = ctx.info.heartbeatDetails as ShardProgress | undefined;
    const progress: ShardProgress = {
      checkpoint: resumed?.checkpoint ?? input.checkpoint,
      records: 0,
      started: 0,
      duplicates: 0,
      dead_letters: 0,
      lag_ms: 0,
      owner: deps.identity,
    };
    const stopped = (): boolean => ctx.cancellationSignal.aborted;
    const pause = async (ms: number): Promise<void> => {
      try {
        await ctx.sleep(ms);
      } catch {
        throw new ShardReaderStopped();
      }
    };
    const beat = (): void => ctx.heartbeat({ ...progress });
    const labels = { stream, shard: shardId };
    const setLag = (ms: number): void => {
      progress.lag_ms = Math.max(0, ms);
      deps.metrics.lag.set(labels, progress.lag_ms / 1000);
    };

    const iteratorAfterCheckpoint = async (): Promise<string | undefined> => {
      const request = progress.checkpoint
        ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, StartingSequenceNumber: progress.checkpoint }
        : { ShardIteratorType: input.start_at === 'latest' ? ('LATEST' as const) : ('TRIM_HORIZON' as const) };
      const answer = await deps.kinesis.send(
        new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ...request }),
        { abortSignal: ctx.cancellationSignal },
      );
      return answer.ShardIterator;
    };

    /** Run a Temporal call until it is answered: Temporal being away delays records, never skips them. */
    const untilAnswered = async <T>(call: () => Promise<T>): Promise<T> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await deps.temporal.withDeadline(Date.now() + (deps.temporalCallTimeoutMs ?? 5000), call);
        } catch (error) {
          if (!isTransient(error)) throw error;
          deps.metrics.temporalRetries.inc({ stream });
          if (stopped()) throw new ShardReaderStopped();
          beat();
          await pause(Math.min(settings.max_retry_backoff_ms, 100 * 2 ** Math.min(attempt, 10)));
        }
      }
    };

    const deadLetter = async (record: _Record, reason: DeadLetterReason, detail: string): Promise<void> => {
      const data = record.Data ?? new Uint8Array();
      const position = { stream, shard_id: shardId, sequence_number: record.SequenceNumber ?? '' };
      const entry: DeadLetterEntry = {
        id: deadLetterId(position),
        reason,
        detail,
        source: {
          ...position,
          partition_key: record.PartitionKey ?? '',
          ...(record.ApproximateArrivalTimestamp
            ? { arrived_at: record.ApproximateArrivalTimestamp.toISOString() }
            : {}),
        },
        payload_base64: Buffer.from(data).toString('base64'),
        size_bytes: data.byteLength,
        dead_lettered_at: new Date().toISOString(),
      };
      await untilAnswered(() =>
        recordDeadLetter({ client: deps.temporal, taskQueue: settings.remediation_task_queue }, entry),
      );
      progress.dead_letters++;
      deps.metrics.deadLetters.inc({ stream, reason });
      deps.metrics.records.inc({ stream, result: 'dead_letter' });
    };

    const start = async (record: _Record, event: LazarusEvent): Promise<void> => {
      try {
        const { duplicate } = await untilAnswered(() =>
          startRemediation(deps.temporal, settings.remediation_task_queue, event),
        );
        if (duplicate) progress.duplicates++;
        else progress.started++;
        deps.metrics.records.inc({ stream, result: duplicate ? 'duplicate' : 'started' });
      } catch (error) {
        if (error instanceof ShardReaderStopped) throw error;
        // Temporal refused the start itself (not a transient failure): keep the record, move on.
        await deadLetter(
          record,
          'rejected',
          `Temporal refused to start event/${event.incident_key}: ${describe(error)}`,
        );
      }
    };

    const handle = async (record: _Record): Promise<void> => {
      const decoded = decodeStreamRecord(record.Data ?? new Uint8Array(), settings.max_record_bytes);
      if (decoded.kind === 'event') {
        deps.metrics.eventsReceived.inc({ source: decoded.event.source });
        await start(record, decoded.event);
      } else await deadLetter(record, decoded.reason, decoded.detail);
    };

    /**
     * Start a batch's records a window at a time, and move the checkpoint to a window's last record only when every
     * start in it is confirmed.
     */
    const handleBatch = async (records: _Record[]): Promise<void> => {
      for (let i = 0; i < records.length; i += settings.start_concurrency) {
        if (stopped()) throw new ShardReaderStopped();
        const window = records.slice(i, i + settings.start_concurrency);
        // Records of one partition key (the service) start in stream order; different keys start side by side.
        const byKey = new Map<string, _Record[]>();
        for (const record of window) {
          const key = record.PartitionKey ?? '';
          byKey.set(key, [...(byKey.get(key) ?? []), record]);
        }
        await Promise.all(
          [...byKey.values()].map(async (inOrder) => {
            for (const record of inOrder) await handle(record);
          }),
        );
        const last = window[window.length - 1];
        progress.records += window.length;
        progress.checkpoint = last.SequenceNumber;
        // Ingest lag: how old the record was when its start was confirmed.
        const arrived = last.ApproximateArrivalTimestamp?.getTime();
        if (arrived !== undefined) setLag(Date.now() - arrived);
        deps.metrics.checkpoint.inc(labels, window.length);
        beat();
      }
    };

    const result = (shardEnded: boolean, streamGone = false): ShardReadResult => ({
      ...progress,
      shard_ended: shardEnded,
      ...(streamGone ? { stream_gone: true } : {}),
    });

    // Whether the shard has been closed by a reshard, looked up now and then while it reads empty.
    let endingSequence: string | undefined;
    let endingCheckedAt = 0;
    /** False when the stream was deleted or replaced by a new one of the same name (unsure: true, read on). */
    const sameStream = async (): Promise<boolean> => {
      try {
        return (await streamGeneration(deps.kinesis, stream)) === input.generation;
      } catch (error) {
        return !(error instanceof ResourceNotFoundException);
      }
    };

    /** Now and then while the shard reads empty: has it been closed, and is it still the same stream? */
    const refreshEnding = async (): Promise<boolean> => {
      if (Date.now() - endingCheckedAt < settings.discovery_interval_ms) return true;
      endingCheckedAt = Date.now();
      if (!(await sameStream())) return false;
      try {
        endingSequence = (await listShards(deps.kinesis, stream)).find(
          (s) => s.shard_id === shardId,
        )?.ending_sequence_number;
      } catch (error) {
        deps.metrics.readErrors.inc({ stream, kind: readErrorKind(error) });
      }
      return true;
    };

    const leaseEnds = Date.now() + settings.lease_ms;
    let iterator: string | undefined;
    let lastRead = 0;
    let emptyReadsAtEnd = 0;
    deps.metrics.shardsOwned.inc({ stream });
    try {
      beat();
      if (!(await sameStream())) return result(true, true);
      while (Date.now() < leaseEnds && !stopped()) {
        try {
          iterator ??= await iteratorAfterCheckpoint();
        } catch (error) {
          if (stopped()) break;
          deps.metrics.readErrors.inc({ stream, kind: readErrorKind(error) });
          if (error instanceof ResourceNotFoundException && !(await sameStream())) return result(true, true);
          beat();
          await pause(settings.idle_poll_ms);
          continue;
        }
        if (iterator === undefined) return result(true);
        await pause(Math.max(0, lastRead + settings.min_read_interval_ms - Date.now()));
        lastRead = Date.now();
        let batch;
        try {
          deps.metrics.reads.inc(labels);
          batch = await deps.kinesis.send(
            new GetRecordsCommand({ ShardIterator: iterator, Limit: settings.batch_limit }),
            {
              abortSignal: ctx.cancellationSignal,
            },
          );
        } catch (error) {
          if (stopped()) break;
          deps.metrics.readErrors.inc({ stream, kind: readErrorKind(error) });
          // Expired or otherwise unusable iterator: start again right after the checkpoint.
          iterator = undefined;
          beat();
          await pause(error instanceof ProvisionedThroughputExceededException ? 1000 : settings.idle_poll_ms);
          continue;
        }
        const records = batch.Records ?? [];
        await handleBatch(records);
        // Caught up (Kinesis's own measure where it gives one): nothing is waiting.
        if (records.length === 0) setLag(batch.MillisBehindLatest ?? 0);
        beat();
        if (!batch.NextShardIterator) return result(true);
        iterator = batch.NextShardIterator;
        if (records.length > 0) {
          emptyReadsAtEnd = 0;
          continue;
        }
        if (!(await refreshEnding())) return result(true, true);
        if (readToEnd(endingSequence, progress, batch.MillisBehindLatest, ++emptyReadsAtEnd)) return result(true);
        await pause(settings.idle_poll_ms);
      }
    } catch (error) {
      if (!(error instanceof ShardReaderStopped)) throw error;
    } finally {
      deps.metrics.shardsOwned.dec({ stream });
    }
    // Lease over, or this process is stopping / lost the shard: hand the checkpoint back to the workflow.
    return result(false);
  };

  /**
   * Kinesis ends a closed shard's reads with no next iterator; some emulators never do, so a closed shard whose
   * ending sequence number has been checkpointed, or that answered empty twice with nothing behind, is read too.
   */
  function readToEnd(
    ending: string | undefined,
    progress: ShardProgress,
    millisBehind: number | undefined,
    emptyReads: number,
  ): boolean {
    if (ending === undefined) return false;
    if (progress.checkpoint !== undefined && compareSequenceNumbers(progress.checkpoint, ending) >= 0) return true;
    return emptyReads >= 2 && (millisBehind ?? 0) === 0;
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

function isTransient(error: unknown): boolean {
  if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
  const cause = (error as { cause?: unknown }).cause;
  const grpc = isGrpcServiceError(error) ? error : isGrpcServiceError(cause) ? cause : undefined;
  return !(grpc && Number(grpc.code) === grpcInvalidArgument);
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
