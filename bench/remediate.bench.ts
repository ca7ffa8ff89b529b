// Benchmark: remediations driven at a fixed event rate through the real workflow on a Temporal dev server, side by
// side in the same run with a bare-Temporal baseline (a workflow running the same number of no-op activities).
// Prints decision latency (client start → page acknowledged or escalated) p50/p99 and throughput, and appends the
// figures to bench/RESULTS.md.
//
// Usage: npm run bench:remediate -- [--rate 50] [--seconds 20]
// Page, notify and runbook activities are in-process no-ops here, and checker probes answer from memory: the figure
// is the cost of Lazarus's decision machinery on Temporal, not of PagerDuty or AWS.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createCheckerActivities } from '../activities/checks';
import { createEntityActivities } from '../activities/entities';
import { type LazarusEvent } from '../core/event';
import type { MatchResult } from '../core/resolved-config';
import { projectRoot } from '../devstack/paths';
import { freePort } from '../devstack/service-process';
import { loadTemporalDevConfig, startTemporalDevServer } from '../devstack/temporal-dev';
import type { remediate } from '../workflows';
import { createWorkerMetrics } from '../worker/metrics';
import type { noopChain } from './bench-workflows';
import { percentile } from './percentile';
import { remediationWorkflowId } from '../contracts/workflow-ids';
import { actionTaskQueue } from '../contracts/task-queues';

interface Args {
  rate: number;
  seconds: number;
}

function parseArgs(argv: string[]): Args {
  const value = (flag: string, fallback: number): number => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  return { rate: value('--rate', 50), seconds: value('--seconds', 20) };
}

const zones = ['zone-a', 'zone-b', 'zone-c'];
const region = 'bench-region';

function matchFor(event: LazarusEvent, taskQueue: string): MatchResult {
  return {
    snapshot_version: 'bench',
    event,
    service: {
      service: event.service,
      team: 'bench',
      profile: 'stateless',
      params: {},
      notifications: { slack_webhooks: [], emails: [], pagerduty_routing_key: 'bench' },
      shadow: false,
      max_event_age_ms: 600_000,
      rate_limit: { threshold: 1_000_000, window_ms: 600_000 },
    },
    rule: {
      name: 'bench-rule',
      preconditions: [
        { check: 'MinActiveHosts', params: { min: 2 } },
        { check: 'PeerCheck', params: { tolerance: 0.25 } },
      ],
      runbook: {
        name: 'bench-runbook',
        workflow_timeout_ms: 60_000,
        steps: [
          {
            id: 'drain',
            activity: 'drainHost',
            input: { instanceId: '${event.host}' },
            needs: [],
            retry: { maximum_attempts: 1, initial_interval_ms: 100, backoff_coefficient: 2, maximum_interval_ms: 100 },
            timeout_ms: 10_000,
          },
        ],
      },
      lock: 'host',
      notification_group: 'bench',
      category: 'host_replacement',
    },
    explanations: [],
    deployment: {
      region,
      checker_nodes: zones.map((zone) => ({ name: zone, zone, task_queue: `${taskQueue}-${zone}` })),
      quorum: 2,
      quorum_deadline_ms: 10_000,
      breaker: { open_threshold: 1_000_000, close_threshold: 0, window_ms: 600_000 },
      shadow: false,
      page_retry_ms: 6 * 3600_000,
      compensation_retry_ms: 300_000,
    },
  };
}

async function drive(
  label: string,
  args: Args,
  startOne: (i: number) => Promise<number>,
): Promise<{ label: string; latencies: number[]; throughput: number; errors: number }> {
  const total = args.rate * args.seconds;
  const pending: Array<Promise<number | undefined>> = [];
  const began = Date.now();
  let errors = 0;
  for (let i = 0; i < total; i++) {
    const due = began + (i * 1000) / args.rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      startOne(i).catch(() => {
        errors++;
        return undefined;
      }),
    );
  }
  const latencies = (await Promise.all(pending)).filter((l): l is number => l !== undefined).sort((a, b) => a - b);
  const elapsed = (Date.now() - began) / 1000;
  return { label, latencies, throughput: latencies.length / elapsed, errors };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazarus-bench-'));
  const config = {
    ...loadTemporalDevConfig(),
    port: await freePort(),
    ui_port: null,
    db_filename: null,
    log_level: 'error',
  };
  const temporal = await startTemporalDevServer(config);
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./bench-workflows'),
    logger: new DefaultLogger('ERROR'),
  });
  const bundlePath = path.join(tempDir, 'bundle.js');
  fs.writeFileSync(bundlePath, code);
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: temporal.address });
  const taskQueue = `bench-${randomUUID()}`;
  let activityCalls = 0;
  const counted =
    <T>(fn: () => Promise<T>) =>
    (): Promise<T> => {
      activityCalls++;
      return fn();
    };
  const hosts = Array.from({ length: 4 }, (_, i) => ({
    instanceId: `i-${i}`,
    state: 'running',
    securityGroupIds: [],
    tags: {},
  }));
  const entity = createEntityActivities({ client, taskQueue });
  const activities = {
    resolveEvent: (event: LazarusEvent) => counted(() => Promise.resolve(matchFor(event, taskQueue)))(),
    governorAdmit: (...args: Parameters<typeof entity.governorAdmit>) => counted(() => entity.governorAdmit(...args))(),
    readControl: (...args: Parameters<typeof entity.readControl>) => counted(() => entity.readControl(...args))(),
    acknowledgePage: counted(() => Promise.resolve({ dedupKey: 'x' })),
    resolvePage: counted(() => Promise.resolve({ dedupKey: 'x' })),
    escalatePage: counted(() => Promise.resolve({ incidentId: 'x', escalationLevel: 1, raised: true })),
    notify: counted(() => Promise.resolve({ delivered: [], failed: [] })),
    noop: () => Promise.resolve(),
  };
  // the runbook's actions run on the control realm's queue
  const actions = { drainHost: counted(() => Promise.resolve({ targetGroupArns: [] })) };
  const workers = [
    await Worker.create({
      connection: native,
      taskQueue,
      workflowBundle: { codePath: bundlePath },
      activities,
      // as in production: the workflows report their decisions to the worker's metrics
      sinks: createWorkerMetrics().sinks,
      maxConcurrentWorkflowTaskExecutions: 200,
      maxConcurrentActivityTaskExecutions: 400,
    }),
    await Worker.create({ connection: native, taskQueue: actionTaskQueue(taskQueue), activities: actions }),
    ...(await Promise.all(
      zones.map((zone) =>
        Worker.create({
          connection: native,
          taskQueue: `${taskQueue}-${zone}`,
          activities: createCheckerActivities({
            node: zone,
            zone,
            listServiceHosts: () => Promise.resolve(hosts),
            probeHost: () => Promise.resolve({ status: 'healthy' as const, url: 'mem://' }),
          }),
        }),
      ),
    )),
  ];
  const runs = workers.map((w) => w.run());

  // Warm-up, and the number of activities one remediation runs (the baseline runs as many).
  const warm = await client.workflow.execute<typeof remediate>('remediate', {
    taskQueue,
    workflowId: `warm-${randomUUID()}`,
    args: [eventFor(0, 'warm'), {}],
  });
  void warm;
  const perRemediation = activityCalls + zones.length;
  process.stdout.write(`one remediation runs ${perRemediation} activities (incl. ${zones.length} quorum checks)\n`);

  const run = randomUUID().slice(0, 6);
  const lazarus = await drive('lazarus remediate', args, async (i) => {
    const event = eventFor(i, run);
    const started = Date.now();
    const handle = await client.workflow.start<typeof remediate>('remediate', {
      taskQueue,
      workflowId: remediationWorkflowId(event.incident_key),
      args: [event, {}],
    });
    const status = await handle.result();
    if (status.outcome !== 'REMEDIATED') throw new Error(`${status.outcome}: ${status.reason}`);
    return (status.decided_at ?? Date.now()) - started;
  });
  const baseline = await drive('bare Temporal baseline', args, async (i) => {
    const started = Date.now();
    const handle = await client.workflow.start<typeof noopChain>('noopChain', {
      taskQueue,
      workflowId: `baseline-${run}-${i}`,
      args: [perRemediation],
    });
    await handle.result();
    return Date.now() - started;
  });

  for (const w of workers) w.shutdown();
  await Promise.all(runs);
  await native.close();
  await connection.close();
  await temporal.process.stop();
  fs.rmSync(tempDir, { recursive: true, force: true });

  const rows = [lazarus, baseline].map((r) => ({
    label: r.label,
    n: r.latencies.length,
    errors: r.errors,
    p50: percentile(r.latencies, 50),
    p99: percentile(r.latencies, 99),
    throughput: r.throughput,
  }));
  const ratio = lazarus.throughput / baseline.throughput;
  const lines = [
    `| run | rate × seconds | n | errors | p50 ms | p99 ms | completed/s |`,
    `| --- | --- | --- | --- | --- | --- | --- |`,
    ...rows.map(
      (r) =>
        `| ${r.label} | ${args.rate}/s × ${args.seconds} s | ${r.n} | ${r.errors} | ${r.p50} | ${r.p99} | ${r.throughput.toFixed(1)} |`,
    ),
  ];
  const summary = `throughput ratio lazarus/baseline: ${ratio.toFixed(2)}; lazarus latency is start → page acknowledged, baseline latency is start → ${perRemediation} no-op activities done`;
  process.stdout.write(`\n${lines.join('\n')}\n${summary}\n`);
  const results = path.join(projectRoot, 'bench', 'RESULTS.md');
  const section = `\n### remediate.bench ${new Date().toISOString()} (${os.cpus().length} cores, shared)\n\n${lines.join('\n')}\n\n${summary}\n`;
  fs.appendFileSync(results, section);
  process.stdout.write(`recorded in ${path.relative(process.cwd(), results)}\n`);
}

function eventFor(i: number, run: string): LazarusEvent {
  return {
    incident_key: `bench-${run}-${i}`,
    event_type: 'HealthcheckDown',
    source: 'api',
    service: `svc-${i % 50}`,
    host: `i-bench-${run}-${i}`,
    region,
    environment: 'prod',
    occurred_at: new Date().toISOString(),
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`remediate.bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
