// Partitions told apart from host failures, on the real dev server and moto with a fleet simulator of this file's own
// (a zone partition on the run's shared simulator would cut other test files' checkers off): the checker activities
// as the worker process builds them, probing over HTTP from each zone, and the real remediate workflow with the
// shipped stateless profile and healthcheck_down rule.
import { randomUUID } from 'node:crypto';
import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Outcome } from '../../core/outcome';
import type { LazarusEvent } from '../../core/event';
import type { QuorumResult } from '../../core/quorum';
import { startFleetSimulator, type RunningFleetSimulator } from '../../devstack/fleet-simulator';
import {
  createActionQueueActivities,
  createMainQueueActivities,
  createNodeCheckerActivities,
} from '../../worker/lazarus-activities';
import {
  checkerZones,
  createLazarusWorkers,
  healthcheckDownEvent,
  remediateWithWorkers,
  testWorkerDependencies,
} from '../support/lazarus-stack';
import { getJson, pagerClientFor, postJson, sharedPagerDuty } from '../support/stand-ins';
import { stackValue } from '../support/stack-env';
import { uniqueTaskQueue } from '../support/temporal';
import { useTestStack } from '../support/test-stack';
import { testAwsClients } from '../support/aws';
import { until } from '../support/wait';
import { destroyAwsClients, type AwsClients } from '../../platform/aws-clients';

const id = randomUUID().slice(0, 8);
const region = `partition-region-${id}`;
const taskQueue = uniqueTaskQueue('partition');
const routingKey = `PART${id.toUpperCase()}ROUTINGKEY0000000000`.slice(0, 32);
const [zoneA, zoneB, zoneC] = checkerZones;
const serviceYaml = (name: string, extra = ''): string =>
  `name: ${name}\nteam: sre\nprofile: stateless\nnotifications:\n  pagerduty_routing_key: ${routingKey}\n${extra}`;
const cutOff = `part-${id}`;
const dead = `dead-${id}`;

let env: TestWorkflowEnvironment;
let aws: AwsClients;
let configRoot: string;
let fleet: RunningFleetSimulator;
let main: ReturnType<typeof createMainQueueActivities>;
let actions: ReturnType<typeof createActionQueueActivities>;
const stack = useTestStack({
  temporal: true,
  aws: true,
  configTree: () => ({
    region,
    taskQueue,
    // the dead-host service is in shadow mode: the quorum runs, nothing acts
    services: { [cutOff]: serviceYaml(cutOff), [dead]: serviceYaml(dead, 'shadow: true\n') },
  }),
});
beforeAll(async () => {
  ({ env, aws, configRoot } = stack);
  fleet = await startFleetSimulator({ ec2: aws.ec2, elb: aws.elb, zones: checkerZones, pollMs: 250 });
  const deps = testWorkerDependencies(env, { aws, pager: pagerClientFor(sharedPagerDuty()), taskQueue, configRoot });
  main = createMainQueueActivities(deps);
  actions = createActionQueueActivities({ ...deps, workerRegion: region });
});
afterAll(async () => {
  await fleet?.stop();
});

/** Six hosts, two per zone: [0] and [3] in us-east-1a, [1] and [4] in us-east-1b, [2] and [5] in us-east-1c. */
async function sixHosts(name: string): Promise<string[]> {
  const { instanceIds } = await fleet.createService({ name, hosts: 6, targetGroup: false });
  const zones = fleet.state().hosts.filter((h) => instanceIds.includes(h.instanceId));
  expect(instanceIds.map((i) => zones.find((h) => h.instanceId === i)?.availabilityZone)).toEqual([
    zoneA,
    zoneB,
    zoneC,
    zoneA,
    zoneB,
    zoneC,
  ]);
  return instanceIds;
}

function checkerIn(zone: string): ReturnType<typeof createNodeCheckerActivities> {
  return createNodeCheckerActivities({ name: `checker-${zone}`, zone, task_queue: `${taskQueue}-${zone}` }, main);
}

function eventFor(service: string, host: string): LazarusEvent {
  return healthcheckDownEvent({ incidentKey: `${service}-${host}-${randomUUID().slice(0, 4)}`, service, host, region });
}

const healthCheckDown = [{ check: 'HealthCheckDown' as const, params: {} }];

describe('zone partitions in the fleet simulator and the checkers', () => {
  it('cuts every host of a zone off from the listed zones only, through the control API, and heals it', async () => {
    const name = `zone-${id}`;
    const hosts = await sixHosts(name);
    const cut = await postJson(`${fleet.url}/zones/${zoneA}/partition`, { unreachableFrom: [zoneB] });
    expect(cut.status).toBe(200);

    const fromB = await checkerIn(zoneB).checkPreconditions({
      event: eventFor(name, hosts[0]),
      preconditions: healthCheckDown,
      params: {},
    });
    const fromC = await checkerIn(zoneC).checkPreconditions({
      event: eventFor(name, hosts[0]),
      preconditions: healthCheckDown,
      params: {},
    });

    expect(fromB.checks[0]).toMatchObject({ passed: false, host_seen: 'partition_suspected', host_zone: zoneA });
    expect(fromB.checks[0].detail).toBe(
      `partition suspected: ${hosts[0]} and all 1 other hosts of ${name} in ${zoneA} are unreachable from ${zoneB}`,
    );
    expect(fromC.checks[0]).toMatchObject({ passed: false, host_seen: 'healthy' });
    expect(await getJson(`${fleet.url}/zones`)).toEqual({
      zones: [
        { zone: zoneA, unreachableFrom: [zoneB] },
        { zone: zoneB, unreachableFrom: [] },
        { zone: zoneC, unreachableFrom: [] },
      ],
    });
    await postJson(`${fleet.url}/zones/${zoneA}/partition`, { unreachableFrom: [] });
    const healed = await checkerIn(zoneB).checkPreconditions({
      event: eventFor(name, hosts[0]),
      preconditions: healthCheckDown,
      params: {},
    });
    expect(healed.checks[0].host_seen).toBe('healthy');
  });

  it('refuses an unknown zone with 404 and a bad list with 400, naming them', async () => {
    const unknown = await postJson<{ error: string }>(`${fleet.url}/zones/mars-1a/partition`, { unreachableFrom: [] });
    const bad = await postJson<{ error: string }>(`${fleet.url}/zones/${zoneA}/partition`, {
      unreachableFrom: ['nowhere-1z'],
    });

    expect([unknown.status, unknown.body.error]).toEqual([404, expect.stringContaining('mars-1a')]);
    expect([bad.status, bad.body.error]).toEqual([400, expect.stringContaining('nowhere-1z')]);
  });

  it('reports a host that does not answer as down when the checker still reaches its zone peers', async () => {
    const name = `down-${id}`;
    const hosts = await sixHosts(name);
    fleet.setHealth(hosts[0], 'unreachable');

    const fromB = await checkerIn(zoneB).checkPreconditions({
      event: eventFor(name, hosts[0]),
      preconditions: healthCheckDown,
      params: {},
    });

    expect(fromB.checks[0]).toMatchObject({ passed: true, host_seen: 'unreachable', host_zone: zoneA });
    expect(fromB.checks[0].detail).toContain(`1 of 1 other hosts in ${zoneA} answer from ${zoneB}`);
  });

  it('adopts instances past the first page of DescribeInstances (more than 100 of its services)', async () => {
    const name = `many-${id}`;
    const { instanceIds } = await fleet.createService({ name, hosts: 1, targetGroup: false });
    const launched = await aws.ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-03cf127a',
        InstanceType: 't3.micro',
        MinCount: 105,
        MaxCount: 105,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'lazarus:service', Value: name }] }],
      }),
    );

    await fleet.sync();

    const ours = fleet.state().hosts.filter((h) => h.service === name);
    expect(ours).toHaveLength(106);
    expect(ours.filter((h) => h.adopted).map((h) => h.instanceId)).toEqual(
      expect.arrayContaining((launched.Instances ?? []).map((i) => i.InstanceId)),
    );
    expect(ours.find((h) => h.instanceId === instanceIds[0])?.adopted).toBe(false);
  });
});

describe('the fleet simulator reads only the EC2 instances the emulator says changed', () => {
  it('polls without listing its services, reads a launched clone by id and adopts it at the next poll', async () => {
    // Arrange: a simulator of its own, polling every 50 ms through an EC2 client that records each DescribeInstances
    // filter (other test files change EC2 meanwhile: their instances are read by id too, and left alone)
    const recorded = testAwsClients();
    const reads: string[] = [];
    recorded.ec2.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DescribeInstancesCommand') {
          const input = args.input as { Filters?: Array<{ Name?: string }>; InstanceIds?: string[] };
          reads.push(input.Filters?.map((f) => f.Name).join(',') ?? (input.InstanceIds ? 'ids' : 'all'));
        }
        return await next(args);
      },
      { step: 'initialize', name: 'recordDescribes' },
    );
    const watching = await startFleetSimulator({ ec2: recorded.ec2, elb: recorded.elb, pollMs: 50, bootDelayMs: 0 });
    try {
      const name = `quiet-${id}`;
      const { instanceIds } = await watching.createService({ name, hosts: 1, targetGroup: false });

      // Act: 1 s of polls (20), then a clone of the service launched as Lazarus would
      const from = reads.length;
      await new Promise((r) => setTimeout(r, 1000));
      const clone = await recorded.ec2.send(
        new RunInstancesCommand({
          ImageId: 'ami-03cf127a',
          InstanceType: 't3.micro',
          MinCount: 1,
          MaxCount: 1,
          TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'lazarus:service', Value: name }] }],
        }),
      );
      const cloneId = clone.Instances?.[0]?.InstanceId ?? '';
      await until(
        () => Promise.resolve(watching.state().hosts.find((h) => h.instanceId === cloneId)),
        (h) => h?.adopted === true,
        5000,
      );

      // Assert: no poll listed the services (a tag filter makes the emulator look at every instance it holds); what
      // was read, was read by instance id
      expect(reads.slice(from).filter((filter) => filter !== 'instance-id')).toEqual([]);
      expect(watching.state().hosts.find((h) => h.instanceId === instanceIds[0])?.adopted).toBe(false);
    } finally {
      await watching.stop();
      destroyAwsClients(recorded);
    }
  });
});

describe('the quorum acts on host failures, never on partitions', () => {
  it('ends PRECONDITION_FAILED, escalated, naming the partition, when the host’s zone is cut off from the other checkers', async () => {
    // Arrange: us-east-1a cannot be reached from us-east-1b and us-east-1c; a sensor there pages about a host of 1a
    // that is in fact healthy.
    const hosts = await sixHosts(cutOff);
    fleet.setZonePartition(zoneA, [zoneB, zoneC]);
    const event = eventFor(cutOff, hosts[0]);
    await main.triggerPage({ routingKey, incidentKey: event.incident_key, summary: 'down', source: 'nagios' });
    const workers = await createLazarusWorkers(env, main, taskQueue, actions);

    // Act
    const status = await remediateWithWorkers(env, workers, taskQueue, event);
    fleet.setZonePartition(zoneA, []);

    // Assert: no action, the partition named in the trace and the reason, the page escalated with it
    expect(status.outcome).toBe(Outcome.PreconditionFailed);
    // decided on the first answer that shows the partition: it names the checkers whose answers were in by then
    expect(status.reason).toMatch(
      new RegExp(
        `^network partition suspected, not a failure of ${hosts[0]}: zone ${zoneA} is unreachable from the checkers ` +
          `in (${zoneB}|${zoneC}|${zoneB}, ${zoneC}) \\(the host and every host of its zone\\)`,
      ),
    );
    const quorum = status.gates.find((g) => g.gate === 'quorum')!;
    expect(quorum.verdict).toBe('fail');
    const partition = (quorum.detail as unknown as QuorumResult).partition!;
    expect(partition).toMatchObject({ kind: 'zone', zone: zoneA });
    expect(partition.unreachable_from.length).toBeGreaterThan(0);
    expect([zoneB, zoneC]).toEqual(expect.arrayContaining(partition.unreachable_from));
    expect(partition.healthy_from.every((z) => z === zoneA)).toBe(true);
    expect(status.steps).toEqual([]);
    expect(status.gates.some((g) => g.gate === 'acknowledge')).toBe(false);
    const { incidents } = await getJson<{
      incidents: Array<{ escalations: Array<{ by: string }>; notes: Array<{ content: string }> }>;
    }>(`${stackValue('pagerDutyRestUrl')}/incidents?incident_key=${event.incident_key}`);
    expect(incidents[0].escalations.map((e) => e.by)).toContain('api');
    expect(incidents[0].notes.map((n) => n.content).join('\n')).toContain('network partition suspected');
  });

  it('passes the quorum for a dead host whose zone peers answer every checker (shadow: nothing acts)', async () => {
    const hosts = await sixHosts(dead);
    fleet.setHealth(hosts[0], 'unreachable');
    const workers = await createLazarusWorkers(env, main, taskQueue, actions);

    const status = await remediateWithWorkers(env, workers, taskQueue, eventFor(dead, hosts[0]));

    expect(status.outcome).toBe(Outcome.Shadow);
    const quorum = status.gates.find((g) => g.gate === 'quorum')!.detail as unknown as QuorumResult;
    expect(quorum.verdict).toBe('passed');
    expect(quorum.partition).toBeUndefined();
    // a pass resting on an unreachable host waits for every checker, so each zone's view is in the trace
    expect(quorum.answers.map((a) => a.zone).sort()).toEqual([zoneA, zoneB, zoneC]);
  });
});
