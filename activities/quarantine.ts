// Talks to the rule-quarantine entity (quarantine/<region>) through the Temporal client: a remediation reads whether
// its rule is quarantined in its region (a query, reused for a second per worker like the control read), and reports
// each finished runbook run (update-with-start, so the first report creates the entity).
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { RuleQuarantine } from '../core/quarantine';
import { quarantineQuery, recordRuleRunUpdate, type RecordRuleRunRequest } from '../contracts/quarantine';
import { quarantineId } from '../contracts/workflow-ids';

export interface QuarantineActivityDependencies {
  client: Client;
  taskQueue: string;
  /** How long one worker reuses a read of a region's quarantine state (default 1000 ms; 0 reads every time). */
  controlCacheMs?: number;
  continueAsNewAfter?: number;
  sandbox?: { idPrefix: string; types: { quarantine?: string } };
}

export interface QuarantineActivities {
  /** The rule's quarantine in the region, or null when it is not quarantined (or no run was ever reported there). */
  readRuleQuarantine(region: string, rule: string): Promise<RuleQuarantine | null>;
  /** Reports a finished runbook run; answers the rule's quarantine (new or standing), or null. */
  recordRuleRun(request: RecordRuleRunRequest): Promise<RuleQuarantine | null>;
}

export function createQuarantineActivities(deps: QuarantineActivityDependencies): QuarantineActivities {
  const prefix = deps.sandbox?.idPrefix ?? '';
  const workflowType = deps.sandbox?.types.quarantine ?? 'ruleQuarantine';
  const options = deps.continueAsNewAfter ? { continue_as_new_after: deps.continueAsNewAfter } : undefined;
  const reads = new Map<string, { at: number; value: Promise<Awaited<ReturnType<typeof read>>> }>();

  async function read(region: string): Promise<Record<string, RuleQuarantine | undefined>> {
    try {
      const state = await deps.client.workflow.getHandle(quarantineId(region, prefix)).query(quarantineQuery);
      return Object.fromEntries(Object.entries(state.rules).map(([rule, record]) => [rule, record.quarantine]));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return {}; // no run of any rule reported in this region yet
      throw err;
    }
  }

  return {
    async readRuleQuarantine(region: string, rule: string): Promise<RuleQuarantine | null> {
      const cacheMs = deps.controlCacheMs ?? 1000;
      const cached = reads.get(region);
      let value: Promise<Record<string, RuleQuarantine | undefined>>;
      if (cached && Date.now() - cached.at < cacheMs) {
        value = cached.value;
      } else {
        value = read(region);
        reads.set(region, { at: Date.now(), value });
        value.catch(() => reads.delete(region)); // a failed read is never reused
      }
      return (await value)[rule] ?? null;
    },

    async recordRuleRun(request: RecordRuleRunRequest): Promise<RuleQuarantine | null> {
      reads.delete(request.region);
      return await deps.client.workflow.executeUpdateWithStart(recordRuleRunUpdate, {
        args: [request],
        startWorkflowOperation: new WithStartWorkflowOperation(workflowType, {
          workflowId: quarantineId(request.region, prefix),
          taskQueue: deps.taskQueue,
          args: [{ region: request.region, options }],
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      });
    },
  };
}
