// EC2 activities: reading and (in later runbook steps) cloning, starting and stopping hosts.
import { DescribeInstancesCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { ApplicationFailure } from '@temporalio/activity';
import type { HostFacts, InstanceId } from '../../core';
import { AwsFailureType, classifyAwsError } from './errors';

export interface Ec2Dependencies {
  ec2: EC2Client;
}

export function toHostFacts(instance: Instance): HostFacts {
  const tags: Record<string, string> = {};
  for (const tag of instance.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
  return {
    instanceId: instance.InstanceId ?? '',
    state: instance.State?.Name ?? 'unknown',
    imageId: instance.ImageId,
    instanceType: instance.InstanceType,
    subnetId: instance.SubnetId,
    availabilityZone: instance.Placement?.AvailabilityZone,
    privateIpAddress: instance.PrivateIpAddress,
    securityGroupIds: (instance.SecurityGroups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
    instanceProfileArn: instance.IamInstanceProfile?.Arn,
    tags,
  };
}

export interface Ec2Activities {
  /** Facts about one instance; fails without retry if it does not exist. */
  describeInstance(instanceId: InstanceId): Promise<HostFacts>;
}

export function createEc2Activities({ ec2 }: Ec2Dependencies): Ec2Activities {
  return {
    async describeInstance(instanceId: InstanceId): Promise<HostFacts> {
      let instance: Instance | undefined;
      try {
        const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
        instance = out.Reservations?.flatMap((r) => r.Instances ?? [])[0];
      } catch (err) {
        throw classifyAwsError(err, `describeInstance(${instanceId})`);
      }
      if (!instance) {
        throw ApplicationFailure.nonRetryable(
          `describeInstance(${instanceId}): no such instance`,
          AwsFailureType.InstanceNotFound,
        );
      }
      return toHostFacts(instance);
    },
  };
}
