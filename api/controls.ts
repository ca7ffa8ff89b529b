// The region's kill switch and shadow mode (entity control/<region>), the control realm's all-regions kill switch
// (control/all-regions) and the governors (governor/region/<region>, governor/service/<svc>): read by query, changed
// by update-with-start so the first change creates the entity. Every change is audited in the entity (who, when,
// why; bounded, core/control.ts controlLimits) and readable as its history.
import { WithStartWorkflowOperation } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import {
  allRegionsName,
  controlChangeProblem,
  controlLimits,
  emptyControlState,
  killSwitchScopes,
  type ControlState,
  type KillSwitchScope,
} from '../core/control';
import {
  controlQuery,
  regionalGovernorQuery,
  serviceGovernorQuery,
  setKillSwitchUpdate,
  setShadowUpdate,
  type RegionalGovernorState,
  type ServiceGovernorState,
} from '../contracts/messages';
import { callTemporal, temporalDeadlineMs, within, type ApiDependencies } from './dependencies';
import { InvalidRequestError, NotFoundError } from './errors';
import type { ControlHistory, ControlHistoryEntry, GovernorUnavailable, GovernorView, SwitchChange } from './types';
import { quoted } from './remediations';
import { LazarusRegion } from '../contracts/search-attributes';
import { undeclaredRegionProblem } from '../core/config/event-validation';
import { controlId, regionalGovernorId, serviceGovernorId } from '../contracts/workflow-ids';
import { entitySummaries } from '../contracts/user-metadata';

const queryTimeoutMs = 5000;

export interface ReadOptions {
  /** Give up after this long (default: an API request's deadline); /metrics reads with a short one. */
  deadlineMs?: number;
  /** Bound on the entity's query itself (default: the API's query bound, 5 s), below the deadline. */
  queryTimeoutMs?: number;
}

/** Check a PUT body `{ scope, enabled, reason }`; `scopes` lists the allowed scopes (none: any `kind:name`). */
export function parseSwitchChange(body: unknown, scopes?: readonly string[]): SwitchChange {
  const value = (body ?? {}) as Record<string, unknown>;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('<root>', 'expected an object { scope, enabled, reason }');
  }
  if (
    typeof value.scope !== 'string' ||
    (scopes ? !scopes.includes(value.scope) : !/^(global|(profile|service):[\w.-]+)$/.test(value.scope))
  ) {
    throw new InvalidRequestError(
      'scope',
      `expected one of ${scopes ? scopes.join(', ') : 'global, profile:<name>, service:<name>'}`,
    );
  }
  if (typeof value.enabled !== 'boolean') throw new InvalidRequestError('enabled', 'expected true or false');
  if (typeof value.reason !== 'string' || value.reason.trim() === '') {
    throw new InvalidRequestError('reason', 'say why (it is recorded with who changed it)');
  }
  const problem = controlChangeProblem({ actor: 'caller', reason: value.reason });
  if (problem) throw new InvalidRequestError(problem.field, problem.problem);
  return { scope: value.scope, enabled: value.enabled, reason: value.reason };
}

/**
 * A region the control routes may touch: one services/deployment.yaml declares. Anything else is a 400 naming
 * `region`, never a new, empty control/<typo> whose kill switch is off.
 */
export function requireDeclaredRegion(deps: Pick<ApiDependencies, 'declaredRegions'>, region: string): void {
  const problem = deps.declaredRegions && undeclaredRegionProblem(region, deps.declaredRegions);
  if (problem) throw new InvalidRequestError('region', problem);
}

/** The workflow id of a region's control entity, or of the all-regions one. */
function entityId(deps: Pick<ApiDependencies, 'allRegionsControlId'>, region: string): string {
  return region === allRegionsName && deps.allRegionsControlId ? deps.allRegionsControlId : controlId(region);
}

/** The kill switch routes also take `all-regions`: the control realm's switch of every region. */
function requireKillSwitchRegion(deps: Pick<ApiDependencies, 'declaredRegions'>, region: string): void {
  if (region !== allRegionsName) requireDeclaredRegion(deps, region);
}

/**
 * The region's control state with the all-regions kill switch as `all_regions` (what a remediation's gate reads);
 * for `all-regions`, that entity's own state. Never set = everything off.
 */
export async function readControl(
  deps: ApiDependencies,
  region: string,
  options: ReadOptions = {},
): Promise<ControlState> {
  requireKillSwitchRegion(deps, region);
  if (region === allRegionsName) return await queryControlState(deps, region, options);
  const [state, all] = await Promise.all([
    queryControlState(deps, region, options),
    queryControlState(deps, allRegionsName, options),
  ]);
  return { ...state, all_regions: { kill_switch: all.kill_switch } };
}

/** The audited changes of a region's (or all-regions') kill switch and shadow settings, newest first. */
export async function readControlHistory(
  deps: ApiDependencies,
  region: string,
  limit: number,
): Promise<ControlHistory> {
  requireKillSwitchRegion(deps, region);
  const state = await queryControlState(deps, region, {});
  const entries: ControlHistoryEntry[] = [...state.history].reverse().map(({ what, setting }) => {
    const [kind, ...scope] = what.split(':');
    return {
      kind: kind === 'shadow' ? 'shadow' : 'kill_switch',
      scope: scope.join(':'),
      enabled: setting.enabled,
      actor: setting.actor,
      at: setting.at,
      reason: setting.reason,
    };
  });
  return { region, history: entries.slice(0, limit), total: entries.length, kept_at_most: controlLimits.historyMax };
}

/** Parses `?limit=` of the history route (1 to controlLimits.historyMax, default all). */
export function parseHistoryLimit(raw: string | null): number {
  if (raw === null || raw.trim() === '') return controlLimits.historyMax;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > controlLimits.historyMax) {
    throw new InvalidRequestError('limit', `expected a whole number from 1 to ${controlLimits.historyMax}`);
  }
  return limit;
}

async function queryControlState(deps: ApiDependencies, region: string, options: ReadOptions): Promise<ControlState> {
  const { deadlineMs = temporalDeadlineMs } = options;
  try {
    return await callTemporal(
      entityId(deps, region),
      () =>
        within(deps.temporal, Math.min(deps.queryTimeoutMs ?? queryTimeoutMs, deadlineMs), () =>
          deps.temporal.workflow.getHandle(entityId(deps, region)).query(controlQuery),
        ),
      deps.temporal,
      deadlineMs,
    );
  } catch (error) {
    // Never set in this region: nothing is switched off.
    if (error instanceof NotFoundError) return emptyControlState(region);
    throw error;
  }
}

function startControl(deps: ApiDependencies, region: string): WithStartWorkflowOperation<Workflow> {
  return new WithStartWorkflowOperation('control', {
    workflowId: entityId(deps, region),
    taskQueue: deps.entityTaskQueue ?? deps.taskQueue,
    args: [{ region }],
    staticSummary: entitySummaries.control(region),
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

export async function setKillSwitch(
  deps: ApiDependencies,
  region: string,
  change: SwitchChange,
  actor: string,
): Promise<ControlState> {
  requireKillSwitchRegion(deps, region);
  requireRecordable(actor, change.reason);
  return await callTemporal(
    entityId(deps, region),
    () =>
      deps.temporal.workflow.executeUpdateWithStart(setKillSwitchUpdate, {
        args: [{ scope: change.scope as KillSwitchScope, enabled: change.enabled, reason: change.reason, actor }],
        startWorkflowOperation: startControl(deps, region),
      }),
    deps.temporal,
  );
}

export async function setShadow(
  deps: ApiDependencies,
  region: string,
  change: SwitchChange,
  actor: string,
): Promise<ControlState> {
  if (region === allRegionsName) {
    throw new InvalidRequestError('region', `shadow mode is set per region, not for ${allRegionsName}`);
  }
  requireDeclaredRegion(deps, region);
  requireRecordable(actor, change.reason);
  return await callTemporal(
    entityId(deps, region),
    () =>
      deps.temporal.workflow.executeUpdateWithStart(setShadowUpdate, {
        args: [{ scope: change.scope, enabled: change.enabled, reason: change.reason, actor }],
        startWorkflowOperation: startControl(deps, region),
      }),
    deps.temporal,
  );
}

/** A change the control entity would refuse (too long a reason or actor) is a 400 naming the field, not a 500. */
function requireRecordable(actor: string, reason: string): void {
  const problem = controlChangeProblem({ actor, reason });
  if (problem) throw new InvalidRequestError(problem.field, problem.problem);
}

export { killSwitchScopes };

async function queryOrNull<T>(
  deps: ApiDependencies,
  call: () => Promise<T>,
  what: string,
  options: ReadOptions = {},
): Promise<T | null> {
  const { deadlineMs = temporalDeadlineMs } = options;
  const boundMs = Math.min(options.queryTimeoutMs ?? deps.queryTimeoutMs ?? queryTimeoutMs, deadlineMs);
  try {
    return await callTemporal(what, () => within(deps.temporal, boundMs, call), deps.temporal, deadlineMs);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

/** The regional breaker with its transitions; null while no service of the region has failed. */
export async function readBreaker(
  deps: ApiDependencies,
  region: string,
  options: ReadOptions = {},
): Promise<RegionalGovernorState | null> {
  return await queryOrNull(
    deps,
    () => deps.temporal.workflow.getHandle(regionalGovernorId(region)).query(regionalGovernorQuery),
    regionalGovernorId(region),
    options,
  );
}

/** What reading service governors found: their states, and the governors that did not answer (named, with why). */
export interface ServiceGovernorsRead {
  states: ServiceGovernorState[];
  unavailable: GovernorUnavailable[];
}

/**
 * The service governors of `region` (all regions without one): the named services, else the running production
 * governors found in visibility by the region they were started for (a drill's sandboxed governors are left out).
 * Each is queried within its bound; one that does not answer (its worker gone, its task queue not polled) is named
 * in `unavailable` instead of failing the whole read, so one stuck governor does not hide a region's breaker.
 */
export async function readServiceGovernors(
  deps: ApiDependencies,
  options: { region?: string; services?: string[]; max?: number; queryTimeoutMs?: number },
): Promise<ServiceGovernorsRead> {
  const { region, services = [], max = 50, queryTimeoutMs: boundMs = deps.queryTimeoutMs ?? queryTimeoutMs } = options;
  let found: Array<{ service: string; region?: string }> = services.map((service) => ({ service }));
  if (found.length === 0) {
    found = await callTemporal(
      'service governors',
      async () => {
        const listed: Array<{ service: string; region?: string }> = [];
        const clauses = [`WorkflowType='serviceGovernor'`, `ExecutionStatus='Running'`];
        if (region) clauses.push(`LazarusRegion=${quoted('region', region)}`);
        for await (const info of deps.temporal.workflow.list({ query: clauses.join(' AND '), pageSize: 100 })) {
          const service = /^governor\/service\/(.+)$/.exec(info.workflowId)?.[1];
          if (service === undefined) continue; // a drill's sandbox (drill/<id>/governor/service/...)
          listed.push({ service, region: info.typedSearchAttributes.get(LazarusRegion) });
          if (listed.length >= max) break;
        }
        return listed;
      },
      deps.temporal,
    );
  }
  const unavailable: GovernorUnavailable[] = [];
  const states = await Promise.all(
    found.map(async ({ service, region: startedFor }) => {
      try {
        return await queryOrNull(
          deps,
          () => deps.temporal.workflow.getHandle(serviceGovernorId(service)).query(serviceGovernorQuery),
          serviceGovernorId(service),
          { queryTimeoutMs: boundMs },
        );
      } catch (error) {
        unavailable.push({
          service,
          ...((startedFor ?? region) ? { region: startedFor ?? region } : {}),
          error: error instanceof Error ? error.message : String(error),
        });
        return null;
      }
    }),
  );
  return { states: states.filter((state): state is ServiceGovernorState => state !== null), unavailable };
}

/** Breaker state and the services' rate-limit windows: the named services, else those with a running governor. */
export async function readGovernor(deps: ApiDependencies, region: string, services: string[]): Promise<GovernorView> {
  const [breaker, governors] = await Promise.all([
    readBreaker(deps, region),
    readServiceGovernors(deps, { region, services }),
  ]);
  return {
    region,
    breaker,
    services: governors.states,
    ...(governors.unavailable.length > 0 ? { unavailable: governors.unavailable } : {}),
  };
}
