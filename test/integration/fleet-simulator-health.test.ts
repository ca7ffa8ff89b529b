import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAwsActivities, createEc2Activities, type AwsActivities } from '../../activities/aws';
import { createHealthActivities, HealthFailureType, probeHost, type HealthActivities } from '../../activities/health';
import type { FleetSimulatorState, SimulatedService } from '../../devstack/fleet-simulator';
import { stackValue } from '../support/stack-env';
import { getJson, postJson } from '../support/stand-ins';
import { useTestStack } from '../support/test-stack';
import type { AwsClients } from '../../platform/aws-clients';

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
  new MockActivityEnvironment().run(fn, ...args);

describe('fleet simulator control API and the health probe', () => {
  let aws: AwsClients;
  let simulator: string;
  let awsActivities: AwsActivities;
  let health: HealthActivities;

  const stack = useTestStack({ aws: true });
  beforeAll(() => {
    aws = stack.aws;
    simulator = stackValue('fleetSimulatorUrl');
    awsActivities = createAwsActivities({ ec2: aws.ec2, elb: aws.elb, tuning: { launchTimeoutMs: 5000, pollMs: 50 } });
    health = createHealthActivities({ ec2: aws.ec2, intervalMs: 50, probeTimeoutMs: 500 });
  });

  async function createService(
    hosts: number,
  ): Promise<{ name: string; instanceIds: string[]; service: SimulatedService }> {
    const name = `sim-${randomUUID().slice(0, 8)}`;
    const res = await postJson<{ instanceIds: string[]; service: SimulatedService }>(`${simulator}/services`, {
      name,
      hosts,
    });
    expect(res.status).toBe(201);
    return { name, ...res.body };
  }

  const host = (id: string) => createEc2Activities({ ec2: aws.ec2 }).describeInstance(id);

  it('creates a service whose hosts are EC2 instances with a health URL that answers healthy', async () => {
    const { name, instanceIds, service } = await createService(3);

    const facts = await host(instanceIds[0]);
    const probe = await probeHost(facts);

    expect(service.targetGroupArn).toMatch(/^arn:aws:elasticloadbalancing:/);
    expect(facts.tags['lazarus:service']).toBe(name);
    expect(facts.tags['lazarus:health-url']).toBe(`${simulator}/hosts/${instanceIds[0]}/health`);
    expect(probe).toMatchObject({ status: 'healthy', httpStatus: 200 });
    expect(probe.latencyMs).toBeGreaterThan(0);
    const state = await getJson<FleetSimulatorState>(`${simulator}/state`);
    expect(state.hosts.filter((h) => h.service === name)).toHaveLength(3);
  });

  it('tells unhealthy (answered, not OK) from unreachable (no answer)', async () => {
    const { instanceIds } = await createService(2);
    await postJson(`${simulator}/hosts/${instanceIds[0]}/health`, { health: 'unhealthy' });
    await postJson(`${simulator}/hosts/${instanceIds[1]}/health`, { health: 'unreachable' });

    const unhealthy = await probeHost(await host(instanceIds[0]));
    const unreachable = await probeHost(await host(instanceIds[1]));

    expect(unhealthy).toMatchObject({ status: 'unhealthy', httpStatus: 500 });
    expect(unreachable.status).toBe('unreachable');
    expect(unreachable.error).toBeDefined();
  });

  it('plays a partition: a host unreachable from one zone still answers the others', async () => {
    const { instanceIds } = await createService(1);
    await postJson(`${simulator}/hosts/${instanceIds[0]}/health`, {
      health: 'healthy',
      unreachableFrom: ['us-east-1a'],
    });
    const facts = await host(instanceIds[0]);

    const fromA = await probeHost(facts, { zone: 'us-east-1a' });
    const fromB = await probeHost(facts, { zone: 'us-east-1b' });

    expect(fromA.status).toBe('unreachable');
    expect(fromB.status).toBe('healthy');
  });

  it('fails every host of a service in a downstream outage, and keeps a load metric', async () => {
    const { name, instanceIds } = await createService(2);

    await postJson(`${simulator}/services/${name}/outage`, { failing: true });
    await postJson(`${simulator}/services/${name}/load`, { value: 87.5 });

    for (const id of instanceIds) expect((await probeHost(await host(id))).httpStatus).toBe(503);
    expect(await getJson(`${simulator}/services/${name}/load`)).toEqual({ service: name, load: 87.5 });
    await postJson(`${simulator}/services/${name}/outage`, { failing: false });
    expect((await probeHost(await host(instanceIds[0]))).status).toBe('healthy');
  });

  it('answers control API mistakes with 4xx and a reason', async () => {
    const missing = await postJson<{ error: string }>(`${simulator}/hosts/i-00000000000000000/health`, {
      health: 'unhealthy',
    });
    const badName = await postJson<{ error: string }>(`${simulator}/services`, { name: 'no spaces', hosts: 1 });

    expect(missing.status).toBe(404);
    expect(missing.body.error).toContain('i-00000000000000000');
    expect(badName.status).toBe(400);
  });

  it('brings a replacement Lazarus launches up as a healthy host after the boot delay, which waitHealthy sees', async () => {
    const { instanceIds } = await createService(1);
    const clone = await run(awsActivities.cloneHost, { instanceId: instanceIds[0], idempotencyKey: randomUUID() });

    const healthy = await run(health.waitHealthy, { instanceId: clone.instanceId, timeoutMs: 10_000 });

    expect(healthy.latencyMs).toBeGreaterThan(0);
    const state = await getJson<FleetSimulatorState>(`${simulator}/state`);
    expect(state.hosts.find((h) => h.instanceId === clone.instanceId)).toMatchObject({ adopted: true });
  });

  it('waits for several hosts, and fails retryably naming the sick host when one stays unhealthy', async () => {
    const { instanceIds } = await createService(3);
    await run(health.waitAllHealthy, { instanceIds, timeoutMs: 5000 });
    await postJson(`${simulator}/hosts/${instanceIds[2]}/health`, { health: 'unhealthy' });

    const attempt = run(health.waitAllHealthy, { instanceIds, timeoutMs: 300 });

    await expect(attempt).rejects.toMatchObject({ type: HealthFailureType.NotHealthy, nonRetryable: false });
    await expect(attempt).rejects.toThrow(new RegExp(`${instanceIds[2]} unhealthy \\(HTTP 500\\)`));
  });

  it('stops answering for a host that Lazarus stopped', async () => {
    const { instanceIds } = await createService(1);
    await run(awsActivities.keepForensics, { instanceId: instanceIds[0], remediationId: 'event/stop' });

    await postJson(`${simulator}/sync`);

    expect((await probeHost(await host(instanceIds[0]))).status).toBe('unreachable');
  });
});
