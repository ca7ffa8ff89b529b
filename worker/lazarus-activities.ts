// What a Lazarus worker process serves: the main task queue's activities (configuration, entity clients, pages,
// notices, the scaling census, host reads), the checker activities of each checker node it hosts, and, on a worker of
// the control realm, the actions on the realm's own task queue. One place, so the worker process and the end-to-end
// tests assemble exactly the same thing.
import type { Client } from '@temporalio/client';
import { createActivities, probeHost, type ActivityDependencies, type LazarusActivities } from '../activities';
import { createCheckerActivities, type CheckerActivities } from '../activities/checks';
import { createConfigActivities, type ConfigActivities } from '../activities/config';
import { actionActivityNames, createControlRealmActivities, type ActionActivities } from '../activities/control-realm';
import { createEntityActivities, type EntityActivities } from '../activities/entities';
import { createScalingActivities, type ScalingActivities } from '../activities/scaling';
import type { RunbookActivityName } from '../core/activity-catalog';
import { awsRegionOf, type CheckerNode, type NotificationChannels } from '../core/resolved-config';
import type { AwsClients } from '../platform/aws-clients';
import { createSnapshotCache } from '../platform/config-files';

export interface LazarusWorkerDependencies extends ActivityDependencies {
  client: Client;
  taskQueue: string;
  /** Folder holding rules/, profiles/ and services/. */
  configRoot: string;
  configRecheckMs?: number;
  controlCacheMs?: number;
  /** Where new entity workflows start (contracts entityTaskQueue); default `taskQueue`. */
  entityTaskQueue?: string;
  breakerNotifications?: NotificationChannels;
  /**
   * The clients of one AWS region (platform/aws-clients.ts createRegionalAwsClients): actions, checks and the census
   * call the API of their event's region. Default: `aws` for every region (a test against one emulator region).
   */
  awsFor?: (awsRegion: string) => AwsClients;
}

/** The main queue serves everything but the actions: those run only on the control realm's queue. */
export type MainQueueActivities = Omit<LazarusActivities, RunbookActivityName> &
  ConfigActivities &
  EntityActivities &
  ScalingActivities;

/** The actuators of each AWS region, made once per region. */
function actuatorsByRegion(deps: LazarusWorkerDependencies): (awsRegion: string) => LazarusActivities {
  const made = new Map<string, LazarusActivities>();
  return (awsRegion) => {
    let actuators = made.get(awsRegion);
    if (!actuators) {
      actuators = createActivities({ ...deps, aws: deps.awsFor ? deps.awsFor(awsRegion) : deps.aws });
      made.set(awsRegion, actuators);
    }
    return actuators;
  };
}

function withoutActions(activities: LazarusActivities): Omit<LazarusActivities, RunbookActivityName> {
  const names = new Set<string>(actionActivityNames);
  return Object.fromEntries(Object.entries(activities).filter(([name]) => !names.has(name))) as Omit<
    LazarusActivities,
    RunbookActivityName
  >;
}

export function createMainQueueActivities(deps: LazarusWorkerDependencies): MainQueueActivities {
  const actuators = createActivities(deps);
  const regional = actuatorsByRegion(deps);
  const snapshot = createSnapshotCache({ configRoot: deps.configRoot, recheckIntervalMs: deps.configRecheckMs });
  // the hosts of a service in a Lazarus region (the event's), through that region's AWS API
  const hostsIn = async (
    service: string,
    region?: string,
  ): Promise<Awaited<ReturnType<typeof actuators.listServiceHosts>>> => {
    if (region === undefined) return await actuators.listServiceHosts(service);
    return await regional(awsRegionOf((await snapshot()).deployment, region)).listServiceHosts(service);
  };
  return {
    ...withoutActions(actuators),
    ...createScalingActivities({
      listServiceHosts: hostsIn,
      probeHost: (host, params) => probeHost(host, { ...params, timeoutMs: params.timeoutMs ?? 2000 }),
    }),
    ...createConfigActivities({ configRoot: deps.configRoot, recheckIntervalMs: deps.configRecheckMs }),
    ...createEntityActivities({
      client: deps.client,
      taskQueue: deps.taskQueue,
      ...(deps.entityTaskQueue ? { entityTaskQueue: deps.entityTaskQueue } : {}),
      controlCacheMs: deps.controlCacheMs,
      breakerNotifications: deps.breakerNotifications,
    }),
  };
}

/**
 * The actions, as a worker of the control realm registers them on the realm's task queue: each checks that
 * `workerRegion` is still the control realm of the live configuration, then acts in its event's region.
 */
export function createActionQueueActivities(
  deps: LazarusWorkerDependencies & { workerRegion: string },
): ActionActivities {
  const regional = actuatorsByRegion(deps);
  const snapshot = createSnapshotCache({ configRoot: deps.configRoot, recheckIntervalMs: deps.configRecheckMs });
  return createControlRealmActivities({
    workerRegion: deps.workerRegion,
    deployment: async () => (await snapshot()).deployment,
    actuatorsFor: (awsRegion) => regional(awsRegion),
  });
}

/** The precondition checks as seen from one checker node's zone. */
export function createNodeCheckerActivities(
  node: CheckerNode,
  main: Pick<LazarusActivities, 'listServiceHosts'>,
  probeTimeoutMs = 2000,
): CheckerActivities {
  return createCheckerActivities({
    node: node.name,
    zone: node.zone,
    listServiceHosts: (service) => main.listServiceHosts(service),
    probeHost: (host, params) => probeHost(host, { ...params, timeoutMs: params.timeoutMs ?? probeTimeoutMs }),
  });
}

/** The hosts a checker node of `region` sees: through the AWS API of that region. */
export function regionHostLister(
  deps: Pick<LazarusWorkerDependencies, 'aws' | 'awsFor'> & Partial<LazarusWorkerDependencies>,
  awsRegion: string,
): Pick<LazarusActivities, 'listServiceHosts'> {
  return createActivities({ ...deps, aws: deps.awsFor ? deps.awsFor(awsRegion) : deps.aws });
}
