// The dry-run activities of replay drills (the drill task queue). The real remediate workflow runs on them unchanged:
// the configuration is the live one or the drill's candidate with every window divided by the drill's speed; the
// governors, control, locks and quarantine are the drill's own (ids under drill/<id>/, drill workflow types); the
// checker nodes answer as the drill says (the past fleet cannot be probed); pages and notifications are not sent;
// runbook steps touch nothing and answer placeholders for the outputs later steps reference. Which drill a call
// belongs to comes from the calling workflow's id (drill/<id>/...).
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { activityCatalog } from '../core/activity-catalog';
import type { LazarusEvent } from '../core/event';
import type { NodeAnswer } from '../core/quorum';
import type { MatchResult, RegionSettings } from '../core/resolved-config';
import { buildSnapshot, formatConfigIssue, matchEvent, type ConfigSnapshot } from '../core/config';
import { drillSettingsQuery, drillWorkflowTypes, type DrillSettings } from '../contracts/drill';
import { drillEntityPrefix, drillIdOf, drillWorkflowId } from '../contracts/workflow-ids';
import { snapshotVersion } from '../platform/content-hash';
import { createEntityActivities, type EntityActivities } from './entities';
import type { PreconditionRequest } from './checks';
import type { ScalingActivities } from './scaling';

export interface DrillActivityDependencies {
  client: Client;
  /** The drill task queue (this worker's): the sandbox's entities and checker nodes run here. */
  taskQueue: string;
  /** The live configuration's match (the worker's config activity). */
  liveMatch(event: LazarusEvent): Promise<MatchResult>;
  /** A read-only pool census for scaling events (the real one: it only lists and probes hosts). */
  censusService?: ScalingActivities['censusService'];
}

export interface DrillActivities {
  /** Ends every sandboxed entity workflow of a drill that still runs (governors, control, quarantine). */
  endDrillSandbox(request: { drill_id: string }): Promise<{ ended: string[] }>;
}

type AnyActivity = (...args: never[]) => Promise<unknown>;

export function createDrillActivities(deps: DrillActivityDependencies): Record<string, AnyActivity> & DrillActivities {
  const settingsByDrill = new Map<string, Promise<DrillSettings>>();
  const candidates = new Map<string, ConfigSnapshot>();
  const entitiesByDrill = new Map<string, EntityActivities>();

  const drillOfCaller = (): string => {
    const workflowId = Context.current().info.workflowExecution?.workflowId ?? '';
    const drillId = drillIdOf(workflowId);
    if (!drillId) {
      throw ApplicationFailure.nonRetryable(
        `workflow ${workflowId} called a dry-run activity of the drill task queue but is not part of a drill`,
        'NotADrill',
      );
    }
    return drillId;
  };
  const settingsOf = async (drillId: string): Promise<DrillSettings> => {
    let settings = settingsByDrill.get(drillId);
    if (!settings) {
      settings = deps.client.workflow.getHandle(drillWorkflowId(drillId)).query(drillSettingsQuery);
      settingsByDrill.set(drillId, settings);
      settings.catch(() => settingsByDrill.delete(drillId));
    }
    return await settings;
  };
  const entities = (): EntityActivities => {
    const drillId = drillOfCaller();
    let found = entitiesByDrill.get(drillId);
    if (!found) {
      found = createEntityActivities({
        client: deps.client,
        taskQueue: deps.taskQueue,
        controlCacheMs: 0,
        sandbox: { idPrefix: drillEntityPrefix(drillId), types: drillWorkflowTypes },
      });
      entitiesByDrill.set(drillId, found);
    }
    return found;
  };
  const match = async (event: LazarusEvent, settings: DrillSettings): Promise<MatchResult> => {
    if (!settings.candidate) return await deps.liveMatch(event);
    let snapshot = candidates.get(settings.drill_id);
    if (!snapshot) {
      const built = buildSnapshot(settings.candidate.files, { hashContent: snapshotVersion });
      if (built.errors) {
        throw ApplicationFailure.nonRetryable(
          `candidate configuration ${settings.candidate.label} is invalid: ${built.errors.map(formatConfigIssue).join('; ')}`,
          'ConfigInvalid',
        );
      }
      snapshot = built.snapshot;
      candidates.set(settings.drill_id, snapshot);
    }
    return matchEvent(snapshot, event);
  };

  const stepActivities = Object.fromEntries(
    Object.entries(activityCatalog).map(([name, entry]) => [
      name,
      // touches nothing; later steps referencing this step's outputs get placeholders naming them
      async (): Promise<Record<string, unknown>> =>
        Promise.resolve({
          dry_run: true,
          ...Object.fromEntries(entry.outputs.map((key) => [key, `dry-run:${name}.${key}`])),
        }),
    ]),
  );

  return {
    ...stepActivities,

    async resolveEvent(event: LazarusEvent): Promise<MatchResult> {
      const settings = await settingsOf(drillOfCaller());
      return compress(await match(event, settings), settings.speed, deps.taskQueue);
    },

    governorAdmit: async (...args: Parameters<EntityActivities['governorAdmit']>) =>
      await entities().governorAdmit(...args),
    readControl: async (...args: Parameters<EntityActivities['readControl']>) => await entities().readControl(...args),
    governorRecordScaling: async (...args: Parameters<EntityActivities['governorRecordScaling']>) =>
      await entities().governorRecordScaling(...args),
    replacementsInProgress: async (...args: Parameters<EntityActivities['replacementsInProgress']>) =>
      await entities().replacementsInProgress(...args),
    readRuleQuarantine: async (...args: Parameters<EntityActivities['readRuleQuarantine']>) =>
      await entities().readRuleQuarantine(...args),
    recordRuleRun: async (...args: Parameters<EntityActivities['recordRuleRun']>) =>
      await entities().recordRuleRun(...args),
    // the storm gates' lock claim, breaker re-read and page following, on the drill's own entities
    claimRunbook: async (...args: Parameters<EntityActivities['claimRunbook']>) =>
      await entities().claimRunbook(...args),
    releaseRunbookLock: async (...args: Parameters<EntityActivities['releaseRunbookLock']>) =>
      await entities().releaseRunbookLock(...args),
    readBreaker: async (...args: Parameters<EntityActivities['readBreaker']>) => await entities().readBreaker(...args),
    followRemediation: async (...args: Parameters<EntityActivities['followRemediation']>) =>
      await entities().followRemediation(...args),

    async censusService(request: Parameters<ScalingActivities['censusService']>[0]) {
      if (!deps.censusService) {
        throw ApplicationFailure.nonRetryable('this drill worker has no pool census', 'DrillNoCensus');
      }
      return await deps.censusService(request);
    },

    async checkPreconditions(request: PreconditionRequest): Promise<NodeAnswer> {
      const settings = await settingsOf(drillOfCaller());
      const verdict =
        settings.preconditions === 'recorded'
          ? (settings.recorded_quorum[request.event.incident_key] ?? 'passed')
          : settings.preconditions === 'pass'
            ? 'passed'
            : 'failed';
      const passed = verdict === 'passed';
      return {
        node: 'drill',
        zone: 'drill',
        status: 'answered',
        passed,
        checks: request.preconditions.map((p) => ({
          check: p.check,
          passed,
          detail: `dry run: preconditions ${settings.preconditions} (${verdict})`,
        })),
        elapsed_ms: 0,
      };
    },

    async acknowledgePage(input: { incidentKey: string }) {
      return Promise.resolve({ dedupKey: input.incidentKey, dry_run: true });
    },
    async resolvePage(input: { incidentKey: string }) {
      return Promise.resolve({ dedupKey: input.incidentKey, dry_run: true });
    },
    async triggerPage(input: { incidentKey: string }) {
      return Promise.resolve({ dedupKey: input.incidentKey, dry_run: true });
    },
    async escalatePage() {
      return Promise.resolve({ incidentId: 'dry-run', escalationLevel: 0, raised: false, dry_run: true });
    },
    async addPageNote() {
      return Promise.resolve({ incidentId: 'dry-run', dry_run: true });
    },
    async notify() {
      return Promise.resolve({ delivered: [], failed: [], dry_run: true });
    },

    async endDrillSandbox(request: { drill_id: string }): Promise<{ ended: string[] }> {
      const prefix = drillEntityPrefix(request.drill_id);
      const types = [
        drillWorkflowTypes.serviceGovernor,
        drillWorkflowTypes.regionalGovernor,
        drillWorkflowTypes.control,
        drillWorkflowTypes.quarantine,
        drillWorkflowTypes.remediation,
        'runbook',
      ];
      const query = `ExecutionStatus='Running' AND WorkflowType IN (${types.map((t) => `'${t}'`).join(', ')})`;
      const ended: string[] = [];
      for await (const execution of deps.client.workflow.list({ query })) {
        if (!execution.workflowId.startsWith(prefix)) continue;
        try {
          await deps.client.workflow.getHandle(execution.workflowId).terminate(`drill ${request.drill_id} finished`);
          ended.push(execution.workflowId);
        } catch {
          // already closed
        }
      }
      settingsByDrill.delete(request.drill_id);
      candidates.delete(request.drill_id);
      entitiesByDrill.delete(request.drill_id);
      return { ended };
    },
  };
}

/**
 * The configuration as the drill runs it: windows divided by the speed (so compressed timing keeps the windows'
 * meaning), and every checker node on the drill queue (its dry-run checkPreconditions answers).
 */
export function compress(match: MatchResult, speed: number, drillQueue: string): MatchResult {
  const scale = (ms: number): number => Math.max(1, Math.round(ms / speed));
  const nodes = (list: MatchResult['deployment']['checker_nodes']): MatchResult['deployment']['checker_nodes'] =>
    list.map((node) => ({ ...node, task_queue: drillQueue }));
  const deployment = match.deployment;
  const regionSettings = deployment.region_settings
    ? Object.fromEntries(
        Object.entries(deployment.region_settings).map(([name, region]): [string, RegionSettings] => [
          name,
          {
            ...region,
            checker_nodes: nodes(region.checker_nodes),
            breaker: { ...region.breaker, window_ms: scale(region.breaker.window_ms) },
          },
        ]),
      )
    : undefined;
  return {
    ...match,
    deployment: {
      ...deployment,
      checker_nodes: nodes(deployment.checker_nodes),
      breaker: { ...deployment.breaker, window_ms: scale(deployment.breaker.window_ms) },
      ...(regionSettings ? { region_settings: regionSettings } : {}),
    },
    ...(match.service
      ? {
          service: {
            ...match.service,
            max_event_age_ms: scale(match.service.max_event_age_ms),
            rate_limit: { ...match.service.rate_limit, window_ms: scale(match.service.rate_limit.window_ms) },
            ...(match.service.scaling
              ? { scaling: { ...match.service.scaling, cooldown_ms: scale(match.service.scaling.cooldown_ms) } }
              : {}),
          },
        }
      : {}),
  };
}
