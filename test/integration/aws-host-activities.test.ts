import { randomUUID } from 'node:crypto';
import { CreateSecurityGroupCommand, DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  AwsFailureType,
  createAwsActivities,
  launchToken,
  type AwsActivities,
  type DrainHostInput,
  type TargetGroupsOutput,
} from '../../activities/aws';
import { startFleetSimulator, type RunningFleetSimulator } from '../../devstack/fleet-simulator';
import { testAwsClients } from '../support/aws';
import { useTestStack } from '../support/test-stack';
import { destroyAwsClients, type AwsClients } from '../../platform/aws-clients';

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
  new MockActivityEnvironment().run(fn, ...args);

describe('AWS host activities against the AWS emulator', () => {
  let aws: AwsClients;
  let fleet: RunningFleetSimulator;
  let activities: AwsActivities;

  // Declared before the stack's hooks, so it runs first: the simulator stops before its AWS clients are destroyed.
  afterAll(async () => {
    await fleet?.stop();
  });
  const stack = useTestStack({ aws: true });
  beforeAll(async () => {
    aws = stack.aws;
    fleet = await startFleetSimulator({ ec2: aws.ec2, elb: aws.elb, bootDelayMs: 0, pollMs: 60_000 });
    activities = createAwsActivities({
      ec2: aws.ec2,
      elb: aws.elb,
      tuning: { drainTimeoutMs: 500, drainPollMs: 50, launchTimeoutMs: 5000, pollMs: 50 },
    });
  });

  const serviceName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

  async function instance(id: string): Promise<Instance> {
    const out = await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    return out.Reservations![0].Instances![0];
  }

  async function targets(arn: string): Promise<string[]> {
    const out = await aws.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    return (out.TargetHealthDescriptions ?? []).map((d) => d.Target?.Id ?? '').sort();
  }

  async function serviceInstances(service: string): Promise<Instance[]> {
    const out = await aws.ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'tag:lazarus:service', Values: [service] }] }),
    );
    return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  }

  it('drains a host out of its target group and restores it', async () => {
    const { service, instanceIds } = await fleet.createService({ name: serviceName('drain'), hosts: 3 });
    const [victim] = instanceIds;

    const drained = await run(activities.drainHost, { instanceId: victim });

    expect(drained.targetGroupArns).toEqual([service.targetGroupArn]);
    expect(await targets(service.targetGroupArn!)).not.toContain(victim);
    await run(activities.restoreHost, { instanceId: victim, targetGroupArns: drained.targetGroupArns });
    expect(await targets(service.targetGroupArn!)).toContain(victim);
  });

  it('reports the same target groups when a drain is retried after the host was deregistered', async () => {
    const { service, instanceIds } = await fleet.createService({ name: serviceName('redrain'), hosts: 2 });
    await run(activities.drainHost, { instanceId: instanceIds[0] });

    const retry = new MockActivityEnvironment({ heartbeatDetails: { targetGroupArns: [service.targetGroupArn] } });
    const again = await retry.run<[DrainHostInput], TargetGroupsOutput, typeof activities.drainHost>(
      activities.drainHost,
      { instanceId: instanceIds[0] },
    );

    expect(again.targetGroupArns).toEqual([service.targetGroupArn]);
  });

  it('registers a host and waits until it is healthy in its target groups', async () => {
    const { service, instanceIds } = await fleet.createService({ name: serviceName('register'), hosts: 1 });
    const arn = service.targetGroupArn!;
    await run(activities.deregisterHost, { instanceId: instanceIds[0], targetGroupArns: [arn] });

    await run(activities.registerHost, { instanceId: instanceIds[0], targetGroupArns: [arn], healthyTimeoutMs: 2000 });

    expect(await targets(arn)).toContain(instanceIds[0]);
  });

  it('clones a host with its image, type, subnet, groups and tags plus the links to the failed host', async () => {
    const { instanceIds } = await fleet.createService({ name: serviceName('clone'), hosts: 2 });
    const failed = await instance(instanceIds[0]);
    const key = `event/${randomUUID()}/clone`;

    const clone = await run(activities.cloneHost, {
      instanceId: instanceIds[0],
      idempotencyKey: key,
      extraTags: { team: 'payments' },
    });

    const launched = await instance(clone.instanceId);
    expect(launched.State?.Name).toBe('running');
    expect(launched.ImageId).toBe(failed.ImageId);
    expect(launched.InstanceType).toBe(failed.InstanceType);
    expect(launched.SubnetId).toBe(failed.SubnetId);
    expect(clone.availabilityZone).toBe(failed.Placement?.AvailabilityZone);
    expect(clone.privateIpAddress).toMatch(/^10\./);
    const tags: Record<string, string | undefined> = Object.fromEntries(
      (launched.Tags ?? []).map((t) => [t.Key ?? '', t.Value]),
    );
    expect(tags).toMatchObject({
      'lazarus:service': failed.Tags?.find((t) => t.Key === 'lazarus:service')?.Value,
      'lazarus:replaces': instanceIds[0],
      'lazarus:remediation': key,
      'lazarus:idempotency-key': launchToken(key),
      team: 'payments',
    });
    expect(tags['lazarus:health-url']).toBeUndefined();
  });

  it('launches exactly one instance when a clone step is retried with the same idempotency key', async () => {
    const name = serviceName('retry');
    const { instanceIds } = await fleet.createService({ name, hosts: 1 });
    const key = `event/${randomUUID()}/clone`;

    const first = await run(activities.cloneHost, { instanceId: instanceIds[0], idempotencyKey: key });
    const second = await run(activities.cloneHost, { instanceId: instanceIds[0], idempotencyKey: key });
    const other = await run(activities.cloneHost, { instanceId: instanceIds[0], idempotencyKey: `${key}-other` });

    expect(second.instanceId).toBe(first.instanceId);
    expect(other.instanceId).not.toBe(first.instanceId);
    expect(await serviceInstances(name)).toHaveLength(3);
  });

  it('keeps a failed host for forensics by tagging and stopping it, and refuses to terminate it', async () => {
    const { instanceIds } = await fleet.createService({ name: serviceName('forensics'), hosts: 2 });

    const kept = await run(activities.keepForensics, { instanceId: instanceIds[0], remediationId: 'event/abc' });

    const host = await instance(instanceIds[0]);
    expect(kept.mode).toBe('stop');
    expect(['stopping', 'stopped']).toContain(host.State?.Name);
    expect(host.Tags).toContainEqual({ Key: 'lazarus:forensics', Value: 'event/abc' });
    const terminate = run(activities.terminateHost, { instanceId: instanceIds[0] });
    await expect(terminate).rejects.toMatchObject({ type: AwsFailureType.HostProtected, nonRetryable: true });
  });

  it('isolates a forensics host in a security group when asked to', async () => {
    const { instanceIds } = await fleet.createService({ name: serviceName('isolate'), hosts: 1 });
    const host = await instance(instanceIds[0]);
    const group = await aws.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: `iso-${randomUUID()}`, Description: 'isolation', VpcId: host.VpcId }),
    );

    const kept = await run(activities.keepForensics, {
      instanceId: instanceIds[0],
      remediationId: 'event/iso',
      mode: 'isolate',
      isolationSecurityGroupId: group.GroupId,
    });

    const after = await instance(instanceIds[0]);
    expect(kept.mode).toBe('isolate');
    expect(after.State?.Name).toBe('running');
    expect(after.SecurityGroups?.map((g) => g.GroupId)).toEqual([group.GroupId]);
  });

  it('terminates a replacement that never went into service', async () => {
    const { instanceIds } = await fleet.createService({ name: serviceName('term'), hosts: 1 });
    const clone = await run(activities.cloneHost, { instanceId: instanceIds[0], idempotencyKey: randomUUID() });

    await run(activities.terminateHost, { instanceId: clone.instanceId });

    expect(['shutting-down', 'terminated']).toContain((await instance(clone.instanceId)).State?.Name);
  });

  it('promotes the standby into the failed host`s target groups, once, and can tag a host as standby', async () => {
    const name = serviceName('standby');
    const { service, instanceIds } = await fleet.createService({ name, hosts: 2, standbys: 1 });
    const standby = instanceIds[2];

    const promoted = await run(activities.promoteStandby, { service: name, failedInstanceId: instanceIds[0] });
    const again = await run(activities.promoteStandby, { service: name, failedInstanceId: instanceIds[0] });

    expect(promoted).toEqual({ instanceId: standby, targetGroupArns: [service.targetGroupArn] });
    expect(again.instanceId).toBe(standby);
    expect(await targets(service.targetGroupArn!)).toContain(standby);
    expect((await instance(standby)).Tags?.find((t) => t.Key === 'lazarus:role')).toBeUndefined();

    await run(activities.tagStandby, { instanceId: instanceIds[1], service: name });
    expect(await targets(service.targetGroupArn!)).not.toContain(instanceIds[1]);
    expect((await instance(instanceIds[1])).Tags).toContainEqual({ Key: 'lazarus:role', Value: 'standby' });
  });

  it('fails with NoStandbyHost when the service has no standby', async () => {
    const name = serviceName('nostandby');
    const { instanceIds } = await fleet.createService({ name, hosts: 1 });

    const attempt = run(activities.promoteStandby, { service: name, failedInstanceId: instanceIds[0] });

    await expect(attempt).rejects.toMatchObject({ type: AwsFailureType.NoStandbyHost, nonRetryable: true });
  });

  it('scales up: launches N from a template once per key, registers them in the service`s target group', async () => {
    const name = serviceName('scaleup');
    const { service } = await fleet.createService({ name, hosts: 2 });
    const key = `scale/${randomUUID()}`;

    const launched = await run(activities.launchFromTemplate, { service: name, count: 2, idempotencyKey: key });
    const retried = await run(activities.launchFromTemplate, { service: name, count: 2, idempotencyKey: key });
    const registered = await run(activities.registerHosts, { service: name, instanceIds: launched.instanceIds });

    expect(launched.instanceIds).toHaveLength(2);
    expect(retried.instanceIds.sort()).toEqual([...launched.instanceIds].sort());
    expect(await serviceInstances(name)).toHaveLength(4);
    expect(registered.targetGroupArns).toEqual([service.targetGroupArn]);
    expect(await targets(service.targetGroupArn!)).toEqual(expect.arrayContaining(launched.instanceIds));
    const hosts = await run(activities.listServiceHosts, name);
    expect(hosts.map((h) => h.instanceId)).toEqual(expect.arrayContaining(launched.instanceIds));
    expect(hosts).toHaveLength(4);
  });

  it('scales down: picks the newest (or oldest) hosts, never the standby, drains and retires them', async () => {
    const name = serviceName('scaledown');
    const { service, instanceIds } = await fleet.createService({ name, hosts: 2, standbys: 1 });
    const second = Math.floor(Date.now() / 1000);
    // EC2 LaunchTime has one-second resolution: launch the newest host in a later second.
    while (Math.floor(Date.now() / 1000) === second) await new Promise((r) => setTimeout(r, 20));
    const { instanceIds: newest } = await run(activities.launchFromTemplate, {
      service: name,
      count: 1,
      idempotencyKey: randomUUID(),
    });

    const newestFirst = await run(activities.chooseHostsToRetire, { service: name, count: 1 });
    const oldestFirst = await run(activities.chooseHostsToRetire, { service: name, count: 5, policy: 'oldest_first' });

    expect(newestFirst.instanceIds).toEqual(newest);
    // what it left alone, and why (the age rule itself: core/scaling chooseRetirees, unit-tested)
    expect(oldestFirst.skipped).toEqual([
      { instanceId: instanceIds[2], reason: expect.stringMatching(/standby/) as unknown },
    ]);
    // none old enough: no scale-down done, and why for each host
    await expect(run(activities.chooseHostsToRetire, { service: name, count: 1, minAgeMs: 3_600_000 })).rejects.toThrow(
      /no host may be retired now \(.*inside the verification window of 3600 s/,
    );
    expect(oldestFirst.instanceIds).toHaveLength(3);
    expect(oldestFirst.instanceIds).not.toContain(instanceIds[2]);
    expect(oldestFirst.instanceIds[2]).toBe(newest[0]);

    const drained = await run(activities.drainHosts, { instanceIds: instanceIds.slice(0, 2) });
    await run(activities.retireHosts, { instanceIds: instanceIds.slice(0, 2) });
    expect(drained.targetGroupArns).toEqual([service.targetGroupArn]);
    expect(await targets(service.targetGroupArn!)).not.toEqual(expect.arrayContaining(instanceIds.slice(0, 2)));
    expect(['shutting-down', 'terminated']).toContain((await instance(instanceIds[0])).State?.Name);
  });

  it('fails without retry, naming the instance and the call, when the instance does not exist', async () => {
    const missing = 'i-0fedcba9876543210';

    const attempt = run(activities.cloneHost, { instanceId: missing, idempotencyKey: randomUUID() });

    await expect(attempt).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(attempt).rejects.toMatchObject({ type: AwsFailureType.InstanceNotFound, nonRetryable: true });
    await expect(attempt).rejects.toThrow(/cloneHost\(i-0fedcba9876543210\).*DescribeInstances/);
  });

  it('fails a drain of a host that does not exist instead of draining nothing', async () => {
    const attempt = run(activities.drainHost, { instanceId: 'i-0fedcba9876543211' });

    await expect(attempt).rejects.toMatchObject({ type: AwsFailureType.InstanceNotFound, nonRetryable: true });
    await expect(attempt).rejects.toThrow(/drainHost\(i-0fedcba9876543211\)/);
  });

  it('launches exactly one instance when the RunInstances answer is lost and Temporal retries the step', async () => {
    const name = serviceName('lost');
    const { instanceIds } = await fleet.createService({ name, hosts: 1 });
    const flaky = testAwsClients();
    let lost = 0;
    // The request reaches EC2 and the instance launches, but the answer never arrives (a dropped connection).
    flaky.ec2.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'RunInstancesCommand' && lost === 0) {
          lost += 1;
          throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
        }
        return result;
      },
      { step: 'initialize', name: 'loseRunInstancesAnswer' },
    );
    const flakyActivities = createAwsActivities({ ec2: flaky.ec2, elb: flaky.elb, tuning: { pollMs: 50 } });
    const key = `event/${randomUUID()}/clone`;
    try {
      const first = run(flakyActivities.cloneHost, { instanceId: instanceIds[0], idempotencyKey: key });
      await expect(first).rejects.toMatchObject({ type: AwsFailureType.Unavailable, nonRetryable: false });

      const retried = await run(flakyActivities.cloneHost, { instanceId: instanceIds[0], idempotencyKey: key });

      expect(lost).toBe(1);
      const clones = (await serviceInstances(name)).filter((i) => i.InstanceId !== instanceIds[0]);
      expect(clones.map((i) => i.InstanceId)).toEqual([retried.instanceId]);
    } finally {
      destroyAwsClients(flaky);
    }
  });
});
