// The shard reader activity on its own, reading a real stream on the AWS emulator, with a stand-in for Temporal
// that can be made to fail: when Temporal does not answer, a record waits and is retried, never skipped, and the
// checkpoint never passes a record whose start is not confirmed.
import { randomUUID } from 'node:crypto';
import { CreateStreamCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  readBridgeSettings,
  type BridgeSettings,
  type ShardProgress,
  type ShardReadResult,
  type ShardReaderInput,
} from '../../ingest/bridge/model/bridge';
import { createBridgeMetrics, createShardReader, streamGeneration, type BridgeMetrics } from '../../ingest/bridge';
import { useTestStack } from '../support/test-stack';
import { type AwsClients } from '../../platform/aws-clients';
import type { DeadLetterEntry } from '../../contracts/dead-letter';

let aws: AwsClients;
const stack = useTestStack({ aws: true });
beforeAll(() => ({ aws } = stack));

interface StartCall {
  type: string;
  workflowId: string;
  args?: unknown[];
}

/** What the reader needs of a Temporal client; `failures` decides, per call, whether Temporal is "down". */
function temporalStandIn(failures: (call: number) => Error | undefined): { client: Client; started: StartCall[] } {
  const started: StartCall[] = [];
  let calls = 0;
  const client = {
    withDeadline: <T>(_deadline: number, fn: () => Promise<T>): Promise<T> => fn(),
    workflow: {
      start: (type: string, options: { workflowId: string; args?: unknown[] }): Promise<void> => {
        const failure = failures(calls++);
        if (failure) return Promise.reject(failure);
        started.push({ type, workflowId: options.workflowId, args: options.args });
        return Promise.resolve();
      },
    },
  } as unknown as Client;
  return { client, started };
}

async function streamWith(records: string[]): Promise<{ stream: string; generation: string; sequences: string[] }> {
  const stream = `reader-${randomUUID().slice(0, 8)}`;
  await aws.kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
  const sequences: string[] = [];
  for (const data of records) {
    const put = await aws.kinesis.send(
      new PutRecordCommand({ StreamName: stream, PartitionKey: 'web', Data: Buffer.from(data) }),
    );
    sequences.push(put.SequenceNumber ?? '');
  }
  return { stream, generation: await streamGeneration(aws.kinesis, stream), sequences };
}

function event(key: string): string {
  return JSON.stringify({
    incident_key: key,
    event_type: 'HealthcheckDown',
    source: 'api',
    service: 'web',
    host: 'i-0123456789abcdef0',
    region: 'us-east-1',
    environment: 'prod',
    occurred_at: new Date().toISOString(),
  });
}

function eventAt(key: string, occurredAt: Date): string {
  return JSON.stringify({
    ...(JSON.parse(event(key)) as Record<string, unknown>),
    occurred_at: occurredAt.toISOString(),
  });
}

function testSettings(overrides: Partial<BridgeSettings> = {}): BridgeSettings {
  return {
    ...readBridgeSettings({}, 'remediations'),
    idle_poll_ms: 200,
    max_retry_backoff_ms: 100,
    start_concurrency: 1,
    ...overrides,
  };
}

/** The reader as a bridge process with `overrides` in its LAZARUS_BRIDGE_* settings would run it. */
function readerFor(
  temporal: Client,
  metrics: BridgeMetrics = createBridgeMetrics(),
  overrides: Partial<BridgeSettings> = {},
  maxFutureSkewMs?: number,
): (input: ShardReaderInput) => Promise<ShardReadResult> {
  return createShardReader({
    kinesis: aws.kinesis,
    temporal,
    metrics,
    identity: 'test',
    settings: testSettings(overrides),
    ...(maxFutureSkewMs === undefined ? {} : { maxFutureSkewMs }),
  });
}

function readerInput(
  { stream, generation }: { stream: string; generation: string },
  leaseMs: number,
): ShardReaderInput {
  return {
    stream,
    generation,
    shard_id: 'shardId-000000000000',
    start_at: 'trim_horizon',
    settings: testSettings({ lease_ms: leaseMs }),
  };
}

async function counter(metrics: BridgeMetrics, name: 'temporalRetries'): Promise<number> {
  return (await metrics[name].get()).values.reduce((sum, v) => sum + v.value, 0);
}

const unavailable = (): Error => Object.assign(new Error('14 UNAVAILABLE: connection refused'), { code: 14 });

test('while Temporal does not answer, the record waits and is retried; nothing after it is skipped', async () => {
  const written = await streamWith([event('k1'), event('k2'), event('k3')]);
  // Temporal is away for the first five attempts (all on k1), then back.
  const temporal = temporalStandIn((call) => (call < 5 ? unavailable() : undefined));
  const metrics = createBridgeMetrics();
  const read = readerFor(temporal.client, metrics);

  const result = await new MockActivityEnvironment({ heartbeatTimeoutMs: 10_000 }).run(
    read,
    readerInput(written, 3000),
  );

  expect(temporal.started.map((s) => s.workflowId)).toEqual(['event/k1', 'event/k2', 'event/k3']);
  expect(await counter(metrics, 'temporalRetries')).toBe(5);
  expect(result).toMatchObject({ checkpoint: written.sequences[2], records: 3, started: 3, shard_ended: false });
});

test('a reader stopped while Temporal is away hands back the checkpoint of the last confirmed record only', async () => {
  const written = await streamWith([event('k1'), event('k2'), event('k3')]);
  // k1 starts, then Temporal goes away for good
  const temporal = temporalStandIn((call) => (call >= 1 ? unavailable() : undefined));
  const read = readerFor(temporal.client);
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 10_000 });
  const heartbeats: ShardProgress[] = [];
  env.on('heartbeat', (details: ShardProgress) => {
    heartbeats.push(details);
    // stop the reader once it is retrying k2 (worker shutdown, or the shard lost to another process)
    if (heartbeats.length === 4) env.cancel('WORKER_SHUTDOWN');
  });

  const result: ShardReadResult = await env.run(read, readerInput(written, 60_000));

  expect(temporal.started.map((s) => s.workflowId)).toEqual(['event/k1']);
  expect(result.checkpoint).toBe(written.sequences[0]);
  expect(result.shard_ended).toBe(false);
  expect(heartbeats.every((h) => h.checkpoint === undefined || h.checkpoint === written.sequences[0])).toBe(true);
});

test('a record Temporal refuses as invalid becomes a dead letter, and the shard moves on', async () => {
  const written = await streamWith([event('bad-one'), event('k2')]);
  const invalid = Object.assign(new Error('3 INVALID_ARGUMENT: workflow id too long'), {
    code: 3,
    details: 'workflow id too long',
    metadata: {},
  });
  // the first start (bad-one's remediation) is refused; everything else is accepted
  const temporal = temporalStandIn((call) => (call === 0 ? invalid : undefined));
  const read = readerFor(temporal.client);

  const result = await new MockActivityEnvironment({ heartbeatTimeoutMs: 10_000 }).run(
    read,
    readerInput(written, 2000),
  );

  expect(temporal.started.map((s) => s.type)).toEqual(['deadLetter', 'remediate']);
  expect(temporal.started[0].workflowId).toMatch(new RegExp(`^deadletter/${written.stream}\\.shardId-000000000000\\.`));
  expect(result).toMatchObject({ records: 2, started: 1, dead_letters: 1 });
});

/** A gRPC status error as @temporalio/client throws it: a ServiceError whose cause carries the code. */
function grpcRefusal(code: number, name: string): Error {
  const cause = Object.assign(new Error(`${code} ${name}: refused`), { code, details: 'refused', metadata: {} });
  return Object.assign(new Error('Failed to start Workflow'), { name: 'ServiceError', cause });
}

test.each([
  ['FAILED_PRECONDITION', grpcRefusal(9, 'FAILED_PRECONDITION')],
  ['PERMISSION_DENIED', grpcRefusal(7, 'PERMISSION_DENIED')],
  ['OUT_OF_RANGE', grpcRefusal(11, 'OUT_OF_RANGE')],
  ['NOT_FOUND', grpcRefusal(5, 'NOT_FOUND')],
  ['INVALID_ARGUMENT wrapped as the client throws it', grpcRefusal(3, 'INVALID_ARGUMENT')],
  ['an error the client raised before sending', new TypeError('cannot encode the workflow id')],
])('a start refused with %s is dead-lettered (rejected) at once, never retried', async (_label, refusal) => {
  const written = await streamWith([event('refused'), event('k2')]);
  const temporal = temporalStandIn((call) => (call === 0 ? refusal : undefined));
  const metrics = createBridgeMetrics();
  const read = readerFor(temporal.client, metrics);

  const result = await new MockActivityEnvironment({ heartbeatTimeoutMs: 10_000 }).run(
    read,
    readerInput(written, 2000),
  );

  expect(temporal.started.map((s) => s.type)).toEqual(['deadLetter', 'remediate']);
  const [entry] = temporal.started[0].args as [DeadLetterEntry];
  expect(entry.reason).toBe('rejected');
  expect(entry.detail).toMatch(/^Temporal refused to start event\/refused: /);
  expect(await counter(metrics, 'temporalRetries')).toBe(0);
  expect(result).toMatchObject({ records: 2, started: 1, dead_letters: 1, checkpoint: written.sequences[1] });
});

test.each([
  ['DEADLINE_EXCEEDED', grpcRefusal(4, 'DEADLINE_EXCEEDED')],
  ['RESOURCE_EXHAUSTED', grpcRefusal(8, 'RESOURCE_EXHAUSTED')],
  ['UNAVAILABLE', grpcRefusal(14, 'UNAVAILABLE')],
  ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7233'), { code: 'ECONNREFUSED' })],
])('a start failing with %s is Temporal unavailable: retried, never dead-lettered', async (_label, failure) => {
  const written = await streamWith([event('k1')]);
  const temporal = temporalStandIn((call) => (call < 2 ? failure : undefined));
  const metrics = createBridgeMetrics();
  const read = readerFor(temporal.client, metrics);

  const result = await new MockActivityEnvironment({ heartbeatTimeoutMs: 10_000 }).run(
    read,
    readerInput(written, 2000),
  );

  expect(temporal.started.map((s) => s.workflowId)).toEqual(['event/k1']);
  expect(await counter(metrics, 'temporalRetries')).toBe(2);
  expect(result).toMatchObject({ records: 1, started: 1, dead_letters: 0 });
});

test('a record whose occurred_at is further ahead than the skew is a schema dead letter; the shard moves on', async () => {
  const now = Date.now();
  const written = await streamWith([
    eventAt('far-ahead', new Date(now + 10 * 60_000)),
    eventAt('bit-ahead', new Date(now + 60_000)),
    event('k3'),
  ]);
  const temporal = temporalStandIn(() => undefined);
  const metrics = createBridgeMetrics();
  const read = readerFor(temporal.client, metrics);

  const result = await new MockActivityEnvironment({ heartbeatTimeoutMs: 10_000 }).run(
    read,
    readerInput(written, 2000),
  );

  expect(temporal.started.map((s) => s.workflowId)).toEqual([
    expect.stringMatching(
      new RegExp(`^deadletter/${written.stream}\\.shardId-000000000000\\.${written.sequences[0]}$`),
    ),
    'event/bit-ahead',
    'event/k3',
  ]);
  const [entry] = temporal.started[0].args as [DeadLetterEntry];
  expect(entry.reason).toBe('schema');
  expect(entry.detail).toMatch(/^occurred_at: is \d+ s in the future .*at most 300 s ahead allowed$/);
  expect(result).toMatchObject({ records: 3, started: 2, dead_letters: 1 });
});

test('the skew is the process setting (LAZARUS_EVENT_MAX_FUTURE_SKEW_MS): 30 s makes a minute ahead a dead letter', async () => {
  const written = await streamWith([eventAt('minute-ahead', new Date(Date.now() + 60_000))]);
  const temporal = temporalStandIn(() => undefined);
  const read = readerFor(temporal.client, createBridgeMetrics(), {}, 30_000);

  const result = await new MockActivityEnvironment({ heartbeatTimeoutMs: 10_000 }).run(
    read,
    readerInput(written, 2000),
  );

  expect(temporal.started.map((s) => s.type)).toEqual(['deadLetter']);
  expect((temporal.started[0].args as [DeadLetterEntry])[0].detail).toMatch(/at most 30 s ahead allowed/);
  expect(result).toMatchObject({ records: 1, started: 0, dead_letters: 1 });
});

test('a reader of a stream that was deleted and created again stops instead of reading the new one', async () => {
  const written = await streamWith([event('k1')]);
  const temporal = temporalStandIn(() => undefined);
  const read = readerFor(temporal.client);

  const stale = { ...written, generation: String(Number(written.generation) - 60_000) };
  const result = await new MockActivityEnvironment({ heartbeatTimeoutMs: 10_000 }).run(read, readerInput(stale, 5000));

  expect(result).toMatchObject({ shard_ended: true, stream_gone: true, records: 0 });
  expect(temporal.started).toEqual([]);
});

test('reads a shard at most 5 times a second, the Kinesis limit, however little there is to read', async () => {
  const written = await streamWith([event('k1')]);
  const metrics = createBridgeMetrics();
  // the least idle wait, so only the read interval holds the rate
  const read = readerFor(temporalStandIn(() => undefined).client, metrics, { idle_poll_ms: 0 });
  const input = readerInput(written, 3000);
  const started = Date.now();

  await new MockActivityEnvironment({ heartbeatTimeoutMs: 10_000 }).run(read, input);

  const seconds = (Date.now() - started) / 1000;
  const reads = (await metrics.reads.get()).values.reduce((sum, v) => sum + v.value, 0);
  expect(reads).toBeGreaterThan(3);
  expect(reads).toBeLessThanOrEqual(Math.ceil(seconds * 5) + 1);
});

test('reads with its own process settings when its workflow input carries an older, incomplete set', async () => {
  const written = await streamWith([event('k1'), event('k2'), event('k3')]);
  const temporal = temporalStandIn(() => undefined);
  const read = readerFor(temporal.client, createBridgeMetrics(), { start_concurrency: 2 });
  // as written by a bridge version that had no start_concurrency
  const older: Partial<BridgeSettings> = testSettings({ lease_ms: 2000 });
  delete older.start_concurrency;
  const input = { ...readerInput(written, 2000), settings: older as BridgeSettings };

  const result = await new MockActivityEnvironment({ heartbeatTimeoutMs: 10_000 }).run(read, input);

  expect(temporal.started.map((s) => s.workflowId)).toEqual(['event/k1', 'event/k2', 'event/k3']);
  expect(result).toMatchObject({ records: 3, checkpoint: written.sequences[2] });
});

test('starts records of one service in stream order while other services start alongside', async () => {
  const stream = `reader-${randomUUID().slice(0, 8)}`;
  await aws.kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
  const puts: Array<[string, string]> = [
    ['scale-up', 'web'],
    ['other', 'db'],
    ['scale-down', 'web'],
  ];
  for (const [key, service] of puts) {
    const data = JSON.parse(event(key)) as Record<string, unknown>;
    await aws.kinesis.send(
      new PutRecordCommand({
        StreamName: stream,
        PartitionKey: service,
        Data: Buffer.from(JSON.stringify({ ...data, service })),
      }),
    );
  }
  // Temporal does not answer the first two starts (web's scale-up, db's event): a reader that does not keep web's
  // order starts scale-down while scale-up waits for its retry
  const temporal = temporalStandIn((call) => (call < 2 ? unavailable() : undefined));
  const read = readerFor(temporal.client, createBridgeMetrics(), { start_concurrency: 8 });

  await new MockActivityEnvironment({ heartbeatTimeoutMs: 10_000 }).run(
    read,
    readerInput({ stream, generation: await streamGeneration(aws.kinesis, stream) }, 2000),
  );

  const order = temporal.started.map((s) => s.workflowId);
  expect(order).toHaveLength(3);
  expect(order.indexOf('event/scale-up')).toBeLessThan(order.indexOf('event/scale-down'));
});
