// Crash drills with real parts: a real worker process (worker/main.ts, test/support/worker-process.ts) runs the
// shipped replace_host runbook against the fleet simulator and the AWS emulator. Drill 1 kills it with SIGKILL while
// the verify step (waitHealthy) waits on the replacement; a new worker process takes the step over after the step's
// heartbeat timeout (5 s here, then at most the 1 s sticky-queue timeout) and the run ends REMEDIATED with exactly one
// new instance. Drill 2 stops a worker with SIGTERM in the same place: the step is handed back at the end of the
// shutdown grace and another worker finishes it, with no heartbeat timeout at all. Each prints the delay the crash
// added.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createPagerActivities } from '../../activities/pager';
import { hostLockId, remediationWorkflowId } from '../../contracts/workflow-ids';
import type { LazarusEvent } from '../../core/event';
import { Outcome } from '../../core/outcome';
import type { AwsClients } from '../../platform/aws-clients';
import { remediate } from '../../workflows';
import { stackValue } from '../support/stack-env';
import { pagerClientFor, postJson, sharedPagerDuty } from '../support/stand-ins';
import { uniqueTaskQueue } from '../support/temporal';
import { useTestStack } from '../support/test-stack';
import { until } from '../support/wait';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

const id = randomUUID().slice(0, 8);
const region = `drill-region-${id}`;
const taskQueue = uniqueTaskQueue('drill');
const routingKey = `DRILL${id.toUpperCase()}ROUTINGKEY0000000000`;
const heartbeatTimeoutMs = 5000;
const drills = { kill: `drill-kill-${id}`, term: `drill-term-${id}` };
const serviceFile = (name: string): string =>
  `name: ${name}\nteam: sre\nprofile: stateless\nnotifications:\n` +
  `  slack_webhooks: [${stackValue('slackWebhookUrl')}]\n  pagerduty_routing_key: ${routingKey}\n`;

let env: TestWorkflowEnvironment;
let aws: AwsClients;
let configRoot: string;
const stack = useTestStack({
  temporal: true,
  aws: true,
  configTree: () => ({
    region,
    taskQueue,
    services: { [drills.kill]: serviceFile(drills.kill), [drills.term]: serviceFile(drills.term) },
  }),
});
const workers: WorkerProcess[] = [];
let generation = 0;

beforeAll(() => {
  ({ env, aws, configRoot } = stack);
  // The shipped replace_host runbook, with the drill's short heartbeat timeout on its long-running steps and a
  // quick probe interval: the per-step input `heartbeatTimeoutMs` (core/activity-catalog.ts).
  const file = path.join(configRoot, 'profiles', 'runbooks', 'replace_host.yaml');
  let yaml = fs.readFileSync(file, 'utf8');
  const addInputs = (activity: string, lines: string): void => {
    const at = new RegExp(`(activity: ${activity}\n(?: {4}needs: .*\n)? {4}input:\n)`);
    expect(yaml).toMatch(at);
    yaml = yaml.replace(at, `$1${lines}`);
  };
  for (const activity of ['drainHost', 'cloneHost'])
    addInputs(activity, `      heartbeatTimeoutMs: ${heartbeatTimeoutMs}\n`);
  addInputs('waitHealthy', `      heartbeatTimeoutMs: ${heartbeatTimeoutMs}\n      intervalMs: 250\n`);
  fs.writeFileSync(file, yaml);
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
});

async function startWorker(): Promise<WorkerProcess> {
  const worker = await startWorkerProcess({
    identity: `drill-worker-${++generation}-${id}`,
    taskQueue,
    configRoot,
    // a short sticky-queue timeout (the least allowed; default 5 s): the runbook child's next workflow task waits
    // that long on the killed worker's sticky queue before any worker may take it
    env: { LAZARUS_WORKER_SHUTDOWN_GRACE_MS: '1000', LAZARUS_WORKER_STICKY_TIMEOUT_MS: '1000' },
  });
  workers.push(worker);
  return worker;
}

const fleetUrl = (): string => stackValue('fleetSimulatorUrl');

/** A service of four hosts, one failing with its page triggered; returns the sick host and the started run. */
async function startReplacement(service: string): Promise<{ sick: string; handle: WorkflowHandle<typeof remediate> }> {
  const created = await postJson<{ instanceIds: string[] }>(`${fleetUrl()}/services`, { name: service, hosts: 4 });
  expect(created.status).toBe(201);
  const [sick] = created.body.instanceIds;
  await postJson(`${fleetUrl()}/hosts/${sick}/health`, { health: 'unhealthy' });
  const incidentKey = `${service}-healthcheck`;
  const pager = createPagerActivities({ client: pagerClientFor(sharedPagerDuty()) });
  await pager.triggerPage({ routingKey, incidentKey, summary: `${sick} health check down`, source: 'nagios' });
  const event: LazarusEvent = {
    incident_key: incidentKey,
    event_type: 'HealthcheckDown',
    source: 'nagios',
    service,
    host: sick,
    region,
    environment: 'prod',
    occurred_at: new Date().toISOString(),
  };
  const handle = await env.client.workflow.start(remediate, {
    taskQueue,
    workflowId: remediationWorkflowId(incidentKey),
    args: [event, {}],
  });
  return { sick, handle };
}

/** Makes every host of the service answer 503 (or heal it again): the verify step keeps waiting meanwhile. */
async function setOutage(service: string, failing: boolean): Promise<void> {
  const res = await postJson(`${fleetUrl()}/services/${service}/outage`, { failing });
  expect(res.status).toBe(200);
}

interface PendingStep {
  activity: string;
  state: string;
  heartbeats: boolean;
  worker: string;
}

async function pendingSteps(sick: string): Promise<PendingStep[]> {
  try {
    const description = await env.client.workflow.getHandle(hostLockId(sick)).describe();
    return (description.raw.pendingActivities ?? []).map((p) => ({
      activity: p.activityType?.name ?? '',
      state: String(p.state),
      heartbeats: p.lastHeartbeatTime !== null && p.lastHeartbeatTime !== undefined,
      worker: p.lastWorkerIdentity ?? '',
    }));
  } catch {
    return []; // the runbook child is not started yet
  }
}

/** Waits until the verify step's activity runs on `worker` and has heartbeated its progress. */
async function verifyRunningOn(sick: string, worker: WorkerProcess): Promise<void> {
  await until(
    () => pendingSteps(sick),
    (steps) => steps.some((s) => s.activity === 'waitHealthy' && s.heartbeats && s.worker === worker.identity),
    45_000,
  );
}

interface StepEvent {
  kind: 'scheduled' | 'started' | 'completed' | 'failed' | 'timedOut';
  at: number;
  identity?: string;
  detail?: string;
}

/** The verify step's activity events in the runbook child's history, with their times. */
async function verifyHistory(sick: string): Promise<StepEvent[]> {
  const history = await env.client.workflow.getHandle(hostLockId(sick)).fetchHistory();
  const verifyScheduled = new Set<string>();
  const out: StepEvent[] = [];
  const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
    Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
  for (const e of history.events ?? []) {
    const at = ms(e.eventTime);
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'waitHealthy') {
      verifyScheduled.add(String(e.eventId));
      out.push({ kind: 'scheduled', at });
    }
    const ofVerify = (scheduledEventId: unknown): boolean => verifyScheduled.has(String(scheduledEventId));
    const started = e.activityTaskStartedEventAttributes;
    if (started && ofVerify(started.scheduledEventId)) {
      out.push({ kind: 'started', at, identity: started.identity ?? '' });
    }
    const completed = e.activityTaskCompletedEventAttributes;
    if (completed && ofVerify(completed.scheduledEventId)) out.push({ kind: 'completed', at });
    const failed = e.activityTaskFailedEventAttributes;
    if (failed && ofVerify(failed.scheduledEventId)) {
      out.push({ kind: 'failed', at, detail: failed.failure?.applicationFailureInfo?.type ?? '' });
    }
    const timedOut = e.activityTaskTimedOutEventAttributes;
    if (timedOut && ofVerify(timedOut.scheduledEventId)) out.push({ kind: 'timedOut', at });
  }
  return out;
}

async function instancesReplacing(sick: string): Promise<string[]> {
  const out = await aws.ec2.send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'tag:lazarus:replaces', Values: [sick] }] }),
  );
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId ?? '');
}

async function serviceInstances(service: string): Promise<number> {
  const out = await aws.ec2.send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'tag:lazarus:service', Values: [service] }] }),
  );
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).length;
}

describe('worker crash drills (real worker processes)', () => {
  let survivor: WorkerProcess | undefined;

  it('SIGKILL during verify: another worker resumes the step after the heartbeat timeout; one new instance', async () => {
    const first = await startWorker();
    const { sick, handle } = await startReplacement(drills.kill);
    // the runbook child exists once the quorum has passed: from then on every host of the service answers 503
    await until(
      () =>
        env.client.workflow
          .getHandle(hostLockId(sick))
          .describe()
          .then(
            () => true,
            () => false,
          ),
      (started) => started,
      45_000,
    );
    await setOutage(drills.kill, true);
    await verifyRunningOn(sick, first);

    // The next worker is up before the kill, so the figure is the crash's own delay, not a process start's.
    const bootAt = Date.now();
    survivor = await startWorker();
    const bootMs = Date.now() - bootAt;
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await first.exited).toBe('SIGKILL');
    // Only the dead worker holds the step: heal the service, so a live worker would finish verify at once.
    await setOutage(drills.kill, false);
    const status = await handle.result();
    const doneAt = Date.now();

    expect([status.outcome, status.reason]).toEqual([Outcome.Remediated, 'replace_host completed']);
    expect(status.steps.map((s) => [s.id, s.status])).toEqual([
      ['drain', 'succeeded'],
      ['clone', 'succeeded'],
      ['verify', 'succeeded'],
      ['register', 'succeeded'],
      ['forensics', 'succeeded'],
    ]);
    // the worker loss is not a failed attempt of the step
    expect(status.steps.find((s) => s.id === 'verify')!.attempts).toHaveLength(1);
    const replacement = (status.steps.find((s) => s.id === 'clone')!.output as { instanceId: string }).instanceId;
    expect(await instancesReplacing(sick)).toEqual([replacement]);
    expect(await serviceInstances(drills.kill)).toBe(5);

    const events = await verifyHistory(sick);
    const timedOut = events.find((e) => e.kind === 'timedOut');
    const resumed = events.filter((e) => e.kind === 'started').at(-1)!;
    const completed = events.find((e) => e.kind === 'completed')!;
    expect(timedOut).toBeDefined();
    expect(resumed.identity).toBe(survivor.identity);
    const added = completed.at - killedAt;
    process.stdout.write(
      `drill SIGKILL: heartbeat timeout ${heartbeatTimeoutMs} ms; dead worker noticed ${timedOut!.at - killedAt} ms ` +
        `after the kill, step resumed on the new worker after ${resumed.at - killedAt} ms, verify done after ` +
        `${added} ms (delay the crash added; sticky-queue timeout 1000 ms), ` +
        `run ended ${doneAt - killedAt} ms after the kill; ` +
        `the new worker process had started in ${bootMs} ms\n`,
    );
    expect(added).toBeLessThanOrEqual(heartbeatTimeoutMs + 10_000);
  }, 90_000);

  it('SIGTERM during verify: the step is handed back at the end of the grace time and finished elsewhere', async () => {
    const victim = survivor ?? (await startWorker());
    const { sick, handle } = await startReplacement(drills.term);
    await until(
      () =>
        env.client.workflow
          .getHandle(hostLockId(sick))
          .describe()
          .then(
            () => true,
            () => false,
          ),
      (started) => started,
      45_000,
    );
    await setOutage(drills.term, true);
    await verifyRunningOn(sick, victim);

    // a rolling deploy: the new worker is up, then the old one gets SIGTERM
    const next = await startWorker();
    const stoppedAt = Date.now();
    expect(await victim.stop('SIGTERM')).toBe(0);
    const exitedAt = Date.now();
    await setOutage(drills.term, false);
    const status = await handle.result();

    expect([status.outcome, status.reason]).toEqual([Outcome.Remediated, 'replace_host completed']);
    expect(status.steps.find((s) => s.id === 'verify')!.attempts).toHaveLength(1);
    expect(await instancesReplacing(sick)).toHaveLength(1);
    expect(await serviceInstances(drills.term)).toBe(5);
    const events = await verifyHistory(sick);
    expect(events.filter((e) => e.kind === 'timedOut')).toEqual([]);
    const handedBack = events.find((e) => e.kind === 'failed');
    expect(handedBack?.detail).toBe('WorkerShutdown');
    expect(events.filter((e) => e.kind === 'started').at(-1)?.identity).toBe(next.identity);
    const completed = events.find((e) => e.kind === 'completed')!;
    process.stdout.write(
      `drill SIGTERM: worker exited ${exitedAt - stoppedAt} ms after SIGTERM (grace 1000 ms), step handed back ` +
        `${handedBack!.at - stoppedAt} ms after it, verify done ${completed.at - stoppedAt} ms after it\n`,
    );
  }, 90_000);
});
