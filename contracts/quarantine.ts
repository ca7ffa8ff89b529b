// The rule-quarantine entity (quarantine/<region>): remediations report each finished runbook run of a rule, read
// whether the rule is quarantined, and operators release a quarantine (audited). Shared by the workflow, the entity
// activities, the API and the CLI.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  QuarantineRelease,
  QuarantineState,
  QuarantineThresholds,
  RuleQuarantine,
  RuleRun,
} from '../core/quarantine';
import type { ServiceNotificationChannels } from '../core/resolved-config';

export type { QuarantineRelease, QuarantineState, QuarantineThresholds, RuleQuarantine, RuleRun };

export interface RecordRuleRunRequest {
  rule: string;
  region: string;
  run: RuleRun;
  thresholds: QuarantineThresholds;
  /** The owning team and its channels (Slack, email, the PagerDuty route of on-call) told of a quarantine. */
  team: string;
  channels: ServiceNotificationChannels;
}

export interface ReleaseRuleRequest {
  rule: string;
  actor: string;
  reason: string;
}

export const recordRuleRunUpdate = defineUpdate<RuleQuarantine | null, [RecordRuleRunRequest]>('recordRuleRun');
export const releaseRuleUpdate = defineUpdate<QuarantineRelease, [ReleaseRuleRequest]>('releaseRule');
export const quarantineQuery = defineQuery<QuarantineState>('quarantine');
