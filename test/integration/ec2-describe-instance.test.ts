import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { AwsFailureType, createEc2Activities } from '../../activities/aws';
import type { HostFacts } from '../../core';
import { launchTestHosts } from '../support/fleet';
import { stackValue } from '../support/stack-env';
import { useTestStack } from '../support/test-stack';
import type { AwsClients } from '../../platform/aws-clients';

describe('describeInstance activity against the AWS emulator', () => {
  let aws: AwsClients;
  const stack = useTestStack({ aws: true });
  beforeAll(() => {
    aws = stack.aws;
    process.stdout.write(`EC2 calls go to the emulator at ${stackValue('awsEndpoint')}\n`);
  });

  it('returns the image, type, zone and tags of an instance launched with RunInstances', async () => {
    const [instanceId] = await launchTestHosts(aws.ec2, { service: 'checkout', count: 1, instanceType: 'm5.large' });
    const activities = createEc2Activities({ ec2: aws.ec2 });

    const facts: HostFacts = await new MockActivityEnvironment().run(activities.describeInstance, instanceId);

    expect(facts.instanceId).toBe(instanceId);
    expect(facts.state).toBe('running');
    expect(facts.instanceType).toBe('m5.large');
    expect(facts.imageId).toMatch(/^ami-/);
    expect(facts.availabilityZone).toMatch(/^us-east-1[a-f]$/);
    expect(facts.tags['lazarus:service']).toBe('checkout');
  });

  it('fails without retry, naming the instance, when it does not exist', async () => {
    const activities = createEc2Activities({ ec2: aws.ec2 });
    const missing = 'i-0123456789abcdef0';

    const attempt = new MockActivityEnvironment().run(activities.describeInstance, missing);

    await expect(attempt).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(attempt).rejects.toMatchObject({ type: AwsFailureType.InstanceNotFound, nonRetryable: true });
    await expect(attempt).rejects.toThrow(missing);
  });
});
