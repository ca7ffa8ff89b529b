// Talks to the governor and control entity workflows through the Temporal client: update-with-start so the first
// event of a service or region creates its entity, queries for reads. Workflows cannot update other workflows, so
// this is where a remediation's governor decision and kill-switch read happen.
import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { allRegionsName, emptyControlState, type ControlState } from '../core/control';
import {
  acquireLockUpdate,
  admitUpdate,
  breakerMemoKey,
  recordScalingUpdate,
  controlQuery,
  followRemediationUpdate,
  releaseLockUpdate,
  reportServiceSignal,
  reportServiceUpdate,
  type AdmitRequest,
  type AdmitVerdict,
  type BreakerMemo,
  type FollowingPage,
  type LockGrant,
  type LockRequest,
  type ServiceReport,
} from '../contracts/messages';
import type { NotificationChannels } from '../core/resolved-config';
import { controlId, regionalGovernorId, serviceGovernorId } from '../contracts/workflow-ids';
import { createQuarantineActivities, type QuarantineActivities } from './quarantine';
import { createExplainActivities, type ExplainActivities } from './explain';
import { entitySummaries } from '../contracts/user-metadata';
import { LazarusRegion, LazarusService } from '../contracts/search-attributes';

export interface EntityDependencies {
  client: Client;
  /** The main Lazarus queue (a drill's: its own queue). */
  taskQueue: string;
  /**
   * Task queue new entity workflows start on (contracts entityTaskQueue, served by the worker process's entity
   * worker); default `taskQueue`. An entity already running stays where it started.
   */
  entityTaskQueue?: string;
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
  /**
   * How long one worker process believes a regional breaker it read open (default 1000 ms; 0 reads every time). In a
   * storm every admission reads the breaker; once it is open, refusing from the last open read costs Temporal nothing.
   * A closed read is never reused: an admission after the breaker opened always sees it open.
   */
  openBreakerCacheMs?: number;
  /**
   * A replay drill's sandbox: entity ids under this prefix (contracts entityPrefixOf) and started with the drill's
   * workflow types, so a drill never reads or changes production's governors, control or quarantine.
   */
  sandbox?: {
    idPrefix: string;
    types: Partial<Record<'serviceGovernor' | 'regionalGovernor' | 'control' | 'remediation' | 'quarantine', string>>;
  };
  /** Workflow id of the all-regions kill switch (default control/all-regions; tests give each run its own). */
  allRegionsControlId?: string;
}

export interface EntityActivities extends QuarantineActivities, ExplainActivities {
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
  /**
   * Right before a runbook starts: takes the service lock or the host lock in the service's governor (a service lock
   * excludes every host lock of the service and the reverse; a lock whose holder remediation is no longer running is
   * taken back first) and reads the regional breaker again. When the breaker is open the lock is given back at once.
   */
  claimRunbook(request: ClaimRequest): Promise<ClaimAnswer>;
  /** Gives back what `holder` holds in the service's governor. */
  releaseRunbookLock(request: { service: string; holder: string; lock_id?: string }): Promise<void>;
  /** The region's breaker as its governor last published it (a describe of governor/region/<region>). */
  readBreaker(region: string): Promise<BreakerMemo>;
  /**
   * A later alarm about a failure already counted: asks the remediation deciding for it to take this page with its
   * own. False when it is gone or already settling its pages.
   */
  followRemediation(request: { workflow_id: string; page: FollowingPage }): Promise<{ accepted: boolean }>;
  /** Starts the service's scaling cooldown. */
  governorRecordScaling(request: { service: string; at: number; workflow_id: string }): Promise<void>;
  /** Running remediations of the service other than scaling ones (and other than `self`). */
  replacementsInProgress(request: { service: string; self: string }): Promise<string[]>;
}

export interface ClaimRequest extends LockRequest {
  service: string;
  region: string;
}

export interface ClaimAnswer {
  granted: boolean;
  /** The locks that kept this one from being granted (their holders still run). */
  conflicts: LockGrant[];
  /** Locks taken back because their holder remediation had ended without giving them back. */
  reclaimed: LockGrant[];
  breaker: BreakerMemo;
}

const closedMemo: BreakerMemo = { state: 'closed', failing_count: 0, failing: [], since: 0 };

export function createEntityActivities(deps: EntityDependencies): EntityActivities {
  const entityQueue = deps.entityTaskQueue ?? deps.taskQueue;
  const options = deps.continueAsNewAfter ? { continue_as_new_after: deps.continueAsNewAfter } : undefined;
  const controlReads = new Map<string, { at: number; value: Promise<ControlState>; pending: boolean }>();
  // An open breaker read is believed for openBreakerCacheMs (refusing is the safe side); a closed one never is.
  const openBreakerCacheMs = deps.openBreakerCacheMs ?? 1000;
  const openBreakers = new Map<string, { at: number; memo: BreakerMemo }>();
  const prefix = deps.sandbox?.idPrefix ?? '';
  const types = {
    serviceGovernor: 'serviceGovernor',
    regionalGovernor: 'regionalGovernor',
    control: 'control',
    remediation: 'remediate',
    ...deps.sandbox?.types,
  };
  return {
    ...createQuarantineActivities({ ...deps, taskQueue: entityQueue }),
    ...createExplainActivities(deps),
    async governorAdmit(request: AdmitRequest, declared?: readonly string[]): Promise<AdmitVerdict> {
      requireDeclared(request.region, declared);
      const admitted = await deps.client.workflow.executeUpdateWithStart(admitUpdate, {
        args: [request],
        startWorkflowOperation: new WithStartWorkflowOperation(types.serviceGovernor, {
          workflowId: serviceGovernorId(request.service, prefix),
          taskQueue: entityQueue,
          args: [{ service: request.service, options }],
          typedSearchAttributes: governorAttributes(request.service, request.region),
          staticSummary: entitySummaries.serviceGovernor(request.service),
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      });
      let breaker: BreakerMemo = await readBreaker(request.region);
      if (admitted.rate_limit.started_failing && request.category !== 'autoscaling') {
        const report: ServiceReport = {
          service: request.service,
          failing: true,
          at: Date.now(),
          breaker: { open_threshold: request.breaker.open_threshold, close_threshold: request.breaker.close_threshold },
          notifications: request.breaker_notifications,
        };
        const start = new WithStartWorkflowOperation(types.regionalGovernor, {
          workflowId: regionalGovernorId(request.region, prefix),
          taskQueue: entityQueue,
          args: [{ region: request.region, notifications: deps.breakerNotifications, options }],
          staticSummary: entitySummaries.regionalGovernor(request.region),
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
        if (breaker.state === 'open') {
          // Already open: the event is refused whatever the region answers; the region only needs to count the
          // service (for closing), so a signal does, and the burst costs the region no Update round trip.
          await deps.client.workflow.signalWithStart(types.regionalGovernor, {
            workflowId: regionalGovernorId(request.region, prefix),
            taskQueue: entityQueue,
            args: [{ region: request.region, notifications: deps.breakerNotifications, options }],
            staticSummary: entitySummaries.regionalGovernor(request.region),
            signal: reportServiceSignal,
            signalArgs: [report],
          });
        } else {
          // The report that may open the breaker: its answer is exact (the event that opens it is refused).
          const answer = await deps.client.workflow.executeUpdateWithStart(reportServiceUpdate, {
            args: [report],
            startWorkflowOperation: start,
          });
          breaker = { ...answer, since: breaker.since };
          if (breaker.state === 'open') openBreakers.set(request.region, { at: Date.now(), memo: breaker });
        }
      }
      const verdict: AdmitVerdict = { ...admitted, breaker };
      if ((verdict.rate_limit.limited || breaker.state === 'open') && request.lock_id) {
        verdict.lock_running = admitted.lock_held === false ? false : await isRunning(request.lock_id);
      }
      return verdict;
    },

    async claimRunbook(request: ClaimRequest): Promise<ClaimAnswer> {
      const lock: LockRequest = { lock_id: request.lock_id, scope: request.scope, holder: request.holder };
      const reclaimed: LockGrant[] = [];
      let answer = await acquire(request.service, request.region, lock);
      if (!answer.granted) {
        // A holder that ended without giving its lock back (terminated, its worker lost for good) holds nothing.
        const gone = (
          await Promise.all(answer.conflicts.map(async (c) => ((await isRunning(c.holder)) ? undefined : c)))
        ).filter((c): c is LockGrant => c !== undefined);
        for (const grant of gone) {
          await release(request.service, grant.holder, grant.lock_id);
          reclaimed.push(grant);
        }
        if (gone.length > 0) answer = await acquire(request.service, request.region, lock);
      }
      const breaker = await readBreaker(request.region);
      if (answer.granted && breaker.state === 'open') await release(request.service, request.holder, request.lock_id);
      return { granted: answer.granted && breaker.state !== 'open', conflicts: answer.conflicts, reclaimed, breaker };
    },

    async releaseRunbookLock(request: { service: string; holder: string; lock_id?: string }): Promise<void> {
      await release(request.service, request.holder, request.lock_id);
    },

    async readBreaker(region: string): Promise<BreakerMemo> {
      return await readBreaker(region);
    },

    async followRemediation(request: { workflow_id: string; page: FollowingPage }): Promise<{ accepted: boolean }> {
      try {
        return await deps.client.workflow
          .getHandle(request.workflow_id)
          .executeUpdate(followRemediationUpdate, { args: [request.page] });
      } catch (err) {
        // Gone, finished, or settling its pages (the validator refused): this alarm decides for itself.
        if (err instanceof WorkflowNotFoundError || err instanceof WorkflowUpdateFailedError)
          return { accepted: false };
        throw err;
      }
    },

    async governorRecordScaling(request: { service: string; at: number; workflow_id: string }): Promise<void> {
      await deps.client.workflow
        .getHandle(serviceGovernorId(request.service, prefix))
        .executeUpdate(recordScalingUpdate, { args: [{ at: request.at, workflow_id: request.workflow_id }] });
    },

    async replacementsInProgress(request: { service: string; self: string }): Promise<string[]> {
      const ids: string[] = [];
      const query = `WorkflowType='${types.remediation}' AND ExecutionStatus='Running' AND LazarusService='${request.service.replace(/'/g, '')}'`;
      for await (const execution of deps.client.workflow.list({ query })) {
        const type = execution.searchAttributes?.LazarusEventType?.[0];
        const inSandbox = execution.workflowId.startsWith(prefix);
        if (inSandbox && execution.workflowId !== request.self && type !== 'ScaleUp' && type !== 'ScaleDown') {
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

  /** The breaker the regional governor published in its memo; a region without a governor has a closed breaker. */
  async function readBreaker(region: string): Promise<BreakerMemo> {
    const open = openBreakers.get(region);
    if (open && Date.now() - open.at < openBreakerCacheMs) return open.memo;
    try {
      const description = await deps.client.workflow.getHandle(regionalGovernorId(region, prefix)).describe();
      const memo = description.memo?.[breakerMemoKey] as BreakerMemo | undefined;
      if (memo?.state === 'open') openBreakers.set(region, { at: Date.now(), memo });
      else openBreakers.delete(region);
      return memo ?? closedMemo;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return closedMemo;
      throw err;
    }
  }

  /** The all-regions kill switch: a fixed id (no typo can name another), so a missing entity means never set. */
  async function queryAllRegions(): Promise<ControlState> {
    try {
      const id = deps.allRegionsControlId ?? controlId(allRegionsName, prefix);
      return await deps.client.workflow.getHandle(id).query(controlQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return emptyControlState(allRegionsName);
      throw err;
    }
  }

  async function isRunning(workflowId: string): Promise<boolean> {
    try {
      return (await deps.client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  async function acquire(
    service: string,
    region: string,
    lock: LockRequest,
  ): Promise<{ granted: boolean; conflicts: LockGrant[] }> {
    return await deps.client.workflow.executeUpdateWithStart(acquireLockUpdate, {
      args: [lock],
      startWorkflowOperation: new WithStartWorkflowOperation(types.serviceGovernor, {
        workflowId: serviceGovernorId(service, prefix),
        taskQueue: entityQueue,
        args: [{ service, options }],
        typedSearchAttributes: governorAttributes(service, region),
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
  }

  async function release(service: string, holder: string, lockId?: string): Promise<void> {
    try {
      await deps.client.workflow
        .getHandle(serviceGovernorId(service, prefix))
        .executeUpdate(releaseLockUpdate, { args: [{ holder, lock_id: lockId }] });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }

  async function queryControl(region: string, mayCreate: boolean): Promise<ControlState> {
    const handle = deps.client.workflow.getHandle(controlId(region, prefix));
    try {
      return await handle.query(controlQuery);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    if (!mayCreate) {
      throw ApplicationFailure.nonRetryable(
        `${controlId(region, prefix)} does not exist and is created only for a declared region: failing closed`,
        'ControlMissing',
      );
    }
    // Never set in this region: create the entity (so operators find it) and read its empty state.
    await deps.client.workflow
      .start(types.control, {
        workflowId: controlId(region, prefix),
        taskQueue: entityQueue,
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

/**
 * A service governor's search attributes, set when it is started: the region and service it governs, so that the
 * governor view lists a region's governors from visibility (the server copies them to a continued run).
 */
function governorAttributes(service: string, region: string) {
  return [
    { key: LazarusRegion, value: region },
    { key: LazarusService, value: service },
  ];
}
