// Reads a host's facts through an activity: the smallest workflow that proves worker, server and AWS wiring.
import { proxyActivities } from '@temporalio/workflow';
import type { HostFacts } from '../core/host';
import type { Ec2Activities } from '../activities/aws/ec2';

const { describeInstance } = proxyActivities<Ec2Activities>({
  summary: 'describe the instance in EC2',
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 5 },
});

export async function inspectHost(instanceId: string): Promise<HostFacts> {
  return await describeInstance(instanceId);
}
