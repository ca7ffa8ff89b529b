import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAwsActivities, type AwsActivities } from '../../activities/aws';
import { ClusterFailureType, createClusterActivities, type ClusterActivities } from '../../activities/health';
import { stackValue } from '../support/stack-env';
import { getJson, postJson } from '../support/stand-ins';
import { useTestStack } from '../support/test-stack';
import type { AwsClients } from '../../platform/aws-clients';

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
  new MockActivityEnvironment().run(fn, ...args);

describe('waiting on cluster health and ring membership served by the fleet simulator', () => {
  let aws: AwsClients;
  let simulator: string;
  let awsActivities: AwsActivities;
  let cluster: ClusterActivities;

  const stack = useTestStack({ aws: true });
  beforeAll(() => {
    aws = stack.aws;
    simulator = stackValue('fleetSimulatorUrl');
    awsActivities = createAwsActivities({ ec2: aws.ec2, elb: aws.elb, tuning: { launchTimeoutMs: 5000, pollMs: 50 } });
    cluster = createClusterActivities({
      listServiceHosts: (service) => awsActivities.listServiceHosts(service),
      intervalMs: 50,
    });
  });

  async function createService(hosts: number): Promise<{ name: string; instanceIds: string[] }> {
    const name = `es-${randomUUID().slice(0, 8)}`;
    const res = await postJson<{ instanceIds: string[] }>(`${simulator}/services`, { name, hosts });
    return { name, instanceIds: res.body.instanceIds };
  }

  it('returns once the cluster is green, and waits for yellow when a node is down', async () => {
    const { name, instanceIds } = await createService(3);
    expect(await run(cluster.waitClusterHealth, { service: name, timeoutMs: 2000 })).toEqual({ status: 'green' });

    await postJson(`${simulator}/hosts/${instanceIds[0]}/health`, { health: 'unreachable' });

    const green = run(cluster.waitClusterHealth, { service: name, status: 'green', timeoutMs: 300 });
    await expect(green).rejects.toMatchObject({ type: ClusterFailureType.NotReady, nonRetryable: false });
    await expect(green).rejects.toThrow(/cluster still yellow/);
    expect(await run(cluster.waitClusterHealth, { service: name, status: 'yellow', timeoutMs: 2000 })).toEqual({
      status: 'yellow',
    });
  });

  it('follows a cluster status forced through the control API', async () => {
    const { name } = await createService(2);
    await postJson(`${simulator}/services/${name}/cluster`, { status: 'red' });

    await expect(run(cluster.waitClusterHealth, { service: name, timeoutMs: 200 })).rejects.toThrow(/still red/);
    await postJson(`${simulator}/services/${name}/cluster`, { status: null });
    expect(await run(cluster.waitClusterHealth, { service: name, timeoutMs: 2000 })).toEqual({ status: 'green' });
  });

  it('waits until a replacement has joined the ring (UJ while booting, then UN)', async () => {
    const { name, instanceIds } = await createService(3);
    const clone = await run(awsActivities.cloneHost, { instanceId: instanceIds[0], idempotencyKey: randomUUID() });

    await run(cluster.waitRingJoin, { service: name, instanceId: clone.instanceId, timeoutMs: 10_000 });

    const ring = await getJson<{ nodes: Array<{ instanceId: string; state: string }> }>(
      `${simulator}/services/${name}/ring`,
    );
    expect(ring.nodes.find((n) => n.instanceId === clone.instanceId)?.state).toBe('UN');
  });

  it('fails retryably naming the state when a host stays out of the ring', async () => {
    const { name, instanceIds } = await createService(2);
    await postJson(`${simulator}/hosts/${instanceIds[1]}/ring`, { state: 'DN' });

    const attempt = run(cluster.waitRingJoin, { service: name, instanceId: instanceIds[1], timeoutMs: 200 });

    await expect(attempt).rejects.toMatchObject({ type: ClusterFailureType.NotReady });
    await expect(attempt).rejects.toThrow(/host is DN/);
  });
});
