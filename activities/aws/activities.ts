// One factory for every AWS activity, from the clients and tuning.
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { HostFacts } from '../../core';
import { createEc2Activities, type Ec2Activities } from './ec2';
import { createElbActivities, createTargetGroupDirectory, type ElbActivities } from './elb';
import { createHostActivities, type ForensicsMode, type HostActivities } from './hosts';

export interface AwsActivityDependencies {
  ec2: EC2Client;
  elb: ElasticLoadBalancingV2Client;
  /** Timing; defaults suit real AWS, tests shorten them. */
  tuning?: {
    drainTimeoutMs?: number;
    drainPollMs?: number;
    launchTimeoutMs?: number;
    pollMs?: number;
  };
  forensicsMode?: ForensicsMode;
  isolationSecurityGroupId?: string;
  isTemplateCandidate?: (host: HostFacts) => Promise<boolean>;
}

export type AwsActivities = Ec2Activities & ElbActivities & HostActivities;

export function createAwsActivities(deps: AwsActivityDependencies): AwsActivities {
  const { ec2, elb, tuning = {} } = deps;
  const targetGroups = createTargetGroupDirectory({ elb, drainPollMs: tuning.drainPollMs });
  return {
    ...createEc2Activities({ ec2 }),
    ...createElbActivities({ elb, ec2, drainTimeoutMs: tuning.drainTimeoutMs, drainPollMs: tuning.drainPollMs }),
    ...createHostActivities({
      ec2,
      targetGroups,
      launchTimeoutMs: tuning.launchTimeoutMs,
      pollMs: tuning.pollMs,
      forensicsMode: deps.forensicsMode,
      isolationSecurityGroupId: deps.isolationSecurityGroupId,
      isTemplateCandidate: deps.isTemplateCandidate,
    }),
  };
}
