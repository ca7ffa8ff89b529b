// Seeds EC2 instances in the emulator for tests, through the real SDK.
import { RunInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';

/** One of moto's built-in AMIs; DescribeImages takes seconds on the emulator, so tests name it directly. */
export const testImageId = 'ami-03cf127a';

export async function launchTestHosts(
  ec2: EC2Client,
  options: { service: string; count: number; instanceType?: string },
): Promise<string[]> {
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: testImageId,
      InstanceType: (options.instanceType ?? 't3.micro') as never,
      MinCount: options.count,
      MaxCount: options.count,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'lazarus:service', Value: options.service }] }],
    }),
  );
  return (out.Instances ?? []).map((i) => i.InstanceId ?? '');
}
