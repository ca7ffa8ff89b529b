// The Kinesis bridge end to end: real bridge processes (ingest/bridge/main.ts) reading a stream on the AWS emulator and
// starting remediations on the test Temporal server. Remediations go to a task queue no worker polls, so they stay
// where the bridge left them: started, once.
import { randomUUID } from 'node:crypto';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  PutRecordCommand,
  UpdateShardCountCommand,
} from '@aws-sdk/client-kinesis';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { LazarusEvent } from '../../core/event';
import type { shardReader } from '../../ingest/bridge/workflows/bridge';
import { streamGeneration } from '../../ingest/bridge';
import { startBridgeProcess, type BridgeProcess, type BridgeProcessOptions } from '../support/bridge-process';
import { uniqueTaskQueue } from '../support/temporal';
import { useTestStack } from '../support/test-stack';
import { until } from '../support/wait';
import { type AwsClients } from '../../platform/aws-clients';
import { shardReaderWorkflowId } from '../../ingest/bridge/model';
import { deadLetterId, deadLetterWorkflowId, type DeadLetterEntry } from '../../contracts/dead-letter';

jest.setTimeout(180_000);

let client: Client;
let aws: AwsClients;
const running: BridgeProcess[] = [];

const testStack = useTestStack({ temporal: true, aws: true });
beforeAll(() => {
  client = testStack.env.client;
  aws = testStack.aws;
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((bridge) => bridge.stop('SIGKILL')));
});

interface BridgeTestStack {
  stream: string;
  /** The stream's generation (creation time), part of the shard readers' workflow ids. */
  generation: string;
  bridgeQueue: string;
  remediationQueue: string;
  start(identity: string, extra?: Partial<BridgeProcessOptions>): Promise<BridgeProcess>;
  put(data: string | Buffer, partitionKey: string): Promise<{ shard: string; sequence: string }>;
  putEvent(event: LazarusEvent): Promise<{ shard: string; sequence: string }>;
}

async function bridgeStack(shards: number): Promise<BridgeTestStack> {
  const stream = `bridge-${randomUUID().slice(0, 8)}`;
  await aws.kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: shards }));
  const stack: BridgeTestStack = {
    stream,
    generation: await streamGeneration(aws.kinesis, stream),
    bridgeQueue: uniqueTaskQueue('bridge'),
    remediationQueue: uniqueTaskQueue('remediations'),
    async start(identity, extra = {}) {
      const bridge = await startBridgeProcess({
        identity,
        stream,
        bridgeQueue: stack.bridgeQueue,
        remediationQueue: stack.remediationQueue,
        ...extra,
      });
      running.push(bridge);
      return bridge;
    },
    async put(data, partitionKey) {
      const put = await aws.kinesis.send(
        new PutRecordCommand({ StreamName: stream, PartitionKey: partitionKey, Data: Buffer.from(data) }),
      );
      return { shard: put.ShardId ?? '', sequence: put.SequenceNumber ?? '' };
    },
    async putEvent(event) {
      return await stack.put(JSON.stringify(event), event.service);
    },
  };
  return stack;
}

function sickHost(service: string, key = `bridge-test/${randomUUID()}`): LazarusEvent {
  return {
    incident_key: key,
    event_type: 'HealthcheckDown',
    source: 'api',
    service,
    host: 'i-0123456789abcdef0',
    region: 'us-east-1',
    environment: 'prod',
    occurred_at: new Date().toISOString(),
  };
}

async function remediationsStarted(keys: string[]): Promise<number> {
  const found = await Promise.all(
    keys.map((key) =>
      client.workflow
        .getHandle(`event/${key}`)
        .describe()
        .then(
          () => 1,
          () => 0,
        ),
    ),
  );
  return found.reduce<number>((a, b) => a + b, 0);
}

/** Runs of remediation workflows on the stack's queue, as visibility counts them. */
async function remediationRuns(stack: BridgeTestStack): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of client.workflow.list({ query: `TaskQueue = '${stack.remediationQueue}'` })) {
    if (execution.type === 'remediate') ids.push(execution.workflowId);
  }
  return ids;
}

async function deadLetterAsRecorded(
  id: string,
): Promise<{ status: string; memo: Record<string, unknown>; entry: DeadLetterEntry } | undefined> {
  try {
    const handle = client.workflow.getHandle(deadLetterWorkflowId(id));
    const description = await handle.describe();
    const history = await handle.fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    if (!input) return undefined;
    return {
      status: description.status.name,
      memo: description.memo ?? {},
      entry: defaultPayloadConverter.fromPayload<DeadLetterEntry>(input),
    };
  } catch {
    return undefined;
  }
}

interface ShardOwnership {
  identity?: string;
  attempt: number;
  checkpoint?: string;
}

async function shardOwner(stack: BridgeTestStack, shardId: string): Promise<ShardOwnership | undefined> {
  try {
    const description = await client.workflow
      .getHandle(shardReaderWorkflowId(stack.stream, stack.generation, shardId))
      .describe();
    const pending = description.raw.pendingActivities?.[0];
    if (!pending) return undefined;
    const details = pending.heartbeatDetails?.payloads?.[0];
    const progress = details ? defaultPayloadConverter.fromPayload<{ checkpoint?: string }>(details) : undefined;
    return {
      ...(pending.lastWorkerIdentity ? { identity: pending.lastWorkerIdentity } : {}),
      attempt: pending.attempt ?? 1,
      ...(progress?.checkpoint ? { checkpoint: progress.checkpoint } : {}),
    };
  } catch {
    return undefined;
  }
}

async function metricsOf(bridge: BridgeProcess): Promise<string> {
  const url = /metrics on (http:\S+)/.exec(bridge.output())?.[1];
  if (!url) throw new Error(`bridge ${bridge.identity} printed no metrics address:\n${bridge.output()}`);
  return await (await fetch(url)).text();
}

function metricValue(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('Kinesis bridge', () => {
  test('reads both shards of a stream: one remediation per incident key, every bad record dead-lettered', async () => {
    const stack = await bridgeStack(2);
    const events = Array.from({ length: 12 }, (_, i) => sickHost(`svc-${i}`));
    const shardsUsed = new Set<string>();
    for (const event of events) shardsUsed.add((await stack.putEvent(event)).shard);
    // the same event delivered twice (a producer retry): one remediation
    await stack.putEvent(events[0]);
    const malformed = await stack.put('{"incident_key": "half a record', 'bad');
    const invalid = await stack.put(JSON.stringify({ ...sickHost('svc-x'), environment: 'production' }), 'bad');
    const oversize = await stack.put(
      JSON.stringify({ ...sickHost('svc-y'), details: { pad: 'x'.repeat(70_000) } }),
      'bad',
    );
    expect(shardsUsed.size).toBe(2);

    const bridge = await stack.start('bridge-a');

    const keys = events.map((e) => e.incident_key);
    await until(
      () => remediationsStarted(keys),
      (n) => n === keys.length,
      60_000,
    );
    const letters = [
      { put: malformed, reason: 'malformed_json', detail: /^not JSON/ },
      { put: invalid, reason: 'schema', detail: /environment/ },
      { put: oversize, reason: 'oversize', detail: /bytes, more than the 65536 allowed/ },
    ];
    for (const letter of letters) {
      const id = deadLetterId({
        stream: stack.stream,
        shard_id: letter.put.shard,
        sequence_number: letter.put.sequence,
      });
      // No worker runs the dead letters here, so read what the bridge recorded: the memo and the workflow's input.
      const recorded = await until(
        () => deadLetterAsRecorded(id),
        (r) => r !== undefined,
        30_000,
      );
      expect(recorded?.status).toBe('RUNNING');
      expect(recorded?.memo).toMatchObject({ reason: letter.reason, shard_id: letter.put.shard });
      expect(recorded?.entry.reason).toBe(letter.reason);
      expect(recorded?.entry.detail).toMatch(letter.detail);
    }
    // the stored payload is the record's bytes
    const malformedId = deadLetterId({
      stream: stack.stream,
      shard_id: malformed.shard,
      sequence_number: malformed.sequence,
    });
    const stored = await deadLetterAsRecorded(malformedId);
    expect(Buffer.from(stored?.entry.payload_base64 ?? '', 'base64').toString()).toBe(
      '{"incident_key": "half a record',
    );

    const text = await until(
      () => metricsOf(bridge),
      (t) => metricValue(t, 'lazarus_bridge_records_total', 'result="dead_letter"') === 3,
    );
    expect(metricValue(text, 'lazarus_bridge_records_total', 'result="started"')).toBe(12);
    expect(metricValue(text, 'lazarus_bridge_records_total', 'result="duplicate"')).toBe(1);
    expect(metricValue(text, 'lazarus_events_received_total', 'source="api"')).toBe(13);
    expect(metricValue(text, 'lazarus_deadletters_total', 'reason="oversize"')).toBe(1);
    for (const shard of shardsUsed) {
      expect(text).toContain(`lazarus_bridge_lag_seconds{stream="${stack.stream}",shard="${shard}"}`);
      // the checkpoint reaches Temporal with the next (throttled) heartbeat
      const owner = await until(
        () => shardOwner(stack, shard),
        (o) => o?.checkpoint !== undefined,
      );
      expect(owner?.identity).toBe('bridge-a');
    }
    const runs = await until(
      () => remediationRuns(stack),
      (ids) => ids.length >= keys.length,
      30_000,
    );
    expect(runs.sort()).toEqual(keys.map((k) => `event/${k}`).sort());
  });

  test('edge validation: a future occurred_at (beyond LAZARUS_EVENT_MAX_FUTURE_SKEW_MS) or a key no workflow id can hold is a dead letter at once', async () => {
    const stack = await bridgeStack(1);
    const now = Date.now();
    const farAhead = await stack.putEvent({
      ...sickHost('web'),
      occurred_at: new Date(now + 10 * 60_000).toISOString(),
    });
    // within the default 5 minutes, but beyond this bridge's 60 s
    const minutesAhead = await stack.putEvent({
      ...sickHost('web'),
      occurred_at: new Date(now + 3 * 60_000).toISOString(),
    });
    const good = sickHost('web');
    const surrogate = await stack.put(
      JSON.stringify(good).replace(`"${good.incident_key}"`, '"bridge-test/\\udc00"'),
      'web',
    );
    await stack.putEvent(good);

    const bridge = await stack.start('bridge-edge', { env: { LAZARUS_EVENT_MAX_FUTURE_SKEW_MS: '60000' } });

    await until(
      () => remediationsStarted([good.incident_key]),
      (n) => n === 1,
      60_000,
    );
    const letters = [
      { put: farAhead, detail: /^occurred_at: is \d+ s in the future .*at most 60 s ahead allowed$/ },
      { put: minutesAhead, detail: /^occurred_at: is \d+ s in the future .*at most 60 s ahead allowed$/ },
      { put: surrogate, detail: /^incident_key: has a lone surrogate/ },
    ];
    for (const letter of letters) {
      const id = deadLetterId({
        stream: stack.stream,
        shard_id: letter.put.shard,
        sequence_number: letter.put.sequence,
      });
      const recorded = await until(
        () => deadLetterAsRecorded(id),
        (r) => r !== undefined,
        30_000,
      );
      expect(recorded?.entry.reason).toBe('schema');
      expect(recorded?.entry.detail).toMatch(letter.detail);
    }
    const text = await until(
      () => metricsOf(bridge),
      (t) => metricValue(t, 'lazarus_deadletters_total', 'reason="schema"') === 3,
    );
    expect(metricValue(text, 'lazarus_bridge_records_total', 'result="started"')).toBe(1);
    expect(await remediationRuns(stack)).toEqual([`event/${good.incident_key}`]);
  });

  test('survives kill -9 and a restart without losing or doubling a remediation', async () => {
    const stack = await bridgeStack(2);
    const first = await stack.start('bridge-a');
    const events = Array.from({ length: 40 }, (_, i) => sickHost(`svc-${i % 7}`));
    for (const event of events.slice(0, 20)) await stack.putEvent(event);
    const keys = events.map((e) => e.incident_key);
    await until(
      () => remediationsStarted(keys.slice(0, 20)),
      (n) => n >= 5,
      60_000,
    );

    first.child.kill('SIGKILL');
    await first.exited;
    for (const event of events.slice(20)) await stack.putEvent(event);
    const killedAt = Date.now();
    await stack.start('bridge-b');

    await until(
      () => remediationsStarted(keys),
      (n) => n === keys.length,
      90_000,
    );
    process.stdout.write(`bridge: all 40 remediations started ${Date.now() - killedAt} ms after the kill -9\n`);
    // one run per incident key: visibility lists exactly 40 remediations on this queue, one per key
    const runs = await until(
      () => remediationRuns(stack),
      (ids) => ids.length >= keys.length,
      30_000,
    );
    expect(runs.sort()).toEqual(keys.map((k) => `event/${k}`).sort());
    for (const shard of ['shardId-000000000000', 'shardId-000000000001']) {
      const owner = await shardOwner(stack, shard);
      expect(owner?.identity).toBe('bridge-b');
    }
  });

  test('hands the shards of a stopped bridge to another within 30 s', async () => {
    const stack = await bridgeStack(2);
    const a = await stack.start('bridge-a');
    const b = await stack.start('bridge-b');
    const shards = ['shardId-000000000000', 'shardId-000000000001'];
    const owners = await until(
      () => Promise.all(shards.map((s) => shardOwner(stack, s))),
      (o) => o.every((x) => x?.identity !== undefined),
      30_000,
    );
    const victim = owners[0]?.identity === 'bridge-a' ? a : b;
    const survivor = victim === a ? b : a;

    const stoppedAt = Date.now();
    await victim.stop('SIGTERM');
    await until(
      () => Promise.all(shards.map((s) => shardOwner(stack, s))),
      (o) => o.every((x) => x?.identity === survivor.identity),
      30_000,
    );
    process.stdout.write(`bridge: shards handed over ${Date.now() - stoppedAt} ms after SIGTERM\n`);

    const events = Array.from({ length: 6 }, (_, i) => sickHost(`svc-${i}`));
    for (const event of events) await stack.putEvent(event);
    await until(
      () => remediationsStarted(events.map((e) => e.incident_key)),
      (n) => n === events.length,
      30_000,
    );
  });

  test('a frozen owner loses its shards to another, and stops reading them when it wakes', async () => {
    const stack = await bridgeStack(1);
    const a = await stack.start('bridge-a');
    const shard = 'shardId-000000000000';
    await until(
      () => shardOwner(stack, shard),
      (o) => o?.identity === 'bridge-a',
      30_000,
    );
    const b = await stack.start('bridge-b');

    // frozen, not dead: no heartbeats, so after the heartbeat timeout the shard is bridge-b's
    a.child.kill('SIGSTOP');
    const frozenAt = Date.now();
    await until(
      () => shardOwner(stack, shard),
      (o) => o?.identity === 'bridge-b',
      30_000,
    );
    process.stdout.write(`bridge: a frozen owner's shard taken over in ${Date.now() - frozenAt} ms\n`);
    a.child.kill('SIGCONT');

    // woken, bridge-a learns from its next heartbeat that the attempt is no longer its own and lets go
    await until(
      () => metricsOf(a),
      (t) => metricValue(t, 'lazarus_bridge_shards_owned', `stream="${stack.stream}"`) === 0,
      30_000,
    );
    expect(metricValue(await metricsOf(b), 'lazarus_bridge_shards_owned', `stream="${stack.stream}"`)).toBe(1);
    const events = Array.from({ length: 4 }, (_, i) => sickHost(`svc-${i}`));
    for (const event of events) await stack.putEvent(event);
    await until(
      () => remediationsStarted(events.map((e) => e.incident_key)),
      (n) => n === events.length,
      30_000,
    );
    expect(metricValue(await metricsOf(a), 'lazarus_bridge_records_total', 'result="started"')).toBe(0);
  });

  test('follows a reshard: reads the parent to its end, then its children', async () => {
    const stack = await bridgeStack(1);
    await stack.start('bridge-a');
    const before = Array.from({ length: 5 }, (_, i) => sickHost(`svc-${i}`));
    for (const event of before) await stack.putEvent(event);
    await until(
      () => remediationsStarted(before.map((e) => e.incident_key)),
      (n) => n === before.length,
      60_000,
    );

    await aws.kinesis.send(
      new UpdateShardCountCommand({ StreamName: stack.stream, TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }),
    );
    const after = Array.from({ length: 8 }, (_, i) => sickHost(`svc-after-${i}`));
    const childShards = new Set<string>();
    for (const event of after) childShards.add((await stack.putEvent(event)).shard);
    expect(childShards.has('shardId-000000000000')).toBe(false);

    await until(
      () => remediationsStarted(after.map((e) => e.incident_key)),
      (n) => n === after.length,
      60_000,
    );
    const parent = client.workflow.getHandle<typeof shardReader>(
      shardReaderWorkflowId(stack.stream, stack.generation, 'shardId-000000000000'),
    );
    const parentResult = await parent.result();
    expect(parentResult).toMatchObject({ records: 5, started: 5 });
    const parentClosed = (await parent.describe()).closeTime?.getTime() ?? Infinity;
    for (const shard of childShards) {
      const child = await client.workflow
        .getHandle(shardReaderWorkflowId(stack.stream, stack.generation, shard))
        .describe();
      expect(child.startTime.getTime()).toBeGreaterThanOrEqual(parentClosed);
    }
  });

  test('reads a stream deleted and created again under its name from its start, not from the old checkpoint', async () => {
    const stack = await bridgeStack(1);
    await stack.start('bridge-a');
    const old = Array.from({ length: 4 }, (_, i) => sickHost(`svc-${i}`));
    for (const event of old) await stack.putEvent(event);
    await until(
      () => remediationsStarted(old.map((e) => e.incident_key)),
      (n) => n === old.length,
      60_000,
    );

    await aws.kinesis.send(new DeleteStreamCommand({ StreamName: stack.stream }));
    await aws.kinesis.send(new CreateStreamCommand({ StreamName: stack.stream, ShardCount: 1 }));
    // the new stream's first records: on the emulator their sequence numbers are the old checkpoint's or below
    const fresh = Array.from({ length: 3 }, (_, i) => sickHost(`svc-new-${i}`));
    for (const event of fresh) await stack.putEvent(event);

    await until(
      () => remediationsStarted(fresh.map((e) => e.incident_key)),
      (n) => n === fresh.length,
      60_000,
    );
    const oldReader = client.workflow.getHandle<typeof shardReader>(
      shardReaderWorkflowId(stack.stream, stack.generation, 'shardId-000000000000'),
    );
    expect(await oldReader.result()).toMatchObject({ records: 4 });
  });
});
