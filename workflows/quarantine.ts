// The rule-quarantine entity of a region (quarantine/<region>): each rule's recent runbook outcomes there. When a
// rule's runbook fails too often (core/quarantine.ts thresholds) the rule is quarantined (remediate() then decides
// SHADOW for it in this region), the owning team and on-call are told with the failed runs as evidence, and it stays
// so until an operator releases it (who, when, why kept). State changes by Update, reads by Query; continue-as-new
// before the history grows large.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  emptyQuarantineState,
  recordRuleRun,
  releaseRule,
  type QuarantineRelease,
  type QuarantineState,
  type RuleQuarantine,
} from '../core/quarantine';
import type { ServiceNotificationChannels } from '../core/resolved-config';
import type { NotifyActivities } from '../activities/notify';
import type { PagerActivities } from '../activities/pager';
import {
  quarantineQuery,
  recordRuleRunUpdate,
  releaseRuleUpdate,
  type ReleaseRuleRequest,
} from '../contracts/quarantine';
import { lazarusMetrics } from './metrics';
import type { EntityOptions } from './governors';

export const maxQuarantineHistory = 200;

export interface QuarantineInput {
  region: string;
  options?: EntityOptions;
  carried?: QuarantineState;
}

export class QuarantineRequestError extends Error {
  override readonly name = 'QuarantineRequestError';
}

/** The notification and page activities with a summary for one call (the Web UI shows it on the activity). */
function announcer(summary: string): NotifyActivities & PagerActivities {
  return proxyActivities<NotifyActivities & PagerActivities>({
    summary,
    startToCloseTimeout: '20 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
  });
}

interface Announcement {
  quarantine: RuleQuarantine;
  team: string;
  channels: ServiceNotificationChannels;
}

export async function ruleQuarantine(input: QuarantineInput): Promise<void> {
  const state: QuarantineState = input.carried ?? emptyQuarantineState(input.region);
  let handled = 0;
  const toAnnounce: Announcement[] = [];
  const remember = (entry: QuarantineState['history'][number]): void => {
    state.history.push(entry);
    if (state.history.length > maxQuarantineHistory)
      state.history.splice(0, state.history.length - maxQuarantineHistory);
  };

  setHandler(quarantineQuery, () => state);
  setHandler(recordRuleRunUpdate, (request): RuleQuarantine | null => {
    handled += 1;
    const current = state.rules[request.rule] ?? { rule: request.rule, runs: [] };
    const { record, quarantined } = recordRuleRun(current, request.run, input.region, request.thresholds);
    state.rules[request.rule] = record;
    if (quarantined) {
      remember({
        what: 'quarantined',
        rule: request.rule,
        at: quarantined.since,
        actor: 'lazarus',
        reason: quarantined.why,
      });
      toAnnounce.push({ quarantine: quarantined, team: request.team, channels: request.channels });
      lazarusMetrics.ruleQuarantine({ region: input.region, rule: request.rule, quarantined: true });
    }
    return record.quarantine ?? null;
  });
  setHandler(
    releaseRuleUpdate,
    (request): QuarantineRelease => {
      handled += 1;
      const record = state.rules[request.rule];
      const released = record.quarantine!;
      state.rules[request.rule] = releaseRule(record);
      const at = Date.now();
      remember({ what: 'released', rule: request.rule, at, actor: request.actor, reason: request.reason });
      lazarusMetrics.ruleQuarantine({ region: input.region, rule: request.rule, quarantined: false });
      return { rule: request.rule, region: input.region, actor: request.actor, reason: request.reason, at, released };
    },
    {
      validator: (request: ReleaseRuleRequest) => {
        if (!request.actor?.trim()) throw new QuarantineRequestError('who releases the rule (actor) is required');
        if (!request.reason?.trim()) throw new QuarantineRequestError('why the rule is released (reason) is required');
        if (!state.rules[request.rule]?.quarantine) {
          throw new QuarantineRequestError(`rule ${request.rule} is not quarantined in ${input.region}`);
        }
      },
    },
  );

  const limit = input.options?.continue_as_new_after ?? 500;
  for (;;) {
    await condition(() => toAnnounce.length > 0 || handled >= limit || workflowInfo().continueAsNewSuggested);
    while (toAnnounce.length > 0) await announce(toAnnounce.shift()!);
    if (handled >= limit || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      if (toAnnounce.length === 0) {
        await continueAsNew<typeof ruleQuarantine>({ region: input.region, options: input.options, carried: state });
      }
    }
  }
}

/** The owning team's channels and on-call (a page on the service's route) hear of it, with the failed runs. */
async function announce({ quarantine, team, channels }: Announcement): Promise<void> {
  const evidence = quarantine.evidence
    .map((run) => `${run.outcome} ${run.workflow_id}${run.host ? ` (${run.host})` : ''}: ${run.reason}`)
    .join('; ');
  const reason =
    `rule ${quarantine.rule} quarantined in ${quarantine.region} (shadow until released): ${quarantine.why}. ` +
    `Failed runs: ${evidence}. Release: lazarus quarantine release ${quarantine.rule} --region ${quarantine.region}`;
  const service = quarantine.evidence[quarantine.evidence.length - 1]?.service ?? quarantine.rule;
  try {
    await announcer(`tell team ${team}: rule ${quarantine.rule} quarantined in ${quarantine.region}`).notify({
      kind: 'rule_quarantined',
      service,
      outcome: `team ${team}`,
      reason,
      channels,
    });
  } catch {
    // the page below still reaches on-call
  }
  if (channels.pagerduty_routing_key) {
    try {
      await announcer(`page on-call: rule ${quarantine.rule} quarantined in ${quarantine.region}`).triggerPage({
        routingKey: channels.pagerduty_routing_key,
        incidentKey: `quarantine/${quarantine.region}/${quarantine.rule}`,
        summary: reason.slice(0, 1024),
        source: 'lazarus',
        severity: 'warning',
        customDetails: { rule: quarantine.rule, region: quarantine.region, team, why: quarantine.why, evidence },
      });
    } catch {
      // the team's channels were told; PagerDuty unreachable for five attempts is left to them
    }
  }
}
