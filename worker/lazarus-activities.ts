// What a Lazarus worker process serves: the main task queue's activities (actuators, configuration, entity
// clients) and the checker activities of each checker node it hosts. One place, so the worker process and the
// end-to-end tests assemble exactly the same thing.
import type { Client } from '@temporalio/client';
import { createActivities, probeHost, type ActivityDependencies, type LazarusActivities } from '../activities';
import { createCheckerActivities, type CheckerActivities } from '../activities/checks';
import { createConfigActivities, type ConfigActivities } from '../activities/config';
import { createEntityActivities, type EntityActivities } from '../activities/entities';
import { createScalingActivities, type ScalingActivities } from '../activities/scaling';
import type { CheckerNode, NotificationChannels } from '../core/resolved-config';

export interface LazarusWorkerDependencies extends ActivityDependencies {
  client: Client;
  taskQueue: string;
  /** Folder holding rules/, profiles/ and services/. */
  configRoot: string;
  configRecheckMs?: number;
  controlCacheMs?: number;
  breakerNotifications?: NotificationChannels;
}

export type MainQueueActivities = LazarusActivities & ConfigActivities & EntityActivities & ScalingActivities;

export function createMainQueueActivities(deps: LazarusWorkerDependencies): MainQueueActivities {
  const actuators = createActivities(deps);
  return {
    ...actuators,
    ...createScalingActivities({
      listServiceHosts: (service) => actuators.listServiceHosts(service),
      probeHost: (host, params) => probeHost(host, { ...params, timeoutMs: params.timeoutMs ?? 2000 }),
    }),
    ...createConfigActivities({ configRoot: deps.configRoot, recheckIntervalMs: deps.configRecheckMs }),
    ...createEntityActivities({
      client: deps.client,
      taskQueue: deps.taskQueue,
      controlCacheMs: deps.controlCacheMs,
      breakerNotifications: deps.breakerNotifications,
    }),
  };
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
