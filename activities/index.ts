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
import { oncePerLocalActivity } from './local-once';
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
  const notify = createNotifyActivities({ ...deps.notify, addPageNote: (input) => pager.addPageNote(input) });
  return {
    ...aws,
    ...createHealthActivities({ ec2: deps.aws.ec2, ...deps.health }),
    ...createClusterActivities({ listServiceHosts: (service) => aws.listServiceHosts(service), ...deps.cluster }),
    ...toldOnce({ ...pager, ...notify }),
  };
}

type TellingActivities = Pick<PagerActivities, 'escalatePage' | 'addPageNote'> & NotifyActivities;

/**
 * The activities that reach a person (an escalation, a page note, a notification) made to run once per local
 * activity, however often its workflow task runs it (local-once.ts). Acknowledge, resolve and trigger need not be:
 * PagerDuty dedups them by their key.
 */
export function toldOnce<T extends TellingActivities>(activities: T): T {
  return {
    ...activities,
    escalatePage: (input) => oncePerLocalActivity(() => activities.escalatePage(input)),
    addPageNote: (input) => oncePerLocalActivity(() => activities.addPageNote(input)),
    notify: (message) => oncePerLocalActivity(() => activities.notify(message)),
  };
}
