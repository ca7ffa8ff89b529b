import {
  compareSequenceNumbers,
  readBridgeSettings,
  shardsReadyToRead,
  type StreamShard,
} from '../../../ingest/bridge/model/bridge';
import { decodeStreamRecord } from '../../../ingest/bridge/activities/record';

const shard = (id: string, parents: string[] = [], ending?: string): StreamShard => ({
  shard_id: id,
  parent_shard_ids: parents,
  ...(ending ? { ending_sequence_number: ending } : {}),
});

describe('shards ready to read', () => {
  const split = [shard('p', [], '9'), shard('c1', ['p']), shard('c2', ['p'])];

  test('a parent is read before its children', () => {
    expect(shardsReadyToRead(split, new Set()).map((s) => s.shard_id)).toEqual(['p']);
  });

  test('children are ready once their parent is finished, and finished shards are not read again', () => {
    expect(shardsReadyToRead(split, new Set(['p'])).map((s) => s.shard_id)).toEqual(['c1', 'c2']);
  });

  test('a merged shard waits for both parents', () => {
    const merge = [shard('a', [], '5'), shard('b', [], '7'), shard('m', ['a', 'b'])];
    expect(shardsReadyToRead(merge, new Set(['a'])).map((s) => s.shard_id)).toEqual(['b']);
    expect(shardsReadyToRead(merge, new Set(['a', 'b'])).map((s) => s.shard_id)).toEqual(['m']);
  });

  test('a parent gone from the stream (past retention) does not hold its children back', () => {
    expect(shardsReadyToRead([shard('c1', ['expired'])], new Set()).map((s) => s.shard_id)).toEqual(['c1']);
  });
});

test('sequence numbers compare as 128-bit numbers, not strings', () => {
  expect(compareSequenceNumbers('9', '10')).toBe(-1);
  expect(
    compareSequenceNumbers(
      '49590338271490256608559692538361571095921575989136588898',
      '4959033827149025660855969253836157109592157598913658889',
    ),
  ).toBe(1);
  expect(compareSequenceNumbers('7', '7')).toBe(0);
});

describe('bridge settings from the environment', () => {
  test("defaults keep within Kinesis limits and hand a dead owner's shards over well within 30 s", () => {
    const settings = readBridgeSettings({}, 'lazarus');
    expect(settings.min_read_interval_ms).toBeGreaterThanOrEqual(200);
    expect(settings.heartbeat_timeout_ms).toBeLessThanOrEqual(15_000);
    expect(settings.remediation_task_queue).toBe('lazarus');
  });

  test("a read interval below Kinesis's 5 reads per second is refused, naming the variable", () => {
    expect(() => readBridgeSettings({ LAZARUS_BRIDGE_MIN_READ_INTERVAL_MS: '50' }, 'q')).toThrow(
      /LAZARUS_BRIDGE_MIN_READ_INTERVAL_MS: "50" is not an integer >= 200/,
    );
    expect(() => readBridgeSettings({ LAZARUS_BRIDGE_START_AT: 'now' }, 'q')).toThrow(/LAZARUS_BRIDGE_START_AT/);
  });
});

describe('decoding a stream record', () => {
  const event = {
    incident_key: 'k1',
    event_type: 'HealthcheckDown',
    source: 'api',
    service: 'web',
    host: 'i-0123456789abcdef0',
    region: 'us-east-1',
    environment: 'prod',
    occurred_at: '2026-11-22T00:00:00Z',
  };
  const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

  test('a valid event', () => {
    expect(decodeStreamRecord(bytes(JSON.stringify(event)), 65536)).toEqual({ kind: 'event', event });
  });

  test('not JSON, not UTF-8, failing the schema, too large: each with its reason', () => {
    expect(decodeStreamRecord(bytes('{"incident_key":'), 65536)).toMatchObject({ reason: 'malformed_json' });
    expect(decodeStreamRecord(Uint8Array.from([0xff, 0xfe, 0x7b]), 65536)).toMatchObject({
      reason: 'malformed_json',
      detail: expect.stringMatching(/not UTF-8/) as unknown,
    });
    expect(decodeStreamRecord(bytes(JSON.stringify({ ...event, host: 7 })), 65536)).toMatchObject({
      reason: 'schema',
      detail: expect.stringMatching(/host/) as unknown,
    });
    expect(decodeStreamRecord(bytes(JSON.stringify(event)), 100)).toMatchObject({ reason: 'oversize' });
  });

  test('an occurred_at further ahead than the skew, or a key Temporal cannot take, is a schema dead letter', () => {
    const now = Date.parse(event.occurred_at);
    const ahead = { ...event, occurred_at: new Date(now + 6 * 60_000).toISOString() };
    expect(decodeStreamRecord(bytes(JSON.stringify(ahead)), 65536, { now })).toMatchObject({
      kind: 'unusable',
      reason: 'schema',
      detail: expect.stringMatching(/^occurred_at: is 360 s in the future/) as unknown,
    });
    // within a configured skew it is an event
    expect(decodeStreamRecord(bytes(JSON.stringify(ahead)), 65536, { now, maxFutureSkewMs: 600_000 })).toMatchObject({
      kind: 'event',
    });
    // the clock defaults to now: an event from 2999 is refused today
    expect(
      decodeStreamRecord(bytes(JSON.stringify({ ...event, occurred_at: '2999-01-01T00:00:00Z' })), 65536),
    ).toMatchObject({ reason: 'schema' });
    // JSON may carry a lone surrogate (\ud800) that no UTF-8 workflow id can hold
    expect(
      decodeStreamRecord(bytes(JSON.stringify(event).replace('"k1"', '"k\\ud800"')), 65536, { now }),
    ).toMatchObject({
      reason: 'schema',
      detail: expect.stringMatching(/^incident_key: has a lone surrogate/) as unknown,
    });
  });
});
