import {
  closedShardReadToEnd,
  defaultBridgeSettings,
  partitionKeyLanes,
  readerAttemptSettings,
  readWaitMs,
  startWindows,
  temporalRetryBackoffMs,
  type BridgeSettings,
} from '../../../ingest/bridge/model';

const own: BridgeSettings = { ...defaultBridgeSettings, remediation_task_queue: 'lazarus', lease_ms: 60_000 };
const rec = (key: string | undefined, seq: string): { PartitionKey?: string; seq: string } =>
  key === undefined ? { seq } : { PartitionKey: key, seq };

describe('how a shard reader paces and orders its work', () => {
  it('runs an attempt with its own settings and the shorter of the two leases', () => {
    expect(readerAttemptSettings(own, { lease_ms: 30_000, start_concurrency: 99 })).toEqual({
      ...own,
      lease_ms: 30_000,
    });
    expect(readerAttemptSettings(own, { lease_ms: 120_000 }).lease_ms).toBe(60_000);
    // a workflow input from an older bridge has no lease: this process's lease stands
    expect(readerAttemptSettings(own, {}).lease_ms).toBe(60_000);
  });

  it('keeps two reads of a shard at least the minimum interval apart', () => {
    expect(readWaitMs(1000, 1050, 200)).toBe(150);
    expect(readWaitMs(1000, 1300, 200)).toBe(0);
  });

  it('backs off from 100 ms, doubling, up to the ceiling, while Temporal does not answer', () => {
    expect([0, 1, 2, 3, 6].map((attempt) => temporalRetryBackoffMs(attempt, 5000))).toEqual([100, 200, 400, 800, 5000]);
    expect(temporalRetryBackoffMs(1000, 5000)).toBe(5000);
  });

  it('cuts a batch into windows in stream order, each with its records by partition key in order', () => {
    const records = [rec('a', '1'), rec('b', '2'), rec('a', '3'), rec(undefined, '4'), rec('b', '5')];
    const windows = startWindows(records, 3);
    expect(windows.map((w) => w.records.map((r) => r.seq))).toEqual([
      ['1', '2', '3'],
      ['4', '5'],
    ]);
    expect(windows.map((w) => w.last.seq)).toEqual(['3', '5']);
    expect(windows[0].lanes.map((lane) => lane.map((r) => r.seq))).toEqual([['1', '3'], ['2']]);
    expect(partitionKeyLanes(records).map((lane) => lane.map((r) => r.seq))).toEqual([['1', '3'], ['2', '5'], ['4']]);
  });

  it('tells when a closed shard has been read to its end', () => {
    expect(closedShardReadToEnd(undefined, '9', 0, 5)).toBe(false); // open shard
    expect(closedShardReadToEnd('100', '100', 500, 0)).toBe(true); // checkpoint at the ending sequence number
    expect(closedShardReadToEnd('100', '99', 0, 1)).toBe(false); // one empty read is not the end
    expect(closedShardReadToEnd('100', '99', 0, 2)).toBe(true); // two empty reads with nothing behind
    expect(closedShardReadToEnd('100', '99', 10, 2)).toBe(false); // still behind
  });
});
