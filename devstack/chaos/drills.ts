// The fault drills and their runner (docs/chaos.md). Each drill: sets up services of simulated hosts with one sick host
// each and its page triggered, sends the events, injects its fault when a condition is met (read from Temporal: the
// runbook run's pending activity), heals, waits (bounded) until every event has an outcome, then computes its figures
// from real state: Temporal (outcomes), moto (instances tagged lazarus:replaces), the PagerDuty emulator (pages) and
// the Slack/SMTP receivers (who was told). Every wait is bounded in time.
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { WorkflowNotFoundError } from '@temporalio/client';
import { hostLockId, remediationWorkflowId } from '../../contracts/workflow-ids';
import type { LazarusEvent } from '../../core/event';
import { startRemediation } from '../../ingest/remediation-start';
import { CHECKER_ZONES, type ChaosStack } from './stack';

export interface DrillFigures {
  drill: string;
  title: string;
  ran: boolean;
  notRun?: string;
  eventsSent: number;
  outcomes: Record<string, number>;
  newInstances: number;
  duplicateActions: number;
  pagesLeftAcknowledged: number;
  eventsLost: number;
  /** From the fault's end (healed) to the last outcome, ms. */
  recoverMs: number | null;
  durationMs: number;
  notes: string[];
  violations: string[];
}

export interface DrillEvent {
  event: LazarusEvent;
  service: string;
  sick: string;
}

export interface DrillContext {
  stack: ChaosStack;
  log: (line: string) => void;
  /** Shorter fault windows (the fast subset in `npm test`). */
  fast: boolean;
  notes: string[];
}

export interface Drill {
  name: string;
  title: string;
  /** Services (of 4 hosts, one sick) the drill needs; named `<runId>-<drill>-<i>`. */
  services: number;
  profile: 'chaos_stateless' | 'chaos_fail_fast';
  needs?: Array<'api' | 'ownTemporal'>;
  /** Sends the events, injects the fault, heals; resolves with when the fault ended. */
  run(ctx: DrillContext, events: DrillEvent[]): Promise<{ healedAt: number }>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `intervalMs` until it returns a value other than undefined/false, for at most `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`chaos: ${what}: not within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/** Bound of each call to Temporal, the emulators, the receivers, the fleet simulator and moto. */
export const CALL_TIMEOUT_MS = 10_000;

/** A Temporal client call with a deadline: a server that never answers fails the call instead of hanging the run. */
export function temporalCall<T>(stack: ChaosStack, fn: () => Promise<T>, timeoutMs = CALL_TIMEOUT_MS): Promise<T> {
  return stack.client.withDeadline(Date.now() + timeoutMs, fn);
}

/** GET and parse JSON, bounded. */
async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`chaos: GET ${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
}

export function serviceNames(runId: string, drill: Drill): string[] {
  return Array.from({ length: drill.services }, (_, i) => `${runId}-${drill.name}-${i + 1}`);
}

/** A service of four hosts, the first one sick, and its page triggered on the emulator. */
async function setUpService(ctx: DrillContext, service: string): Promise<DrillEvent> {
  const { stack } = ctx;
  const res = await postJson(`${stack.fleet.url}/services`, { name: service, hosts: 4 });
  if (res.status !== 201) throw new Error(`chaos: creating ${service}: HTTP ${res.status} ${await res.text()}`);
  const { instanceIds } = (await res.json()) as { instanceIds: string[] };
  const sick = instanceIds[0];
  const health = await postJson(`${stack.fleet.url}/hosts/${sick}/health`, { health: 'unhealthy' });
  await health.arrayBuffer();
  if (!health.ok) throw new Error(`chaos: making ${sick} sick: HTTP ${health.status}`);
  const incidentKey = `${service}-hc`;
  const trigger = await fetch(`${stack.pagerDuty.restUrl}/v2/enqueue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      event_action: 'trigger',
      routing_key: stack.routingKey,
      dedup_key: incidentKey,
      payload: { summary: `${sick} health check down`, source: 'nagios', severity: 'critical' },
    }),
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
  if (trigger.status !== 202) throw new Error(`chaos: paging ${incidentKey}: HTTP ${trigger.status}`);
  return {
    service,
    sick,
    event: {
      incident_key: incidentKey,
      event_type: 'HealthcheckDown',
      source: 'nagios',
      service,
      host: sick,
      region: stack.region,
      environment: 'prod',
      occurred_at: new Date().toISOString(),
    },
  };
}

/**
 * Sends one event the way a sensor does: through the REST API (retrying a 5xx or a refused connection, as a sensor
 * would, for at most 60 s) or, with `ingest: 'direct'`, started as the bridge starts it. True once accepted.
 */
export async function submit(stack: ChaosStack, event: LazarusEvent): Promise<boolean> {
  if (stack.ingest === 'direct') {
    await temporalCall(stack, () => startRemediation(stack.client, stack.taskQueue, event));
    return true;
  }
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const res = await postJson(`${stack.apiUrl}/v1/events`, event, { authorization: 'Bearer dev-sensor-token' });
      await res.arrayBuffer();
      if (res.status === 202 || res.status === 200) return true;
      if (res.status < 500) return false;
    } catch {
      // refused or timed out: retry
    }
    await sleep(500);
  }
  return false;
}

export async function submitAll(ctx: DrillContext, events: DrillEvent[]): Promise<void> {
  const accepted = await Promise.all(events.map((e) => submit(ctx.stack, e.event)));
  const refused = events.filter((_, i) => !accepted[i]).map((e) => e.event.incident_key);
  if (refused.length > 0) ctx.notes.push(`not accepted by the API within 60 s: ${refused.join(', ')}`);
}

/** The activities the runbook run of `sick` has pending (empty before it starts or after it ends). */
export async function pendingActivities(
  stack: ChaosStack,
  sick: string,
): Promise<Array<{ activity: string; worker: string; heartbeated: boolean }>> {
  try {
    const description = await temporalCall(stack, () => stack.client.workflow.getHandle(hostLockId(sick)).describe());
    return (description.raw.pendingActivities ?? []).map((p) => ({
      activity: p.activityType?.name ?? '',
      worker: p.lastWorkerIdentity ?? '',
      heartbeated: p.lastHeartbeatTime !== null && p.lastHeartbeatTime !== undefined,
    }));
  } catch {
    return [];
  }
}

/** Waits until the runbook run of `sick` runs `activity` (and, with `heartbeated`, has heartbeated). */
export async function stepRunning(
  ctx: DrillContext,
  sick: string,
  activity: string,
  timeoutMs = 90_000,
  heartbeated = true,
): Promise<string> {
  const found = await waitFor(
    `step ${activity} of ${sick} running`,
    async () =>
      (await pendingActivities(ctx.stack, sick)).find(
        (p) => p.activity === activity && (!heartbeated || p.heartbeated),
      ),
    timeoutMs,
  );
  return found.worker;
}

type OutcomeRead = { outcome?: string; reason?: string; status: string; closedAt?: number };

async function outcomeOf(stack: ChaosStack, key: string): Promise<OutcomeRead> {
  const handle = stack.client.workflow.getHandle(remediationWorkflowId(key));
  try {
    const description = await temporalCall(stack, () => handle.describe());
    const status = description.status.name;
    if (status === 'RUNNING') return { status };
    if (status !== 'COMPLETED') return { status };
    const result = (await temporalCall(stack, () => handle.result())) as { outcome?: string; reason?: string };
    return { status, outcome: result.outcome, reason: result.reason, closedAt: description.closeTime?.getTime() };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { status: 'NOT_STARTED' };
    return { status: 'UNREADABLE' };
  }
}

async function instancesReplacing(stack: ChaosStack, sick: string): Promise<number> {
  const out = await stack.aws.ec2.send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'tag:lazarus:replaces', Values: [sick] }] }),
    { abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) },
  );
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).length;
}

interface PagerState {
  incidents: Array<{ incident_key: string; status: string; escalations: Array<{ by: string }> }>;
}

async function pagesLeftAcknowledged(stack: ChaosStack, keys: string[]): Promise<string[]> {
  const state = await getJson<PagerState>(`${stack.pagerDuty.restUrl}/_emulator/state`);
  const base = stack.receivers.slackUrl;
  const hooks = await getJson<{ webhooks: Array<{ body: unknown }> }>(`${base}/_receiver/webhooks`);
  const mails = await getJson<{ emails: Array<{ subject: string; text: string }> }>(`${base}/_receiver/emails`);
  const notices = [
    ...hooks.webhooks.map((w) => JSON.stringify(w.body)),
    ...mails.emails.map((m) => `${m.subject}\n${m.text}`),
  ];
  // Told: the page was escalated through the API, or Slack/email said it escalated or that PagerDuty is unreachable.
  const told = (key: string): boolean => notices.some((n) => n.includes(key) && /escalat|unreachable/i.test(n));
  return state.incidents
    .filter((i) => keys.includes(i.incident_key) && i.status === 'acknowledged')
    .filter((i) => !i.escalations.some((e) => e.by === 'api') && !told(i.incident_key))
    .map((i) => i.incident_key);
}

/** Runs one drill on the stack and computes its figures; never throws for a drill that fails its invariants. */
export async function runDrill(ctx: DrillContext, drill: Drill, outcomeTimeoutMs = 240_000): Promise<DrillFigures> {
  const { stack } = ctx;
  const figures: DrillFigures = {
    drill: drill.name,
    title: drill.title,
    ran: false,
    eventsSent: 0,
    outcomes: {},
    newInstances: 0,
    duplicateActions: 0,
    pagesLeftAcknowledged: 0,
    eventsLost: 0,
    recoverMs: null,
    durationMs: 0,
    notes: ctx.notes,
    violations: [],
  };
  const missing = (drill.needs ?? []).filter((n) => (n === 'api' ? stack.ingest !== 'api' : !stack.ownTemporal));
  if (missing.length > 0) {
    figures.notRun = `needs ${missing.join(' and ')} (this stack: ingest ${stack.ingest}, own dev server ${stack.ownTemporal})`;
    return figures;
  }
  const started = Date.now();
  ctx.log(`chaos: drill ${drill.name}: ${drill.title}`);
  const events = await Promise.all(serviceNames(stack.runId, drill).map((s) => setUpService(ctx, s)));
  figures.eventsSent = events.length;
  figures.ran = true;
  let healedAt = Date.now();
  try {
    ({ healedAt } = await drill.run(ctx, events));
  } catch (err) {
    figures.violations.push(`the drill did not run as planned: ${err instanceof Error ? err.message : String(err)}`);
    stack.proxy.heal();
    await postJson(`${stack.pagerDuty.restUrl}/_emulator/heal`, {}).catch(() => undefined);
  }
  // Every event's outcome, bounded.
  const keys = events.map((e) => e.event.incident_key);
  const reads = new Map<string, OutcomeRead>();
  const deadline = Date.now() + outcomeTimeoutMs;
  // When the last remediation closed (Temporal's close time; the time we read it if unknown).
  let lastOutcomeAt: number | undefined;
  while (Date.now() < deadline) {
    for (const key of keys) {
      if (reads.get(key)?.outcome) continue;
      const read = await outcomeOf(stack, key);
      reads.set(key, read);
      if (read.outcome) lastOutcomeAt = Math.max(lastOutcomeAt ?? 0, read.closedAt ?? Date.now());
    }
    if (
      keys.every(
        (k) => reads.get(k)?.outcome || !['RUNNING', 'NOT_STARTED', 'UNREADABLE'].includes(reads.get(k)!.status),
      )
    )
      break;
    await sleep(500);
  }
  for (const key of keys) {
    const read = reads.get(key)!;
    const name = read.outcome ?? `no outcome (${read.status})`;
    figures.outcomes[name] = (figures.outcomes[name] ?? 0) + 1;
    if (read.outcome !== 'REMEDIATED') figures.notes.push(`${key}: ${name}: ${read.reason ?? '(no reason)'}`);
  }
  figures.eventsLost = keys.filter((k) => !reads.get(k)?.outcome).length;
  figures.recoverMs =
    figures.eventsLost === 0 && lastOutcomeAt !== undefined ? Math.max(0, lastOutcomeAt - healedAt) : null;
  if (figures.recoverMs === 0 && lastOutcomeAt !== undefined) {
    figures.notes.push(
      `every outcome reached during the fault (the last ${healedAt - lastOutcomeAt} ms before it ended)`,
    );
  }
  // Instances: one per remediation at most (a compensated clone still counts as launched).
  for (const e of events) {
    const n = await instancesReplacing(stack, e.sick);
    figures.newInstances += n;
    figures.duplicateActions += Math.max(0, n - 1);
  }
  // Pages: an escalation can still be on its way right after the outcome; give it a bounded moment.
  let left: string[] = [];
  const pagesDeadline = Date.now() + 20_000;
  for (;;) {
    left = await pagesLeftAcknowledged(stack, keys);
    if (left.length === 0 || Date.now() > pagesDeadline) break;
    await sleep(1000);
  }
  figures.pagesLeftAcknowledged = left.length;
  if (figures.eventsLost > 0) figures.violations.push(`${figures.eventsLost} event(s) without an outcome`);
  if (figures.duplicateActions > 0) figures.violations.push(`${figures.duplicateActions} duplicate instance(s)`);
  if (left.length > 0) figures.violations.push(`pages left acknowledged, nobody told: ${left.join(', ')}`);
  figures.durationMs = Date.now() - started;
  return figures;
}

// ---------------------------------------------------------------------------------------------------------------------
// The drills

const pdHook = async (stack: ChaosStack, action: string, body: unknown = {}): Promise<void> => {
  const res = await postJson(`${stack.pagerDuty.restUrl}/_emulator/${action}`, body);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`chaos: PagerDuty emulator ${action}: HTTP ${res.status}`);
};

const outage = async (stack: ChaosStack, service: string, failing: boolean): Promise<void> => {
  const res = await postJson(`${stack.fleet.url}/services/${service}/outage`, { failing });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`chaos: outage of ${service} ${String(failing)}: HTTP ${res.status}`);
};

/** Kills (or SIGTERMs) the worker while `activity` runs on it, with a new worker already up. */
async function workerLossDrill(
  ctx: DrillContext,
  events: DrillEvent[],
  activity: 'cloneHost' | 'waitHealthy',
  signal: 'SIGKILL' | 'SIGTERM',
): Promise<{ healedAt: number }> {
  const { stack } = ctx;
  const [target] = events;
  const old = stack.worker();
  // moto launches instances `running` at once: RunInstances is answered late (after moto has acted), so the clone
  // step is observably running: 15 s when the worker dies mid-clone, 3 s to put the service in outage before verify.
  const latencyRule = stack.proxy.inject([
    {
      service: 'ec2',
      actions: ['RunInstances'],
      fault: 'latency',
      latencyMs: activity === 'cloneHost' ? 15_000 : 3000,
      phase: 'after',
    },
  ]);
  await submitAll(ctx, events);
  if (activity === 'waitHealthy') {
    await stepRunning(ctx, target.sick, 'cloneHost', 90_000, false);
    await Promise.all(events.map((e) => outage(stack, e.service, true)));
  }
  const worker = await stepRunning(ctx, target.sick, activity);
  ctx.notes.push(`${activity} of ${target.event.incident_key} running on ${worker}`);
  await sleep(1000);
  const next = await stack.startWorker();
  const at = Date.now();
  if (signal === 'SIGKILL') old.kill();
  else void old.stop(15_000);
  const code = await old.exited;
  ctx.notes.push(
    `old worker ${signal}: exited (${String(code)}) ${Date.now() - at} ms after the signal; ${next.name} up`,
  );
  stack.proxy.heal(latencyRule);
  if (activity === 'waitHealthy') await Promise.all(events.map((e) => outage(stack, e.service, false)));
  return { healedAt: Date.now() };
}

export const drills: Drill[] = [
  {
    name: 'aws-faults',
    title:
      'AWS answers 5xx and throttles (every call, alternately) for 30 s (8 s in the fast subset) while remediations run',
    services: 3,
    profile: 'chaos_stateless',
    async run(ctx: DrillContext, events: DrillEvent[]): Promise<{ healedAt: number }> {
      const { stack } = ctx;
      const windowMs = ctx.fast ? 8000 : 30_000;
      // The window opens once every remediation has been started (read from Temporal): it then hits the checks, the
      // runbooks and the bridge's further reads, not only the bridge's read of the events from the stream.
      await submitAll(ctx, events);
      await waitFor(
        'every remediation started',
        async () => {
          for (const e of events) {
            if ((await outcomeOf(stack, e.event.incident_key)).status === 'NOT_STARTED') return false;
          }
          return true;
        },
        60_000,
        100,
      );
      const [rule] = stack.proxy.inject([{ fault: 'outage', service: undefined }]);
      const before = stack.proxy.state().counts;
      const running = (await Promise.all(events.map((e) => outcomeOf(stack, e.event.incident_key)))).filter(
        (r) => r.status === 'RUNNING',
      ).length;
      await sleep(windowMs);
      stack.proxy.heal([rule]);
      const after = stack.proxy.state().counts;
      const faulted = Object.entries(after.faulted)
        .map(([k, v]) => `${k} ${v - (before.faulted[k] ?? 0)}`)
        .join(', ');
      const calls = Object.entries(after.byCall)
        .map(([call, c]): [string, number] => [call, c.faulted - (before.byCall[call]?.faulted ?? 0)])
        .filter(([, n]) => n > 0)
        .map(([call, n]) => `${call} ${n}`)
        .join(', ');
      ctx.notes.push(
        `window opened with ${running} of ${events.length} remediations running; ` +
          `fault window ${windowMs / 1000} s: AWS calls answered ${faulted}`,
      );
      ctx.notes.push(`calls faulted: ${calls || 'none'}`);
      return { healedAt: Date.now() };
    },
  },
  {
    name: 'cancel-drain',
    title: 'native `temporal workflow cancel` of a remediation while its drain step runs',
    services: 1,
    profile: 'chaos_stateless',
    async run(ctx: DrillContext, events: DrillEvent[]): Promise<{ healedAt: number }> {
      const { stack } = ctx;
      const [e] = events;
      // moto deregisters at once: DeregisterTargets is answered 10 s late so the drain is observably running.
      const rule = stack.proxy.inject([
        { service: 'elasticloadbalancing', actions: ['DeregisterTargets'], fault: 'latency', latencyMs: 10_000 },
      ]);
      await submitAll(ctx, events);
      await stepRunning(ctx, e.sick, 'drainHost', 90_000, false);
      await temporalCall(stack, () =>
        stack.client.workflow.getHandle(remediationWorkflowId(e.event.incident_key)).cancel(),
      );
      ctx.notes.push('cancelled (RequestCancelWorkflowExecution) while drainHost ran');
      stack.proxy.heal(rule);
      return { healedAt: Date.now() };
    },
  },
  {
    name: 'kill-worker-clone',
    title: 'SIGKILL of the worker mid-clone (RunInstances slowed by the proxy), new worker up',
    services: 1,
    profile: 'chaos_stateless',
    run: (ctx, events) => workerLossDrill(ctx, events, 'cloneHost', 'SIGKILL'),
  },
  {
    name: 'kill-worker-verify',
    title: 'SIGKILL of the worker mid-verify (the service in outage meanwhile), new worker up',
    services: 1,
    profile: 'chaos_stateless',
    run: (ctx, events) => workerLossDrill(ctx, events, 'waitHealthy', 'SIGKILL'),
  },
  {
    name: 'term-worker',
    title: 'SIGTERM of the worker mid-runbook (verify waiting), grace 1 s, new worker up',
    services: 1,
    profile: 'chaos_stateless',
    run: (ctx, events) => workerLossDrill(ctx, events, 'waitHealthy', 'SIGTERM'),
  },
  {
    name: 'kill-bridge',
    title: 'SIGKILL of the Kinesis bridge during a burst of 8 events, a new bridge started after it',
    services: 8,
    profile: 'chaos_stateless',
    needs: ['api'],
    async run(ctx: DrillContext, events: DrillEvent[]): Promise<{ healedAt: number }> {
      const { stack } = ctx;
      const old = stack.bridge()!;
      const sending = submitAll(ctx, events);
      // Kill it once the first remediation has been started from the stream, the others still arriving.
      await waitFor(
        'a first remediation started by the bridge',
        async () => (await outcomeOf(stack, events[0].event.incident_key)).status !== 'NOT_STARTED',
        60_000,
        100,
      );
      old.kill();
      const at = Date.now();
      await old.exited;
      await sending;
      await stack.startBridge();
      ctx.notes.push(`bridge SIGKILLed after the first start; new bridge up ${Date.now() - at} ms later`);
      return { healedAt: Date.now() };
    },
  },
  {
    name: 'restart-temporal',
    title: 'restart of the Temporal dev server mid-flight (SQLite file kept), verify waiting',
    services: 2,
    profile: 'chaos_stateless',
    needs: ['ownTemporal'],
    async run(ctx: DrillContext, events: DrillEvent[]): Promise<{ healedAt: number }> {
      const { stack } = ctx;
      const slow = stack.proxy.inject([
        { service: 'ec2', actions: ['RunInstances'], fault: 'latency', latencyMs: 3000, phase: 'after' },
      ]);
      await submitAll(ctx, events);
      await stepRunning(ctx, events[0].sick, 'cloneHost', 90_000, false);
      await Promise.all(events.map((e) => outage(stack, e.service, true)));
      stack.proxy.heal(slow);
      await stepRunning(ctx, events[0].sick, 'waitHealthy');
      const { stoppedMs, upMs } = await stack.restartTemporal(3000);
      ctx.notes.push(
        `dev server stopped in ${stoppedMs} ms, down 3 s, answering again ${upMs} ms after the stop began`,
      );
      await Promise.all(events.map((e) => outage(stack, e.service, false)));
      return { healedAt: Date.now() };
    },
  },
  {
    name: 'pagerduty-down',
    title: 'PagerDuty emulator down (every call 503) for 60 s while a failed remediation escalates',
    services: 1,
    profile: 'chaos_fail_fast',
    async run(ctx: DrillContext, events: DrillEvent[]): Promise<{ healedAt: number }> {
      const { stack } = ctx;
      const [e] = events;
      const downMs = ctx.fast ? 20_000 : 60_000;
      const slow = stack.proxy.inject([
        { service: 'ec2', actions: ['RunInstances'], fault: 'latency', latencyMs: 3000, phase: 'after' },
      ]);
      await submitAll(ctx, events);
      // acknowledged, the clone made: the service goes into outage, so verify fails after 15 s and the run escalates
      await stepRunning(ctx, e.sick, 'cloneHost', 90_000, false);
      await outage(stack, e.service, true);
      stack.proxy.heal(slow);
      await pdHook(stack, 'fail', { mode: '503', scope: 'all' });
      const downAt = Date.now();
      await sleep(downMs);
      await pdHook(stack, 'heal');
      const state = await getJson<{ calls: { failed: number } }>(`${stack.pagerDuty.restUrl}/_emulator/state`);
      ctx.notes.push(
        `PagerDuty down ${Math.round((Date.now() - downAt) / 1000)} s: ${state.calls.failed} calls failed`,
      );
      await outage(stack, e.service, false);
      return { healedAt: Date.now() };
    },
  },
  {
    name: 'zone-partition',
    title:
      'The sick host’s zone is cut off from the other zones’ checkers (the host itself healthy): no action, ' +
      'PRECONDITION_FAILED naming the partition, escalated',
    services: 1,
    profile: 'chaos_stateless',
    async run(ctx: DrillContext, events: DrillEvent[]): Promise<{ healedAt: number }> {
      const { stack } = ctx;
      const [e] = events;
      const zone = stack.fleet.state().hosts.find((h) => h.instanceId === e.sick)?.availabilityZone ?? '';
      // The alarm is false: the host is healthy, only the network between its zone and the others is down.
      stack.fleet.setHealth(e.sick, 'healthy');
      stack.fleet.setZonePartition(
        zone,
        CHECKER_ZONES.filter((z) => z !== zone),
      );
      try {
        await submitAll(ctx, events);
        const read = await waitFor(
          `an outcome for ${e.event.incident_key}`,
          async () => {
            const r = await outcomeOf(stack, e.event.incident_key);
            return r.outcome ? r : undefined;
          },
          120_000,
        );
        if (read.outcome !== 'PRECONDITION_FAILED' || !read.reason?.includes(`zone ${zone}`)) {
          throw new Error(`expected PRECONDITION_FAILED naming the partition of ${zone}, got ${read.outcome}`);
        }
      } finally {
        stack.fleet.setZonePartition(zone, []);
      }
      return { healedAt: Date.now() };
    },
  },
];

export const fastDrills = ['aws-faults', 'cancel-drain'];
