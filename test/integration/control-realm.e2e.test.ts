// The control realm with separate processes (test/support/worker-process.ts): two Lazarus regions, one on AWS
// us-east-1 and one on AWS eu-west-1, each with its own fleet in the AWS emulator (the shared fleet simulator and one
// of eu-west-1) and its own checker nodes; a deciding worker per region and one worker of the control realm that
// alone acts. An event in each region is decided by that region's checker nodes (their worker) and carried out by
// the control realm's worker, whose clients call the event's AWS region.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createPagerActivities } from '../../activities/pager';
import { actionTaskQueue } from '../../contracts/task-queues';
import { hostLockId, remediationWorkflowId } from '../../contracts/workflow-ids';
import { Outcome } from '../../core/outcome';
import { startFleetSimulator, type RunningFleetSimulator } from '../../devstack/fleet-simulator';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../../platform/aws-clients';
import { remediate } from '../../workflows';
import { healthcheckDownEvent } from '../support/lazarus-stack';
import { stackValue } from '../support/stack-env';
import { pagerClientFor, postJson, sharedPagerDuty } from '../support/stand-ins';
import { uniqueTaskQueue } from '../support/temporal';
import { useTestStack } from '../support/test-stack';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

const id = randomUUID().slice(0, 8);
const taskQueue = uniqueTaskQueue('realm');
const routingKey = `REALM${id.toUpperCase()}ROUTINGKEY0000000000`;
// Lazarus regions of their own (no other test file's control or governor entities), on the two AWS regions
const regions = {
  east: { name: `east-${id}`, aws: 'us-east-1', service: `realm-east-${id}` },
  west: { name: `west-${id}`, aws: 'eu-west-1', service: `realm-west-${id}` },
};
const nodes = (region: { name: string; aws: string }): string =>
  ['a', 'b', 'c']
    .map(
      (z) =>
        `      - { name: ${region.name}-${z}, zone: ${region.aws}${z}, task_queue: ${taskQueue}-${region.name}-${z} }`,
    )
    .join('\n');
const serviceFile = (name: string): string =>
  `name: ${name}\nteam: sre\nprofile: stateless\nnotifications:\n  pagerduty_routing_key: ${routingKey}\n`;

let env: TestWorkflowEnvironment;
let configRoot: string;
let westAws: AwsClients;
let westFleet: RunningFleetSimulator;
const stack = useTestStack({
  temporal: true,
  configTree: () => ({ region: regions.east.name, taskQueue, services: {} }),
});
const workers: Record<'east' | 'west' | 'realm', WorkerProcess | undefined> = {
  east: undefined,
  west: undefined,
  realm: undefined,
};

beforeAll(async () => {
  ({ env, configRoot } = stack);
  fs.writeFileSync(
    path.join(configRoot, 'services', 'deployment.yaml'),
    `regions:\n` +
      `  - name: ${regions.east.name}\n    aws_region: ${regions.east.aws}\n    checker_nodes:\n${nodes(regions.east)}\n` +
      `  - name: ${regions.west.name}\n    aws_region: ${regions.west.aws}\n    checker_nodes:\n${nodes(regions.west)}\n` +
      `control_realm: ${regions.east.name}\nquorum: 2\nquorum_deadline: 20s\n` +
      `pagerduty:\n  default_routing_key: ${routingKey}\n`,
  );
  for (const region of Object.values(regions)) {
    fs.writeFileSync(path.join(configRoot, 'services', `${region.service}.yaml`), serviceFile(region.service));
  }
  // the eu-west-1 fleet: its hosts in the emulator's eu-west-1, their health endpoints on loopback
  westAws = createAwsClients({ region: regions.west.aws, endpoint: stackValue('awsEndpoint') });
  westFleet = await startFleetSimulator({
    ec2: westAws.ec2,
    elb: westAws.elb,
    bootDelayMs: 500,
    pollMs: 250,
    zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  });
  const start = (name: string, env: Record<string, string>): Promise<WorkerProcess> =>
    startWorkerProcess({ identity: `${name}-${id}`, taskQueue, configRoot, env, readyTimeoutMs: 150_000 });
  [workers.east, workers.west, workers.realm] = await Promise.all([
    start('decide-east', { LAZARUS_WORKER_REGION: regions.east.name, LAZARUS_WORKER_ROLES: 'decide' }),
    start('decide-west', { LAZARUS_WORKER_REGION: regions.west.name, AWS_REGION: regions.west.aws }),
    start('realm', { LAZARUS_WORKER_REGION: regions.east.name, LAZARUS_WORKER_ROLES: 'act' }),
  ]);
}, 200_000);

afterAll(async () => {
  await Promise.all(
    Object.values(workers)
      .filter((w): w is WorkerProcess => w !== undefined)
      .map((w) => w.stop('SIGKILL')),
  );
  await westFleet?.stop();
  if (westAws) destroyAwsClients(westAws);
});

/** A service of four hosts in `fleetUrl`'s fleet, one failing with its page triggered. */
async function sickService(fleetUrl: string, service: string): Promise<string> {
  const created = await postJson<{ instanceIds: string[] }>(`${fleetUrl}/services`, { name: service, hosts: 4 });
  expect(created.status).toBe(201);
  const [sick] = created.body.instanceIds;
  await postJson(`${fleetUrl}/hosts/${sick}/health`, { health: 'unhealthy' });
  return sick;
}

/** Which worker started each activity of a workflow's history, and on which task queue it was scheduled. */
async function activityPlaces(workflowId: string): Promise<Array<{ activity: string; queue: string; worker: string }>> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, { activity: string; queue: string }>();
  const out: Array<{ activity: string; queue: string; worker: string }> = [];
  for (const e of history.events ?? []) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(e.eventId), { activity: s.activityType?.name ?? '', queue: s.taskQueue?.name ?? '' });
    const started = e.activityTaskStartedEventAttributes;
    const of = started && scheduled.get(String(started.scheduledEventId));
    if (started && of) out.push({ ...of, worker: started.identity ?? '' });
  }
  return out;
}

async function replacementsOf(ec2: EC2Client, sick: string): Promise<string[]> {
  const out = await ec2.send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'tag:lazarus:replaces', Values: [sick] }] }),
  );
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId ?? '');
}

it("an event in each region is decided by that region's checker nodes and carried out by the control realm", async () => {
  const sick = {
    east: await sickService(stackValue('fleetSimulatorUrl'), regions.east.service),
    west: await sickService(westFleet.url, regions.west.service),
  };
  const pager = createPagerActivities({ client: pagerClientFor(sharedPagerDuty()) });
  const runs = await Promise.all(
    (['east', 'west'] as const).map(async (which) => {
      const region = regions[which];
      const incidentKey = `${region.service}-healthcheck`;
      await pager.triggerPage({ routingKey, incidentKey, summary: `${sick[which]} down`, source: 'nagios' });
      const event = healthcheckDownEvent({
        incidentKey,
        service: region.service,
        host: sick[which],
        region: region.name,
      });
      return await env.client.workflow.execute(remediate, {
        taskQueue,
        workflowId: remediationWorkflowId(incidentKey),
        args: [event, {}],
      });
    }),
  );

  for (const [which, status] of [
    ['east', runs[0]],
    ['west', runs[1]],
  ] as const) {
    expect({ which, outcome: status.outcome, reason: status.reason }).toEqual({
      which,
      outcome: Outcome.Remediated,
      reason: expect.any(String) as unknown,
    });
    // decided in the region: its own three checker nodes, on its deciding worker
    const quorum = status.gates.find((g) => g.gate === 'quorum');
    // (the quorum is taken as soon as two nodes agree, so the third may not be in the trace)
    const answered = (quorum?.detail.answers as Array<{ node: string }>).map((a) => a.node);
    expect(answered.length).toBeGreaterThanOrEqual(2);
    const ownNodes = ['a', 'b', 'c'].map((z) => `${regions[which].name}-${z}`);
    for (const node of answered) expect(ownNodes).toContain(node);
    const decided = await activityPlaces(status.workflow_id);
    const checks = decided.filter((a) => a.activity === 'checkPreconditions');
    expect(checks.length).toBeGreaterThanOrEqual(2);
    expect(new Set(checks.map((c) => c.worker))).toEqual(new Set([workers[which]!.identity]));
    // carried out by the control realm alone, on its own queue
    const acted = await activityPlaces(hostLockId(sick[which]));
    // (the kill switch and breaker reads before a step are the runbook's own reads, on its deciding worker)
    const steps = acted.filter((a) => a.activity !== 'readControl' && a.activity !== 'readBreaker');
    expect(steps.map((s) => s.activity)).toEqual(expect.arrayContaining(['drainHost', 'cloneHost', 'waitHealthy']));
    for (const s of steps)
      expect(s).toEqual({ ...s, queue: actionTaskQueue(taskQueue), worker: workers.realm!.identity });
  }
  // each replacement was launched in its event's AWS region, and only there
  const eastAws = createAwsClients({ region: 'us-east-1', endpoint: stackValue('awsEndpoint') });
  try {
    expect(await replacementsOf(eastAws.ec2, sick.east)).toHaveLength(1);
    expect(await replacementsOf(westAws.ec2, sick.west)).toHaveLength(1);
    expect(await replacementsOf(eastAws.ec2, sick.west)).toEqual([]);
    expect(await replacementsOf(westAws.ec2, sick.east)).toEqual([]);
  } finally {
    destroyAwsClients(eastAws);
  }
}, 180_000);
