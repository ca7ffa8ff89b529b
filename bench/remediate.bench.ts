// Benchmark: remediations driven at a fixed event rate through the real workflow on a Temporal dev server, side by
// side in the same run with a bare-Temporal baseline (a workflow running the same number of no-op activities).
// Prints decision latency (client start → page acknowledged or escalated) p50/p99 and throughput, and appends the
// figures to bench/RESULTS.md.
//
// Usage: npm run bench:remediate -- [--rate 50] [--seconds 20]
//        npm run bench:remediate -- --outcomes [--label before|after]   history events and activities per outcome
//        npm run bench:remediate -- --burst 180 --services 60          updates/signals per second into the region
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
import { controlId, remediationWorkflowId } from '../contracts/workflow-ids';
import { setKillSwitchUpdate } from '../contracts/messages';
import { actionTaskQueue } from '../contracts/task-queues';

interface Args {
  rate: number;
  seconds: number;
  outcomes: boolean;
  label: string;
  burst: number;
  services: number;
}

function parseArgs(argv: string[]): Args {
  const value = (flag: string, fallback: number): number => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const text = (flag: string, fallback: string): string => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  return {
    rate: value('--rate', 50),
    seconds: value('--seconds', 20),
    outcomes: argv.includes('--outcomes'),
    label: text('--label', 'this tree'),
    burst: value('--burst', 0),
    services: value('--services', 60),
  };
}

const zones = ['zone-a', 'zone-b', 'zone-c'];
const region = 'bench-region';
/** Regions of the outcome scenarios: one whose breaker opens at the first failing service, one kill-switched. */
const openRegion = 'bench-open';
const killedRegion = 'bench-killed';
/** Regions of the burst: a breaker at its shipped default (opens at 5 distinct failing services). */
const burstRegion = 'bench-burst';

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
      rate_limit: { threshold: event.service === 'svc-limited' ? 0 : 1_000_000, window_ms: 600_000 },
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
      regions: [region, openRegion, killedRegion, burstRegion],
      breaker:
        event.region === openRegion
          ? { open_threshold: 1, close_threshold: 0, window_ms: 600_000 }
          : event.region === burstRegion
            ? { open_threshold: 5, close_threshold: 2, window_ms: 600_000 }
            : { open_threshold: 1_000_000, close_threshold: 0, window_ms: 600_000 },
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
  // every entity activity of this tree, counted (a tree before the storm gates has fewer)
  const entityActivities = Object.fromEntries(
    Object.entries(entity).map(([name, fn]) => [
      name,
      (...args: unknown[]) => counted(() => (fn as (...a: unknown[]) => Promise<unknown>)(...args))(),
    ]),
  );
  let releaseHeld!: () => void;
  const held = new Promise<void>((r) => (releaseHeld = r));
  const activities = {
    ...entityActivities,
    resolveEvent: (event: LazarusEvent) => counted(() => Promise.resolve(matchFor(event, taskQueue)))(),
    acknowledgePage: counted(() => Promise.resolve({ dedupKey: 'x' })),
    resolvePage: counted(() => Promise.resolve({ dedupKey: 'x' })),
    escalatePage: counted(() => Promise.resolve({ incidentId: 'x', escalationLevel: 1, raised: true })),
    addPageNote: counted(() => Promise.resolve({ incidentId: 'x' })),
    triggerPage: counted(() => Promise.resolve({ dedupKey: 'x' })),
    notify: counted(() => Promise.resolve({ delivered: [], failed: [] })),
    noop: () => Promise.resolve(),
  };
  // the runbook's actions run on the control realm's queue
  const actions = {
    drainHost: (input: { instanceId?: string }) =>
      counted(async () => {
        if (input.instanceId === 'i-held') await held;
        return { targetGroupArns: [] };
      })(),
  };
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
            // the service of the PRECONDITION_FAILED scenario is sick everywhere (a downstream outage)
            listServiceHosts: (service: string) =>
              Promise.resolve(
                service === 'svc-sick' ? hosts.map((h) => ({ ...h, instanceId: `i-sick-${h.instanceId}` })) : hosts,
              ),
            probeHost: (host: { instanceId: string }) =>
              Promise.resolve({
                status: host.instanceId.startsWith('i-sick') ? ('unhealthy' as const) : ('healthy' as const),
                url: 'mem://',
              }),
          }),
        }),
      ),
    )),
  ];
  const runs = workers.map((w) => w.run());
  const stop = async (): Promise<void> => {
    releaseHeld();
    for (const w of workers) w.shutdown();
    await Promise.all(runs);
    await native.close();
    await connection.close();
    await temporal.process.stop();
    fs.rmSync(tempDir, { recursive: true, force: true });
  };
  if (args.outcomes) {
    await measureOutcomes(client, taskQueue, args.label, releaseHeld);
    await stop();
    return;
  }
  if (args.burst > 0) {
    await measureBurst(client, taskQueue, args);
    await stop();
    return;
  }

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

interface OutcomeCost {
  outcome: string;
  expected: string;
  remediation_events: number;
  runbook_events: number;
  activities: number;
  local_activities: number;
  workflow_tasks: number;
}

/** History events, activity tasks, local activities and workflow tasks of one workflow's history. */
async function historyCost(
  client: Client,
  workflowId: string,
): Promise<{ events: number; activities: number; local: number; tasks: number }> {
  try {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    const type = (e: (typeof events)[number]): string => String(e.eventType);
    if (process.env.LAZARUS_BENCH_SEQUENCE) {
      // what one decision is made of: each event's kind (a marker by its name: patch, local activity)
      const kinds = events.map((e) =>
        e.markerRecordedEventAttributes
          ? `marker:${e.markerRecordedEventAttributes.markerName}`
          : (Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k]) ?? type(e)),
      );
      process.stdout.write(`${workflowId}: ${kinds.map((k) => k.replace(/EventAttributes$/, '')).join(' ')}\n`);
    }
    return {
      events: events.length,
      activities: events.filter((e) => /ACTIVITY_TASK_SCHEDULED|ActivityTaskScheduled|^10$/.test(type(e))).length,
      local: events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length,
      tasks: events.filter((e) => e.workflowTaskCompletedEventAttributes).length,
    };
  } catch {
    return { events: 0, activities: 0, local: 0, tasks: 0 };
  }
}

/**
 * One remediation per outcome, each on its own service, and the cost of each in history: events of the remediation
 * (and of its runbook child), activity tasks, local activities (one marker each), workflow tasks.
 */
async function measureOutcomes(client: Client, taskQueue: string, label: string, releaseHeld: () => void) {
  const run = randomUUID().slice(0, 6);
  const base = (name: string, overrides: Partial<LazarusEvent> = {}): LazarusEvent => ({
    incident_key: `cost-${run}-${name}`,
    event_type: 'HealthcheckDown',
    source: 'api',
    service: `svc-${name}`,
    host: `i-${name}-${run}`,
    region,
    environment: 'prod',
    occurred_at: new Date().toISOString(),
    ...overrides,
  });
  const execute = async (event: LazarusEvent) =>
    (
      await client.workflow.start<typeof remediate>('remediate', {
        taskQueue,
        workflowId: remediationWorkflowId(event.incident_key),
        args: [event, {}],
      })
    ).result();
  // the kill switch of its region set before its event
  const control = await client.workflow.start('control', {
    taskQueue,
    workflowId: controlId(killedRegion),
    args: [{ region: killedRegion }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  await control.executeUpdate(setKillSwitchUpdate, {
    args: [{ scope: 'global', enabled: true, reason: 'bench', actor: 'bench' }],
  });
  const scenarios: Array<{ expected: string; event: LazarusEvent; before?: () => Promise<unknown> }> = [
    { expected: 'REMEDIATED', event: base('ok') },
    { expected: 'STALE', event: base('stale', { occurred_at: new Date(Date.now() - 3_600_000).toISOString() }) },
    { expected: 'LATE', event: base('late', { occurred_at: new Date(Date.now() - 90_000).toISOString() }) },
    { expected: 'RATE_LIMITED', event: base('limited', { service: 'svc-limited' }) },
    { expected: 'CIRCUIT_OPEN', event: base('open', { region: openRegion }) },
    { expected: 'KILL_SWITCH', event: base('killed', { region: killedRegion }) },
    { expected: 'PRECONDITION_FAILED', event: base('sick', { service: 'svc-sick', host: 'i-sick-0' }) },
  ];
  const results: OutcomeCost[] = [];
  const cost = async (expected: string, event: LazarusEvent, outcome: string): Promise<void> => {
    const main = await historyCost(client, remediationWorkflowId(event.incident_key));
    const child = await historyCost(client, `lock/host/${event.host}`);
    const own = outcome === 'REMEDIATED' || outcome === 'SHADOW';
    results.push({
      outcome,
      expected,
      remediation_events: main.events,
      runbook_events: own ? child.events : 0,
      activities: main.activities + (own ? child.activities : 0),
      local_activities: main.local + (own ? child.local : 0),
      workflow_tasks: main.tasks + (own ? child.tasks : 0),
    });
  };
  for (const { expected, event } of scenarios) {
    const status = await execute(event);
    await cost(expected, event, status.outcome ?? '?');
  }
  // LOCKED: a second alarm about a host whose runbook is running (its drain held)
  const first = base('held', { host: 'i-held', service: 'svc-held' });
  const holder = await client.workflow.start<typeof remediate>('remediate', {
    taskQueue,
    workflowId: remediationWorkflowId(first.incident_key),
    args: [first, {}],
  });
  for (let i = 0; i < 100; i++) {
    const described = await client.workflow
      .getHandle('lock/host/i-held')
      .describe()
      .catch(() => undefined);
    if (described?.status.name === 'RUNNING') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const second = base('held-2', { host: 'i-held', service: 'svc-held', event_type: 'NagiosHostAlarm' });
  const locked = await execute(second);
  await cost('LOCKED', second, locked.outcome ?? '?');
  releaseHeld();
  await holder.result();

  const lines = [
    `| outcome (expected) | remediation history events | runbook child events | activity tasks | local activities | workflow tasks |`,
    `| --- | --- | --- | --- | --- | --- |`,
    ...results.map(
      (r) =>
        `| ${r.outcome}${r.outcome === r.expected ? '' : ` (${r.expected})`} | ${r.remediation_events} | ${r.runbook_events} | ${r.activities} | ${r.local_activities} | ${r.workflow_tasks} |`,
    ),
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  const section = `\n### remediate.bench --outcomes ${new Date().toISOString()} (${label})\n\n${lines.join('\n')}\n`;
  fs.appendFileSync(path.join(projectRoot, 'bench', 'RESULTS.md'), section);
}

/**
 * A burst of single-host failures over many services into one region: how many Updates and Signals reach the
 * regional governor (the only entity every service shares), at what peak rate, and what the burst decided.
 */
async function measureBurst(client: Client, taskQueue: string, args: Args): Promise<void> {
  const run = randomUUID().slice(0, 6);
  const began = Date.now();
  const events = Array.from({ length: args.burst }, (_, i) => ({
    incident_key: `burst-${run}-${i}`,
    event_type: 'HealthcheckDown',
    source: 'api' as const,
    service: `burst-${run}-${i % args.services}`,
    host: `i-burst-${run}-${i}`,
    region: burstRegion,
    environment: 'prod' as const,
    occurred_at: new Date().toISOString(),
  }));
  const handles = await Promise.all(
    events.map((event) =>
      client.workflow.start<typeof remediate>('remediate', {
        taskQueue,
        workflowId: remediationWorkflowId(event.incident_key),
        args: [event, {}],
      }),
    ),
  );
  const submitted = Date.now() - began;
  const statuses = await Promise.all(handles.map((h) => h.result()));
  const decidedMs = Date.now() - began;
  const outcomes = new Map<string, number>();
  for (const s of statuses) outcomes.set(s.outcome ?? '?', (outcomes.get(s.outcome ?? '?') ?? 0) + 1);
  const history = await client.workflow.getHandle(`governor/region/${burstRegion}`).fetchHistory();
  const times: number[] = [];
  let updates = 0;
  let signals = 0;
  for (const e of history.events ?? []) {
    const at = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
    if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      updates++;
      times.push(at);
    } else if (e.workflowExecutionSignaledEventAttributes) {
      signals++;
      times.push(at);
    }
  }
  const perSecond = new Map<number, number>();
  for (const t of times) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
  const peak = Math.max(0, ...perSecond.values());
  const admissions = statuses.length;
  const summary = [
    `- ${args.burst} events over ${args.services} services submitted in ${submitted} ms, all decided in ${decidedMs} ms: ${[...outcomes].map(([o, n]) => `${o} ${n}`).join(', ')}`,
    `- into governor/region/${burstRegion}: ${updates} Updates + ${signals} Signals = ${updates + signals} messages for ${admissions} admissions (${((updates + signals) / admissions).toFixed(2)} per event), peak ${peak} per second; region history ${history.events?.length ?? 0} events`,
    `- every admission reads the breaker with a describe of the region (no workflow task, no history event)`,
  ];
  process.stdout.write(`\n${summary.join('\n')}\n`);
  const section = `\n### remediate.bench --burst ${args.burst} --services ${args.services} ${new Date().toISOString()} (${os.cpus().length} cores, shared, load average ${os.loadavg()[0].toFixed(1)})\n\n${summary.join('\n')}\n`;
  fs.appendFileSync(path.join(projectRoot, 'bench', 'RESULTS.md'), section);
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
