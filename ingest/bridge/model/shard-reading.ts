// How a shard reader paces and orders its work: the settings an attempt runs with, when it may read next, how long
// it waits before asking Temporal again, which records start together and in what order, and when a closed shard has
// been read to its end. Pure (the reader's clock and records are passed in), so each decision is unit-testable.
import { compareSequenceNumbers, type BridgeSettings } from './bridge';

/**
 * The settings one reader attempt runs with: this process's own, with the lease bounded by the workflow's, since the
 * lease also bounds the workflow's startToClose for the attempt. The workflow's settings may come from an older
 * bridge version and lack the lease: then this process's lease stands.
 */
export function readerAttemptSettings(own: BridgeSettings, fromWorkflow: Partial<BridgeSettings>): BridgeSettings {
  return { ...own, lease_ms: Math.min(own.lease_ms, fromWorkflow.lease_ms || own.lease_ms) };
}

/** How long to wait before reading again, so that two reads of one shard are at least `minIntervalMs` apart. */
export function readWaitMs(lastReadAt: number, now: number, minIntervalMs: number): number {
  return Math.max(0, lastReadAt + minIntervalMs - now);
}

/**
 * Wait before asking Temporal again after `attempt` unanswered calls (from 0): doubling from 100 ms, at most `maxMs`,
 * so a record waits for Temporal without flooding it when it comes back.
 */
export function temporalRetryBackoffMs(attempt: number, maxMs: number): number {
  return Math.min(maxMs, 100 * 2 ** Math.min(attempt, 10));
}

/** What window bookkeeping needs of a stream record (Kinesis's own record type fits). */
export interface KeyedRecord {
  PartitionKey?: string;
}

/** Records of a batch whose starts are in flight at once. */
export interface StartWindow<R extends KeyedRecord> {
  /** The window's records, in stream order. */
  records: R[];
  /**
   * The same records by partition key (the service): each lane in stream order, lanes in order of their first record.
   * A lane's records start one after another; different lanes start side by side.
   */
  lanes: R[][];
  /** The window's last record: the checkpoint moves to it once every start in the window is confirmed. */
  last: R;
}

/** Cut a batch into windows of at most `size` records, in stream order (`size` >= 1). */
export function startWindows<R extends KeyedRecord>(records: readonly R[], size: number): StartWindow<R>[] {
  const windows: StartWindow<R>[] = [];
  for (let i = 0; i < records.length; i += size) {
    const window = records.slice(i, i + size);
    windows.push({ records: window, lanes: partitionKeyLanes(window), last: window[window.length - 1] });
  }
  return windows;
}

/** Records grouped by partition key (a missing key is one more key), each group in the records' order. */
export function partitionKeyLanes<R extends KeyedRecord>(records: readonly R[]): R[][] {
  const byKey = new Map<string, R[]>();
  for (const record of records) {
    const key = record.PartitionKey ?? '';
    const lane = byKey.get(key);
    if (lane) lane.push(record);
    else byKey.set(key, [record]);
  }
  return [...byKey.values()];
}

/**
 * Whether a closed shard (one with an ending sequence number) has been read to its end. Kinesis ends a closed
 * shard's reads with no next iterator; some emulators never do, so a closed shard whose ending sequence number has
 * been checkpointed, or that answered empty twice in a row with nothing behind, is read too.
 */
export function closedShardReadToEnd(
  ending: string | undefined,
  checkpoint: string | undefined,
  millisBehind: number | undefined,
  emptyReads: number,
): boolean {
  if (ending === undefined) return false;
  if (checkpoint !== undefined && compareSequenceNumbers(checkpoint, ending) >= 0) return true;
  return emptyReads >= 2 && (millisBehind ?? 0) === 0;
}
