// The actions (every runbook activity of core/activity-catalog.ts) as a control-realm worker registers them. Each
// first checks, against the live configuration, that this worker is in the control realm (else it fails, never
// retried, and the remediation escalates), then calls the AWS API of the event's region, never the worker's own.
import { ApplicationFailure } from '@temporalio/common';
import {
  activityCatalog,
  outsideControlRealmFailureType,
  stepRegionInputKey,
  type RunbookActivityName,
} from '../core/activity-catalog';
import { awsRegionOf, controlRealm, declaredRegions, type DeploymentSettings } from '../core/resolved-config';

/** An action as registered: it takes the step input (with the event's region) and returns the step output. */
export type ActionActivity = (input: Record<string, unknown>) => Promise<unknown>;
export type ActionActivities = Record<RunbookActivityName, ActionActivity>;

/** The names of the actions: the runbook activities. Only control-realm workers register them. */
export const actionActivityNames = Object.keys(activityCatalog) as RunbookActivityName[];

export interface ControlRealmDependencies {
  /** The region this worker is in (LAZARUS_WORKER_REGION). */
  workerRegion: string;
  /** The live deployment settings (control realm, declared regions, their AWS regions), read at every action. */
  deployment: () => Promise<Pick<DeploymentSettings, 'region' | 'regions' | 'region_settings' | 'control_realm'>>;
  /** The actions calling one AWS region's API (the caller makes them once per region). */
  actuatorsFor: (awsRegion: string) => Record<RunbookActivityName, (input: never) => Promise<unknown>>;
}

/** Failure types of an action refused before it touched anything (never retried). */
export const ActionRefusal = {
  OutsideControlRealm: outsideControlRealmFailureType,
  MissingRegion: 'MissingRegion',
  UndeclaredRegion: 'UndeclaredRegion',
} as const;

export function createControlRealmActivities(deps: ControlRealmDependencies): ActionActivities {
  const guarded =
    (name: RunbookActivityName): ActionActivity =>
    async (input) => {
      const deployment = await deps.deployment();
      const realm = controlRealm(deployment);
      if (deps.workerRegion !== realm) {
        throw ApplicationFailure.nonRetryable(
          `Attempted to execute action outside of control realm: ${name} reached a worker of region ` +
            `${deps.workerRegion}; the control realm is ${realm} (services/deployment.yaml control_realm)`,
          ActionRefusal.OutsideControlRealm,
        );
      }
      const { [stepRegionInputKey]: region, ...stepInput } = input ?? {};
      if (typeof region !== 'string') {
        throw ApplicationFailure.nonRetryable(
          `${name}: the step carries no region, so no AWS region can be chosen for it: refused`,
          ActionRefusal.MissingRegion,
        );
      }
      const declared = declaredRegions(deployment);
      if (!declared.includes(region)) {
        throw ApplicationFailure.nonRetryable(
          `${name}: region ${region} is not declared in services/deployment.yaml (declared: ${declared.join(', ')})`,
          ActionRefusal.UndeclaredRegion,
        );
      }
      return await deps.actuatorsFor(awsRegionOf(deployment, region))[name](stepInput as never);
    };
  return Object.fromEntries(actionActivityNames.map((name) => [name, guarded(name)])) as ActionActivities;
}
