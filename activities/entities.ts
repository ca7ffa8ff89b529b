// Talks to the governor and control entity workflows through the Temporal client: update-with-start so the first
// event of a service or region creates its entity, queries for reads. Workflows cannot update other workflows, so
// this is where a remediation's governor decision and kill-switch read happen.
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { allRegionsName, emptyControlState, type ControlState } from '../core/control';
import {
  admitUpdate,
  recordScalingUpdate,
  controlQuery,
  reportServiceUpdate,
  type AdmitRequest,
  type AdmitVerdict,
} from '../contracts/messages';
import type { NotificationChannels } from '../core/resolved-config';
import { controlId, regionalGovernorId, serviceGovernorId } from '../contracts/workflow-ids';
import { entitySummaries } from '../contracts/user-metadata';

export interface EntityDependencies {
  client: Client;
  /** Task queue the entity workflows run on (the main Lazarus queue). */
  taskQueue: string;
  /** Who hears of breaker transitions. */
  breakerNotifications?: NotificationChannels;
  /** Continue-as-new threshold handed to new entities (tests make it small). */
  continueAsNewAfter?: number;
  /**
   * How long one worker process reuses a control-state read (default 1000 ms). Every remediation reads the kill
   * switch several times; without this, one control workflow would answer a query for each, which is exactly the
   * per-workflow funnel Temporal cannot sustain. Concurrent reads share one query. 0 reads every time.
   */
  controlCacheMs?: number;
  /** Workflow id of the all-regions kill switch (default control/all-regions; tests give each run its own). */
  allRegionsControlId?: string;
}

export interface EntityActivities {
  /**
   * Count the event in its service's governor and read the regional breaker (reporting a start of failing). `declared`:
   * the regions services/deployment.yaml declares; a request for another region (or without the list) is refused,
   * non-retryably (type UndeclaredRegion), so no governor/region/<typo> is ever created.
   */
  governorAdmit(request: AdmitRequest, declared?: readonly string[]): Promise<AdmitVerdict>;
  /**
   * The region's kill switch and shadow settings, with the control realm's all-regions kill switch as `all_regions`
   * (control/all-regions; never set = off); throws if either cannot be read (the caller fails closed). With
   * `declared` (the declared regions) a missing control/<region> of a declared region is created; a region not in the
   * list is refused (UndeclaredRegion). Without the list nothing is created: a missing control is an error
   * (ControlMissing), and the caller fails closed.
   */
  readControl(region: string, declared?: readonly string[]): Promise<ControlState>;
  /** Starts the service's scaling cooldown. */
  governorRecordScaling(request: { service: string; at: number; workflow_id: string }): Promise<void>;
  /** Running remediations of the service other than scaling ones (and other than `self`). */
  replacementsInProgress(request: { service: string; self: string }): Promise<string[]>;
}

export function createEntityActivities(deps: EntityDependencies): EntityActivities {
  const options = deps.continueAsNewAfter ? { continue_as_new_after: deps.continueAsNewAfter } : undefined;
  const controlReads = new Map<string, { at: number; value: Promise<ControlState>; pending: boolean }>();
  return {
    async governorAdmit(request: AdmitRequest, declared?: readonly string[]): Promise<AdmitVerdict> {
      requireDeclared(request.region, declared);
      const admitted = await deps.client.workflow.executeUpdateWithStart(admitUpdate, {
        args: [request],
        startWorkflowOperation: new WithStartWorkflowOperation('serviceGovernor', {
          workflowId: serviceGovernorId(request.service),
          taskQueue: deps.taskQueue,
          args: [{ service: request.service, options }],
          staticSummary: entitySummaries.serviceGovernor(request.service),
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      });
      if (admitted.rate_limit.started_failing) {
        const breaker = await deps.client.workflow.executeUpdateWithStart(reportServiceUpdate, {
          args: [
            {
              service: request.service,
              failing: true,
              at: Date.now(),
              breaker: {
                open_threshold: request.breaker.open_threshold,
                close_threshold: request.breaker.close_threshold,
              },
              notifications: request.breaker_notifications,
            },
          ],
          startWorkflowOperation: new WithStartWorkflowOperation('regionalGovernor', {
            workflowId: regionalGovernorId(request.region),
            taskQueue: deps.taskQueue,
            args: [{ region: request.region, notifications: deps.breakerNotifications, options }],
            staticSummary: entitySummaries.regionalGovernor(request.region),
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        });
        return { ...admitted, breaker };
      }
      // Not a start of failing: the service governor's copy of the breaker, pushed by the region on every change.
      return admitted;
    },

    async governorRecordScaling(request: { service: string; at: number; workflow_id: string }): Promise<void> {
      await deps.client.workflow
        .getHandle(serviceGovernorId(request.service))
        .executeUpdate(recordScalingUpdate, { args: [{ at: request.at, workflow_id: request.workflow_id }] });
    },

    async replacementsInProgress(request: { service: string; self: string }): Promise<string[]> {
      const ids: string[] = [];
      const query = `WorkflowType='remediate' AND ExecutionStatus='Running' AND LazarusService='${request.service.replace(/'/g, '')}'`;
      for await (const execution of deps.client.workflow.list({ query })) {
        const type = execution.searchAttributes?.LazarusEventType?.[0];
        if (execution.workflowId !== request.self && type !== 'ScaleUp' && type !== 'ScaleDown') {
          ids.push(execution.workflowId);
        }
      }
      return ids;
    },

    async readControl(region: string, declared?: readonly string[]): Promise<ControlState> {
      if (declared) requireDeclared(region, declared);
      const mayCreate = declared !== undefined;
      const cacheMs = deps.controlCacheMs ?? 1000;
      const cached = controlReads.get(region);
      if (cached && (cached.pending || Date.now() - cached.at < cacheMs)) return await cached.value;
      const value = Promise.all([queryControl(region, mayCreate), queryAllRegions()]).then(
        ([state, all]): ControlState => ({ ...state, all_regions: { kill_switch: all.kill_switch } }),
      );
      const entry = { at: Date.now(), value, pending: true };
      controlReads.set(region, entry);
      try {
        return await value;
      } catch (err) {
        controlReads.delete(region); // never cache a failed read: the caller fails closed and asks again
        throw err;
      } finally {
        entry.pending = false;
        entry.at = Date.now();
      }
    },
  };

  /** The all-regions kill switch: a fixed id (no typo can name another), so a missing entity means never set. */
  async function queryAllRegions(): Promise<ControlState> {
    try {
      const id = deps.allRegionsControlId ?? controlId(allRegionsName);
      return await deps.client.workflow.getHandle(id).query(controlQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return emptyControlState(allRegionsName);
      throw err;
    }
  }

  async function queryControl(region: string, mayCreate: boolean): Promise<ControlState> {
    const handle = deps.client.workflow.getHandle(controlId(region));
    try {
      return await handle.query(controlQuery);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    if (!mayCreate) {
      throw ApplicationFailure.nonRetryable(
        `${controlId(region)} does not exist and is created only for a declared region: failing closed`,
        'ControlMissing',
      );
    }
    // Never set in this region: create the entity (so operators find it) and read its empty state.
    await deps.client.workflow
      .start('control', {
        workflowId: controlId(region),
        taskQueue: deps.taskQueue,
        args: [{ region, options }],
        staticSummary: entitySummaries.control(region),
        workflowIdConflictPolicy: 'USE_EXISTING',
      })
      .catch(() => undefined);
    try {
      return await handle.query(controlQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return emptyControlState(region);
      throw err;
    }
  }
}

/** Failure type of an entity call for a region services/deployment.yaml does not declare (never retried). */
export const undeclaredRegionFailureType = 'UndeclaredRegion';

function requireDeclared(region: string, declared: readonly string[] | undefined): void {
  if (declared?.includes(region)) return;
  throw ApplicationFailure.nonRetryable(
    declared
      ? `region ${region} is not declared in services/deployment.yaml (declared: ${declared.join(', ')}): ` +
          'no governor or control entity is created for it'
      : `region ${region}: the caller did not pass the declared regions; no governor entity is created`,
    undeclaredRegionFailureType,
  );
}
