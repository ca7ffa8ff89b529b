// Benchmark: the Kinesis bridge's throughput (stream records → remediation workflow starts) and ingest lag, side by
// side in the same run with the raw rate at which the same Temporal dev server accepts workflow starts.
//
// Usage: npm run bench:bridge -- [--records 2000] [--shards 2] [--rate 40] [--seconds 15]
// Phases, all against one in-memory dev server and one moto on loopback:
//   1. raw: `--records` starts of `remediate` straight from a client, 2 at a time and 16 at a time (the bridge's
//      parallelism with two shards: one reader per shard, 8 starts of a batch in flight);
//   2. backlog: `--records` records put on a `--shards`-shard stream first, then the bridge started: records/s
//      until every one is started, and the largest lag it reported;
//   3. steady: records produced at `--rate`/s for `--seconds` with the bridge running: lag percentiles (sampled
//      every 100 ms from the bridge's own lag gauge) and put → start latency of every 10th record.
// The remediations start on a task queue no worker polls: the figure is the ingest path, not the remediation.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { CreateStreamCommand, PutRecordsCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createAwsClients, destroyAwsClients } from '../platform/aws-clients';
import { bridgeWorkflowId, readBridgeSettings, type StreamBridgeInput } from '../ingest/bridge/model/bridge';
import type { LazarusEvent } from '../core/event';
import { projectRoot } from '../devstack/paths';
import { startMoto } from '../devstack/moto';
import { freePort } from '../devstack/service-process';
import { loadTemporalDevConfig, startTemporalDevServer } from '../devstack/temporal-dev';
import { createBridgeActivities, createBridgeMetrics } from '../ingest/bridge';
import { startRemediation } from '../ingest/remediation-start';
import { percentile } from './percentile';

interface Args {
  records: number;
  shards: number;
  rate: number;
  seconds: number;
}

function parseArgs(argv: string[]): Args {
  const value = (flag: string, fallback: number): number => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  return {
    records: value('--records', 2000),
    shards: value('--shards', 2),
    rate: value('--rate', 40),
    seconds: value('--seconds', 15),
  };
}

function eventFor(run: string, i: number): LazarusEvent {
  return {
    incident_key: `bench-bridge-${run}-${i}`,
    event_type: 'HealthcheckDown',
    source: 'api',
    service: `svc-${i % 50}`,
    host: 'i-0123456789abcdef0',
    region: 'us-east-1',
    environment: 'prod',
    occurred_at: new Date().toISOString(),
  };
}

async function inParallel(total: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await job(next++);
    }),
  );
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazarus-bridge-bench-'));
  const temporal = await startTemporalDevServer({
    ...loadTemporalDevConfig(),
    port: await freePort(),
    ui_port: null,
    db_filename: null,
    log_level: 'error',
  });
  const moto = await startMoto({ host: '127.0.0.1', port: await freePort() });
  const aws = createAwsClients({ region: 'us-east-1', endpoint: moto.endpoint });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: temporal.address });
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: new DefaultLogger('ERROR'),
  });
  const bundlePath = path.join(tempDir, 'bundle.js');
  fs.writeFileSync(bundlePath, code);
  const run = randomUUID().slice(0, 8);
  const remediationQueue = `bench-remediations-${run}`;

  // 1. raw workflow starts
  const raw: Array<{ concurrency: number; perSecond: number }> = [];
  for (const concurrency of [2, 16]) {
    const started = Date.now();
    await inParallel(args.records, concurrency, async (i) => {
      await startRemediation(client, remediationQueue, eventFor(`raw${concurrency}-${run}`, i));
    });
    raw.push({ concurrency, perSecond: args.records / ((Date.now() - started) / 1000) });
    process.stdout.write(`raw starts, ${concurrency} at a time: ${raw.at(-1)?.perSecond.toFixed(0)}/s\n`);
  }

  // 2. backlog through the bridge
  const stream = `bench-${run}`;
  await aws.kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: args.shards }));
  await waitUntilStreamExists({ client: aws.kinesis, maxWaitTime: 30 }, { StreamName: stream });
  const putTimes = new Map<string, number>();
  const put = async (events: LazarusEvent[]): Promise<void> => {
    for (let i = 0; i < events.length; i += 500) {
      const batch = events.slice(i, i + 500);
      const now = Date.now();
      await aws.kinesis.send(
        new PutRecordsCommand({
          StreamName: stream,
          Records: batch.map((e) => ({ PartitionKey: e.service, Data: Buffer.from(JSON.stringify(e)) })),
        }),
      );
      for (const e of batch) putTimes.set(e.incident_key, now);
    }
  };
  await put(Array.from({ length: args.records }, (_, i) => eventFor(`backlog-${run}`, i)));

  const settings = readBridgeSettings({ LAZARUS_BRIDGE_TASK_QUEUE: `bench-bridge-${run}` }, remediationQueue);
  const metrics = createBridgeMetrics();
  const worker = await Worker.create({
    connection: native,
    taskQueue: settings.task_queue,
    workflowBundle: { codePath: bundlePath },
    activities: createBridgeActivities({
      kinesis: aws.kinesis,
      temporal: client,
      metrics,
      identity: 'bench',
      settings,
    }),
    shutdownGraceTime: '2s',
  });
  const running = worker.run();
  const handled = async (): Promise<number> =>
    (await metrics.records.get()).values.reduce((sum, v) => sum + v.value, 0);
  const lagSamples: number[] = [];
  const sampleLag = async (): Promise<void> => {
    for (const v of (await metrics.lag.get()).values) lagSamples.push(v.value * 1000);
  };
  const backlogStarted = Date.now();
  const input: StreamBridgeInput = { stream, settings };
  await client.workflow.start('streamBridge', {
    taskQueue: settings.task_queue,
    workflowId: bridgeWorkflowId(stream),
    args: [input],
  });
  while ((await handled()) < args.records) {
    await sampleLag();
    await new Promise((r) => setTimeout(r, 100));
  }
  const backlogSeconds = (Date.now() - backlogStarted) / 1000;
  const backlogPerSecond = args.records / backlogSeconds;
  const backlogMaxLag = Math.max(...lagSamples);
  process.stdout.write(`bridge backlog: ${args.records} records in ${backlogSeconds.toFixed(1)} s\n`);

  // 3. steady production
  lagSamples.length = 0;
  const steady = Array.from({ length: args.rate * args.seconds }, (_, i) => eventFor(`steady-${run}`, i));
  const base = await handled();
  const sampler = setInterval(() => void sampleLag(), 100);
  const producing = (async () => {
    for (let s = 0; s < args.seconds; s++) {
      const tick = Date.now();
      await put(steady.slice(s * args.rate, (s + 1) * args.rate));
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - tick))));
    }
  })();
  // put → start latency of every 10th record, from the workflow's start time
  const latencies: number[] = [];
  await producing;
  while ((await handled()) < base + steady.length) await new Promise((r) => setTimeout(r, 100));
  clearInterval(sampler);
  for (let i = 0; i < steady.length; i += 10) {
    const key = steady[i].incident_key;
    const description = await client.workflow.getHandle(`event/${key}`).describe();
    latencies.push(description.startTime.getTime() - (putTimes.get(key) ?? NaN));
  }

  worker.shutdown();
  await running;
  await native.close();
  await connection.close();
  destroyAwsClients(aws);
  await moto.process.stop();
  await temporal.process.stop();
  fs.rmSync(tempDir, { recursive: true, force: true });

  const sortedLag = [...lagSamples].sort((a, b) => a - b);
  const sortedLatencies = [...latencies].sort((a, b) => a - b);
  const best = raw.find((r) => r.concurrency === 2)?.perSecond ?? NaN;
  const most = raw.find((r) => r.concurrency === 16)?.perSecond ?? NaN;
  const lines = [
    `| path | records | per second | ratio to raw (2 at a time) | ratio to raw (16 at a time) |`,
    `| --- | --- | --- | --- | --- |`,
    ...raw.map(
      (r) =>
        `| raw client starts, ${r.concurrency} at a time | ${args.records} | ${r.perSecond.toFixed(0)} | ${(r.perSecond / best).toFixed(2)} | ${(r.perSecond / most).toFixed(2)} |`,
    ),
    `| bridge, ${args.shards}-shard backlog | ${args.records} | ${backlogPerSecond.toFixed(0)} | ${(backlogPerSecond / best).toFixed(2)} | ${(backlogPerSecond / most).toFixed(2)} |`,
  ];
  const summary = [
    `- backlog: largest lag the bridge reported ${(backlogMaxLag / 1000).toFixed(1)} s`,
    `- steady ${args.rate} records/s for ${args.seconds} s (default settings: idle poll ${settings.idle_poll_ms} ms): ` +
      `lag p50 ${percentile(sortedLag, 50).toFixed(0)} ms, p99 ${percentile(sortedLag, 99).toFixed(0)} ms; ` +
      `put → workflow start p50 ${percentile(sortedLatencies, 50)} ms, p99 ${percentile(sortedLatencies, 99)} ms (${latencies.length} sampled)`,
  ];
  process.stdout.write(`\n${lines.join('\n')}\n${summary.join('\n')}\n`);
  if (process.argv.includes('--record')) {
    const results = path.join(projectRoot, 'bench', 'RESULTS.md');
    const load = os.loadavg()[0].toFixed(1);
    const section =
      `\n### bridge.bench ${new Date().toISOString()} (${os.cpus().length} cores, shared, load average ${load})\n\n` +
      `${lines.join('\n')}\n\n${summary.join('\n')}\n`;
    fs.appendFileSync(results, section);
    process.stdout.write(`recorded in ${path.relative(process.cwd(), results)}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bridge bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
