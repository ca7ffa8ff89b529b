/**
 * Every side effect of Lazarus, as Temporal activities built by factories that take their dependencies.
 * One folder per outside system (aws, health, pager, notify); workflows import only their types.
 */
import { createAwsActivities, type AwsActivities, type AwsActivityDependencies } from './aws';
import {
  createClusterActivities,
  createHealthActivities,
  type ClusterActivities,
  type ClusterDependencies,
  type HealthActivities,
  type HealthDependencies,
} from './health';
import { createNotifyActivities, type NotifyActivities, type NotifyDependencies } from './notify';
import { createPagerActivities, PagerFailureType, pagerFailure, type PagerActivities, type PagerClient } from './pager';
import { type AwsClients } from '../platform/aws-clients';

export * from './aws';
export * from './health';
export * from './notify';
export * from './pager';

export interface ActivityDependencies {
  aws: AwsClients;
  /** PagerDuty client; without it the pager activities fail with PagerRejected ("not configured"). */
  pager?: PagerClient;
  /** AWS timing, forensics mode and isolation group. */
  awsOptions?: Omit<AwsActivityDependencies, 'ec2' | 'elb'>;
  health?: Omit<HealthDependencies, 'ec2'>;
  cluster?: Omit<ClusterDependencies, 'listServiceHosts'>;
  /** SMTP, Temporal Web UI link, retry bounds; the PagerDuty note channel uses `pager`. */
  notify?: Omit<NotifyDependencies, 'addPageNote'>;
}

/** Every activity the `lazarus` task queue serves. */
export type LazarusActivities = AwsActivities &
  HealthActivities &
  ClusterActivities &
  PagerActivities &
  NotifyActivities;

const unconfiguredPager: PagerClient = {
  enqueue: () => Promise.reject(pagerFailure(PagerFailureType.Rejected, 'PagerDuty is not configured')),
  rest: () => Promise.reject(pagerFailure(PagerFailureType.Rejected, 'PagerDuty is not configured')),
};

export function createActivities(deps: ActivityDependencies): LazarusActivities {
  const pager = createPagerActivities({
    client: deps.pager ?? unconfiguredPager,
    ui: { temporalUiUrl: deps.notify?.temporalUiUrl, namespace: deps.notify?.namespace ?? 'default' },
  });
  const aws = createAwsActivities({ ec2: deps.aws.ec2, elb: deps.aws.elb, ...deps.awsOptions });
  return {
    ...aws,
    ...createHealthActivities({ ec2: deps.aws.ec2, ...deps.health }),
    ...createClusterActivities({ listServiceHosts: (service) => aws.listServiceHosts(service), ...deps.cluster }),
    ...pager,
    ...createNotifyActivities({ ...deps.notify, addPageNote: (input) => pager.addPageNote(input) }),
  };
}
