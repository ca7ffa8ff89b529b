// Benchmark: a storm of failure events through the full local stack (the parts `npm start` runs, started by the chaos
// tooling's stack: Temporal dev server, moto behind the AWS fault proxy, PagerDuty emulator, Slack/SMTP receivers,
// fleet simulator, the real worker, Kinesis bridge and REST API processes), with the shipped `stateless` profile, rules,
// runbook and breaker. N events over M services (each of H hosts, S of them made sick) are submitted through
// POST /v1/events within a few seconds. Prints, and with --record appends to bench/RESULTS.md: the time until every
// event was decided, decision latency p50/p99 from occurred_at, when the regional breaker opened (and on which
// service's event), the actions taken (runbooks started, how many after the breaker opened, clones launched), history
// events and activities per decision for each outcome, and a bare-Temporal baseline measured in the same run (one
// workflow start and one activity per event, the worker process's settings) with the throughput ratio.
//
// Usage: npm run bench:storm -- [--events 180] [--services 60] [--hosts 3] [--sick 1] [--submit-seconds 3]
//                               [--timeout-seconds 600] [--samples 20] [--record]
// Each flag also reads BENCH_STORM_<NAME> (BENCH_STORM_EVENTS=1000 BENCH_STORM_SERVICES=200).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { LazarusEvent } from '../core/event';
import { regionalGovernorQuery, statusQuery } from '../contracts/messages';
import type { RemediationStatus } from '../contracts/trace';
import { regionalGovernorId, remediationWorkflowId } from '../contracts/workflow-ids';
import { startChaosStack, type ChaosStack } from '../devstack/chaos/stack';
import { machine } from '../devstack/chaos/runner';
import { projectRoot } from '../devstack/paths';
import { readWorkerProcessSettings } from '../worker/settings';
import type { noopChain } from './bench-workflows';
import { percentile } from './percentile';

interface Args {
  events: number;
  services: number;
  hosts: number;
  sick: number;
  submitSeconds: number;
  timeoutSeconds: number;
  samples: number;
  record: boolean;
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function parseArgs(argv: string[]): Args {
  const value = (name: string, fallback: number): number => {
    const i = argv.indexOf(`--${name}`);
    const raw = i >= 0 ? argv[i + 1] : process.env[`BENCH_STORM_${name.toUpperCase().replace(/-/g, '_')}`];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, not ${raw}`);
    return n;
  };
  const args = {
    events: value('events', 180),
    services: value('services', 60),
    hosts: value('hosts', 3),
    sick: value('sick', 1),
    submitSeconds: value('submit-seconds', 3),
    timeoutSeconds: value('timeout-seconds', 600),
    samples: value('samples', 20),
    record: argv.includes('--record'),
  };
  if (args.sick > args.hosts) throw new UsageError(`--sick (${args.sick}) must not exceed --hosts (${args.hosts})`);
  if (args.services > args.events) throw new UsageError('--services must not exceed --events');
  return args;
}

const log = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` over `items`, `limit` at a time. */
async function inBatches<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

interface StormEvent {
  event: LazarusEvent;
  submittedAt?: number;
  accepted?: boolean;
  /** 429 answers (the API's per-token rate limit) before it was accepted. */
  throttled?: number;
  /** The last answer that was not an acceptance. */
  refusal?: string;
}

/** Fleet: M services of H hosts (S sick); N events round-robin over the services and, within one, over its sick hosts. */
async function setUpFleet(stack: ChaosStack, args: Args, services: string[]): Promise<Map<string, string[]>> {
  const sickHosts = new Map<string, string[]>();
  await inBatches(services, 4, async (name) => {
    const { instanceIds } = await stack.fleet.createService({ name, hosts: args.hosts });
    const sick = instanceIds.slice(0, args.sick);
    for (const id of sick) stack.fleet.setHealth(id, 'unhealthy');
    sickHosts.set(name, sick);
  });
  return sickHosts;
}

/** The sensor's page for each event, triggered on the emulator before the storm (as Nagios would). */
async function triggerPages(stack: ChaosStack, events: StormEvent[]): Promise<void> {
  await inBatches(events, 16, async ({ event }) => {
    const res = await fetch(`${stack.pagerDuty.restUrl}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        event_action: 'trigger',
        routing_key: stack.routingKey,
        dedup_key: event.incident_key,
        payload: { summary: `${event.host} health check down`, source: 'nagios', severity: 'critical' },
      }),
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    if (res.status !== 202) throw new Error(`storm: paging ${event.incident_key}: HTTP ${res.status}`);
  });
}

/** POST /v1/events, spread evenly over `seconds`; occurred_at is the moment each is sent. Retries a 5xx for 60 s. */
async function submitStorm(stack: ChaosStack, events: StormEvent[], seconds: number): Promise<number> {
  const began = Date.now();
  const sends: Array<Promise<void>> = [];
  for (const [i, item] of events.entries()) {
    const wait = began + (i * seconds * 1000) / events.length - Date.now();
    if (wait > 0) await sleep(wait);
    item.event.occurred_at = new Date().toISOString();
    item.submittedAt = Date.now();
    sends.push(
      (async () => {
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline) {
          try {
            const res = await fetch(`${stack.apiUrl}/v1/events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: 'Bearer dev-sensor-token' },
              body: JSON.stringify(item.event),
              signal: AbortSignal.timeout(30_000),
            });
            if (res.status === 202 || res.status === 200) {
              await res.arrayBuffer();
              item.accepted = true;
              return;
            }
            if (res.status === 429) {
              // as a sensor honouring Retry-After
              item.throttled = (item.throttled ?? 0) + 1;
              await sleep(Number(res.headers.get('retry-after') ?? 1) * 1000);
              continue;
            }
            item.refusal = `HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`;
            if (res.status < 500) break;
          } catch {
            // refused or timed out: retry, as a sensor would
          }
          await sleep(500);
        }
        item.accepted = false;
      })(),
    );
  }
  await Promise.all(sends);
  return Date.now() - began;
}

interface Decided {
  key: string;
  outcome: string;
  reason?: string;
  decidedAt: number;
  latencyMs: number;
  /** From occurred_at to the remediation's start (the API, Kinesis and the bridge). */
  startLagMs?: number;
}

/**
 * Waits until every accepted event's remediation has decided: closed, or still running its runbook with decided_at
 * set (the page acknowledged). Polls visibility for the counts started and still running, then queries the few that
 * run. Events accepted but never started (the count of starts stalls for a minute) and the ones undecided at the
 * timeout are reported, not waited for: the figures say what did run.
 */
async function waitForDecisions(
  client: Client,
  events: StormEvent[],
  timeoutMs: number,
): Promise<{ decided: Decided[]; notStarted: number; undecided: number }> {
  const deadline = Date.now() + timeoutMs;
  const accepted = events.filter((e) => e.accepted);
  const decided = new Map<string, Decided>();
  const settle = (item: StormEvent, status: RemediationStatus | undefined, startedAt?: Date): void => {
    if (!status?.decided_at) return;
    decided.set(item.event.incident_key, {
      key: item.event.incident_key,
      outcome: status.outcome && status.phase === 'done' ? status.outcome : 'acknowledged, still running',
      reason: status.reason,
      decidedAt: status.decided_at,
      latencyMs: status.decided_at - Date.parse(item.event.occurred_at),
      startLagMs: startedAt ? startedAt.getTime() - Date.parse(item.event.occurred_at) : undefined,
    });
  };
  let notStarted = 0;
  const sweep = async (): Promise<void> => {
    notStarted = 0;
    const open = accepted.filter((e) => !decided.has(e.event.incident_key));
    await inBatches(open, 8, async (item) => {
      const handle = client.workflow.getHandle(remediationWorkflowId(item.event.incident_key));
      const description = await handle.describe().catch(() => undefined);
      if (!description) {
        notStarted++;
        return;
      }
      if (description.status.name === 'RUNNING') {
        settle(item, await handle.query(statusQuery).catch(() => undefined), description.startTime);
      } else {
        settle(
          item,
          (await handle.result().catch(() => undefined)) as RemediationStatus | undefined,
          description.startTime,
        );
      }
    });
  };
  let lastReport = 0;
  let lastTotal = -1;
  let totalSince = Date.now();
  while (Date.now() < deadline) {
    const [total, running] = await Promise.all([
      client.workflow.count(`WorkflowType = 'remediate'`).then((c) => c.count),
      client.workflow.count(`WorkflowType = 'remediate' AND ExecutionStatus = 'Running'`).then((c) => c.count),
    ]);
    if (total !== lastTotal) [lastTotal, totalSince] = [total, Date.now()];
    if (Date.now() - lastReport > 10_000) {
      log(`  ${total} of ${accepted.length} remediations started, ${running} running`);
      lastReport = Date.now();
    }
    const allStarted = total >= accepted.length || Date.now() - totalSince > 60_000;
    if (allStarted && running <= 50) {
      await sweep();
      if (decided.size + notStarted >= accepted.length)
        return { decided: [...decided.values()], notStarted, undecided: 0 };
    }
    await sleep(2000);
  }
  log(`storm: timeout after ${timeoutMs / 1000} s: reading every remediation once`);
  await sweep();
  return {
    decided: [...decided.values()],
    notStarted,
    undecided: accepted.length - decided.size - notStarted,
  };
}

/** Each decision with its final outcome: a remediation still running its runbook is waited for, up to `timeoutMs`. */
async function finalOutcomes(client: Client, decisions: Decided[], timeoutMs: number): Promise<Decided[]> {
  const deadline = Date.now() + timeoutMs;
  return await inBatches(decisions, 8, async (d) => {
    if (!d.outcome.startsWith('acknowledged')) return d;
    const handle = client.workflow.getHandle(remediationWorkflowId(d.key));
    while (Date.now() < deadline) {
      const description = await handle.describe().catch(() => undefined);
      if (description && description.status.name !== 'RUNNING') {
        const status = (await handle.result().catch(() => undefined)) as RemediationStatus | undefined;
        return { ...d, outcome: status?.outcome ?? description.status.name, reason: status?.reason };
      }
      await sleep(2000);
    }
    return d;
  });
}

/** The commonest reason of each outcome, its figures (numbers, ids) blanked so that alike reasons group. */
function reasons(decisions: Decided[]): string[] {
  const counts = new Map<string, Map<string, number>>();
  for (const d of decisions) {
    const shape = (d.reason ?? '(none)')
      .replace(/storm-[a-z0-9]+-\d+/g, '<service>')
      .replace(/i-[0-9a-f]+/g, '<host>')
      .replace(/\d+(\.\d+)?/g, 'N')
      .slice(0, 200);
    const byReason = counts.get(d.outcome) ?? new Map<string, number>();
    byReason.set(shape, (byReason.get(shape) ?? 0) + 1);
    counts.set(d.outcome, byReason);
  }
  return [...counts].sort().map(([outcome, byReason]) => {
    const [top, n] = [...byReason].sort((a, b) => b[1] - a[1])[0];
    return `  - ${outcome}: ${n}× "${top}"${byReason.size > 1 ? ` (+${byReason.size - 1} other reasons)` : ''}`;
  });
}

interface HistoryCost {
  outcome: string;
  count: number;
  sampled: number;
  events: { mean: number; min: number; max: number };
  activities: number;
  localActivities: number;
  children: number;
}

/** History events, activities (scheduled, and local ones recorded as markers) and children per decision, by outcome. */
async function historyCosts(client: Client, decisions: Decided[], samples: number): Promise<HistoryCost[]> {
  const byOutcome = new Map<string, Decided[]>();
  for (const d of decisions) {
    const outcome = d.outcome;
    byOutcome.set(outcome, [...(byOutcome.get(outcome) ?? []), d]);
  }
  const costs: HistoryCost[] = [];
  for (const [outcome, list] of [...byOutcome].sort()) {
    const sample = list.slice(0, samples);
    const figures = await inBatches(sample, 4, async (d) => {
      const history = await client.workflow.getHandle(remediationWorkflowId(d.key)).fetchHistory();
      const events = history.events ?? [];
      return {
        events: events.length,
        activities: events.filter((e) => e.activityTaskScheduledEventAttributes).length,
        localActivities: events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
          .length,
        children: events.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes).length,
      };
    });
    const mean = (pick: (f: (typeof figures)[number]) => number): number =>
      Math.round((figures.reduce((sum, f) => sum + pick(f), 0) / figures.length) * 10) / 10;
    costs.push({
      outcome,
      count: list.length,
      sampled: figures.length,
      events: {
        mean: mean((f) => f.events),
        min: Math.min(...figures.map((f) => f.events)),
        max: Math.max(...figures.map((f) => f.events)),
      },
      activities: mean((f) => f.activities),
      localActivities: mean((f) => f.localActivities),
      children: mean((f) => f.children),
    });
  }
  return costs;
}

interface Actions {
  runbooksStarted: number;
  runbooksAfterBreaker: number;
  /** Of those started after the opening, the ones the child's own breaker read stopped before their first step. */
  stoppedBeforeFirstStep: number;
  firstRunbookAt?: number;
  clonesLaunched: number;
}

async function actionsTaken(stack: ChaosStack, since: number, breakerOpenedAt: number | undefined): Promise<Actions> {
  const starts: number[] = [];
  const late: Array<{ workflowId: string; runId: string }> = [];
  for await (const wf of stack.client.workflow.list({ query: `WorkflowType = 'runbook'` })) {
    const at = wf.startTime.getTime();
    if (at >= since) starts.push(at);
    if (breakerOpenedAt !== undefined && at >= breakerOpenedAt) late.push(wf);
  }
  starts.sort((a, b) => a - b);
  let stoppedBeforeFirstStep = 0;
  for (const wf of late) {
    const result = (await stack.client.workflow
      .getHandle(wf.workflowId, wf.runId)
      .result()
      .catch(() => undefined)) as { outcome?: string; steps?: Array<{ status: string }> } | undefined;
    if (result?.outcome === 'CIRCUIT_OPEN' && (result.steps ?? []).every((step) => step.status === 'waiting'))
      stoppedBeforeFirstStep++;
  }
  await stack.fleet.sync().catch(() => undefined);
  return {
    runbooksStarted: starts.length,
    runbooksAfterBreaker: late.length,
    stoppedBeforeFirstStep,
    firstRunbookAt: starts[0],
    clonesLaunched: stack.fleet.state().hosts.filter((h) => h.adopted).length,
  };
}

/** The bare-Temporal baseline: N workflow starts, each running one no-op activity, on a worker with the same settings. */
async function baseline(
  stack: ChaosStack,
  count: number,
  submitSeconds: number,
): Promise<{ elapsedMs: number; latencies: number[]; errors: number }> {
  const { address, namespace } = stack.temporal;
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./bench-workflows'),
    logger: new DefaultLogger('ERROR'),
  });
  const native = await NativeConnection.connect({ address });
  const taskQueue = `storm-baseline-${randomUUID().slice(0, 8)}`;
  const settings = readWorkerProcessSettings(process.env);
  const worker = await Worker.create({
    connection: native,
    namespace,
    taskQueue,
    workflowBundle: { code },
    activities: { noop: () => Promise.resolve() },
    // as worker/main.ts creates the main queue's worker: SDK defaults and the process's sticky timeout
    stickyQueueScheduleToStartTimeout: settings.stickyTimeoutMs,
  });
  const running = worker.run();
  const began = Date.now();
  let errors = 0;
  const done: Array<Promise<number | undefined>> = [];
  for (let i = 0; i < count; i++) {
    const wait = began + (i * submitSeconds * 1000) / count - Date.now();
    if (wait > 0) await sleep(wait);
    const started = Date.now();
    done.push(
      stack.client.workflow
        .execute<typeof noopChain>('noopChain', { taskQueue, workflowId: `baseline-${taskQueue}-${i}`, args: [1] })
        .then(
          () => Date.now() - started,
          () => {
            errors++;
            return undefined;
          },
        ),
    );
  }
  const latencies = (await Promise.all(done)).filter((l): l is number => l !== undefined).sort((a, b) => a - b);
  const elapsedMs = Date.now() - began;
  worker.shutdown();
  await running;
  await native.close();
  return { elapsedMs, latencies, errors };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const runId = Math.random().toString(36).slice(2, 8);
  const services = Array.from({ length: args.services }, (_, i) => `storm-${runId}-${i + 1}`);
  const load = (): string =>
    os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  // worker tuning under test (LAZARUS_WORKER_*_SLOTS of this process's environment), named in the report
  const workerEnv = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => /^LAZARUS_WORKER_\w+_SLOTS$/.test(e[0]) && !!e[1]),
  );
  const tuning = Object.entries(workerEnv).map(([k, v]) => `${k}=${v}`);
  log(
    `storm: ${args.events} events over ${args.services} services (${args.hosts} hosts, ${args.sick} sick each), ` +
      `submitted within ${args.submitSeconds} s; ${machine()}; load ${load()}` +
      (tuning.length ? `; worker ${tuning.join(' ')}` : ''),
  );
  const stack = await startChaosStack({
    runId,
    ingest: 'api',
    services: services.map((name) => ({ name, profile: 'stateless' })),
    // the shipped breaker (services/deployment.yaml)
    breaker: { open_threshold: 5, close_threshold: 2, window: '10m' },
    // A storm comes from many sensors, each with its own token and its own rate limit (50/s by default); here one
    // token sends everything, so its limit is lifted (LAZARUS_API_RATE_LIMIT=0).
    apiEnv: { LAZARUS_API_RATE_LIMIT: process.env.BENCH_STORM_API_RATE_LIMIT ?? '0' },
    workerEnv,
    log,
  });
  // One stop, awaited by whoever asks (Ctrl-C and the end of the run), so nothing exits while the stack still stops.
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= stack.stop());
  process.on('SIGINT', () => void stop().finally(() => process.exit(130)));
  try {
    const setupStart = Date.now();
    const sickHosts = await setUpFleet(stack, args, services);
    const events: StormEvent[] = Array.from({ length: args.events }, (_, i) => {
      const service = services[i % services.length];
      const sick = sickHosts.get(service)!;
      const round = Math.floor(i / services.length);
      return {
        event: {
          incident_key: `storm-${runId}-${i}`,
          event_type: 'HealthcheckDown',
          source: 'nagios',
          service,
          host: sick[round % sick.length],
          region: stack.region,
          environment: 'prod',
          occurred_at: new Date().toISOString(),
        },
      };
    });
    await triggerPages(stack, events);
    log(
      `storm: fleet of ${args.services * args.hosts} hosts and ${events.length} pages ready in ${Date.now() - setupStart} ms`,
    );

    const loadBefore = load();
    const stormStart = Date.now();
    const submitMs = await submitStorm(stack, events, args.submitSeconds);
    const refused = events.filter((e) => !e.accepted).length;
    const throttled = events.filter((e) => e.throttled).length;
    const refusal = events.find((e) => !e.accepted)?.refusal;
    log(`storm: ${events.length - refused} events accepted by the API in ${submitMs} ms (${refused} refused)`);
    const waited = await waitForDecisions(stack.client, events, args.timeoutSeconds * 1000);
    const decisions = waited.decided;
    const lastDecided = Math.max(...decisions.map((d) => d.decidedAt));
    const allDecidedMs = lastDecided - stormStart;
    const latencies = decisions.map((d) => d.latencyMs).sort((a, b) => a - b);
    const within60 = latencies.filter((l) => l <= 60_000).length;
    // where the time went: occurred_at → started (API, Kinesis, bridge) and started → decided (worker, server)
    const startLags = decisions
      .flatMap((d) => (d.startLagMs === undefined ? [] : [d.startLagMs]))
      .sort((a, b) => a - b);
    const inWorkflow = decisions
      .flatMap((d) => (d.startLagMs === undefined ? [] : [d.latencyMs - d.startLagMs]))
      .sort((a, b) => a - b);
    const seconds = (ms: number[], p: number): string => (ms.length ? (percentile(ms, p) / 1000).toFixed(1) : '?');
    const loadAfter = load();
    // The remediations that act are decided at the page's acknowledgement and keep running their runbook: wait (bounded)
    // for them to end, so their outcome and whole history count.
    const final = await finalOutcomes(stack.client, decisions, Math.min(180_000, args.timeoutSeconds * 1000));

    const governor = await stack.client.workflow
      .getHandle(regionalGovernorId(stack.region))
      .query(regionalGovernorQuery)
      .catch(() => undefined);
    const opened = governor?.transitions.find((t) => t.to === 'open' && t.at >= stormStart);
    const openingEvent = opened ? events.find((e) => e.event.service === opened.cause) : undefined;
    const actions = await actionsTaken(stack, stormStart, opened?.at);
    const outcomes = new Map<string, number>();
    for (const d of final) outcomes.set(d.outcome, (outcomes.get(d.outcome) ?? 0) + 1);
    const costs = await historyCosts(stack.client, final, args.samples);

    log('storm: bare-Temporal baseline (one start + one activity per event) on the same dev server ...');
    const base = await baseline(stack, args.events, args.submitSeconds);
    const lazarusRate = decisions.length / (allDecidedMs / 1000);
    const baseRate = base.latencies.length / (base.elapsedMs / 1000);

    const eventIndex = openingEvent ? events.indexOf(openingEvent) : -1;
    const lines = [
      `- load: ${args.events} events over ${args.services} services (${args.hosts} hosts each, ${args.sick} sick), ` +
        `submitted through POST /v1/events in ${(submitMs / 1000).toFixed(1)} s (${refused} refused` +
        `${refusal ? `, e.g. ${refusal}` : ''}; ${throttled} answered 429 first and retried after Retry-After); ` +
        `load average ${loadBefore} before, ${loadAfter} after`,
      `- decided: ${decisions.length} of ${events.length - refused} by ${(allDecidedMs / 1000).toFixed(1)} s ` +
        `after the first submission; decision latency from occurred_at p50 ${(percentile(latencies, 50) / 1000).toFixed(1)} s, ` +
        `p99 ${(percentile(latencies, 99) / 1000).toFixed(1)} s, max ${(latencies[latencies.length - 1] / 1000).toFixed(1)} s; ` +
        `${within60} of ${latencies.length} within 60 s; occurred_at → started p50 ${seconds(startLags, 50)} s, ` +
        `p99 ${seconds(startLags, 99)} s; started → decided p50 ${seconds(inWorkflow, 50)} s, p99 ${seconds(inWorkflow, 99)} s` +
        (waited.notStarted ? `; ${waited.notStarted} accepted but never started` : '') +
        (waited.undecided ? `; ${waited.undecided} NOT decided within the ${args.timeoutSeconds} s bound` : ''),
      `- outcomes (final; "acknowledged, still running" = runbook not finished within the wait): ${[...outcomes]
        .sort()
        .map(([o, n]) => `${o} ${n}`)
        .join(', ')}`,
      ...reasons(final),
      opened
        ? `- breaker opened ${((opened.at - stormStart) / 1000).toFixed(1)} s after the first submission, at ` +
          `${opened.failing_count} failing services, on service ${opened.cause} (its first event ` +
          `${openingEvent?.event.incident_key ?? '?'}, number ${eventIndex + 1} of the storm, submitted at ` +
          `+${openingEvent?.submittedAt ? ((openingEvent.submittedAt - stormStart) / 1000).toFixed(1) : '?'} s)`
        : '- breaker: did not open',
      `- actions: ${actions.runbooksStarted} runbooks started` +
        (opened
          ? `, ${actions.runbooksAfterBreaker} of them after the breaker opened (${actions.stoppedBeforeFirstStep} of ` +
            `those stopped by their own breaker read before the first step)`
          : '') +
        (actions.firstRunbookAt ? ` (first at +${((actions.firstRunbookAt - stormStart) / 1000).toFixed(1)} s)` : '') +
        `; ${actions.clonesLaunched} clones launched (adopted by the fleet simulator)`,
      `- baseline: ${base.latencies.length} workflows (one start + one no-op activity each, ${base.errors} errors) in ` +
        `${(base.elapsedMs / 1000).toFixed(1)} s, latency p50 ${percentile(base.latencies, 50)} ms, ` +
        `p99 ${percentile(base.latencies, 99)} ms`,
      `- throughput: Lazarus ${lazarusRate.toFixed(1)} decisions/s, baseline ${baseRate.toFixed(1)} workflows/s, ` +
        `ratio ${(lazarusRate / baseRate).toFixed(2)}`,
      '',
      '| outcome | decisions | sampled | history events mean (min-max) | activities | local activities | child workflows |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...costs.map(
        (c) =>
          `| ${c.outcome} | ${c.count} | ${c.sampled} | ${c.events.mean} (${c.events.min}-${c.events.max}) | ` +
          `${c.activities} | ${c.localActivities} | ${c.children} |`,
      ),
    ];
    log(`\n${lines.join('\n')}\n`);
    if (args.record) {
      const results = path.join(projectRoot, 'bench', 'RESULTS.md');
      const heading =
        `### storm.bench ${new Date().toISOString()} (${machine()})` +
        (tuning.length ? `, worker ${tuning.join(' ')}` : '');
      fs.appendFileSync(results, `\n${heading}\n\n${lines.join('\n')}\n`);
      log(`recorded in ${path.relative(process.cwd(), results)}`);
    }
  } finally {
    await stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`storm.bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
