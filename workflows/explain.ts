// `lazarus explain --live` (POST /v1/explain): every gate of remediate() evaluated against the live system without
// acting or recording a decision: the rule match and staleness from the real configuration activity, the governor as
// it would answer now (a read of the governors, nothing counted), kill switch, shadow and quarantine, the lock holder,
// and the preconditions on the checker nodes (the same read-only checkPreconditions on their queues). It answers the
// first gate that would stop the event, with its inputs, and what would run otherwise.
import { activitySummaries } from '../contracts/user-metadata';
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import { blockingKillSwitch, shadowSetting } from '../core/control';
import type { LazarusEvent } from '../core/event';
import { evaluateQuorum, type NodeAnswer } from '../core/quorum';
import { breakerOf, declaredRegions, type MatchResult } from '../core/resolved-config';
import type { CheckerActivities } from '../activities/checks';
import type { ExplainActivities } from '../activities/explain';
import type { GateName } from '../contracts/trace';
import { hostLockId, serviceLockId } from '../contracts/workflow-ids';

export interface LiveGate {
  gate: GateName;
  verdict: 'pass' | 'fail' | 'shadow' | 'skip';
  /** The outcome the remediation would end with when this gate stops it. */
  outcome?: string;
  reason?: string;
  detail: Record<string, unknown>;
}

export interface LiveExplanation {
  event: LazarusEvent;
  snapshot_version: string;
  rule?: string;
  gates: LiveGate[];
  /** The first gate that would stop the event (absent: it would pass every gate). */
  first_stop?: LiveGate;
  /** What would run otherwise: the runbook's steps. */
  would_run?: { runbook: string; steps: Array<{ id: string; activity: string; needs: string[] }> };
}

const { resolveEvent } = proxyActivities<{ resolveEvent(event: LazarusEvent): Promise<MatchResult> }>({
  summary: activitySummaries.ruleLookup(),
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});
const { readLiveGates } = proxyActivities<ExplainActivities>({
  summary: 'read the live gates (governor, kill switch, shadow, quarantine, lock) without changing them',
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

export async function explainLive(event: LazarusEvent): Promise<LiveExplanation> {
  const match = await resolveEvent(event);
  const gates: LiveGate[] = [];
  const result: LiveExplanation = { event, snapshot_version: match.snapshot_version, gates };
  const done = (): LiveExplanation => {
    result.first_stop = gates.find((g) => g.verdict === 'fail' || g.verdict === 'shadow');
    return result;
  };
  const { rule, service, deployment } = match;
  if (!rule || !service) {
    gates.push({
      gate: 'rule',
      verdict: 'fail',
      outcome: 'NO_RULE',
      reason: !service ? `service ${event.service} is not onboarded` : `no rule of ${service.profile} matches`,
      detail: { explanations: match.explanations },
    });
    return done();
  }
  result.rule = rule.name;
  result.would_run = {
    runbook: rule.runbook.name,
    steps: rule.runbook.steps.map((s) => ({ id: s.id, activity: s.activity, needs: s.needs })),
  };
  gates.push({ gate: 'rule', verdict: 'pass', detail: { rule: rule.name, runbook: rule.runbook.name } });
  const declared = declaredRegions(deployment);
  if (!declared.includes(event.region)) {
    gates.push({
      gate: 'region',
      verdict: 'fail',
      outcome: 'FAILED',
      reason: `region ${event.region} is not declared`,
      detail: { region: event.region, declared },
    });
  }
  const age = Date.now() - Date.parse(event.occurred_at);
  const stale = Number.isNaN(age) || age > service.max_event_age_ms;
  gates.push({
    gate: 'stale',
    verdict: stale ? 'fail' : 'pass',
    ...(stale ? { outcome: 'STALE', reason: `event is ${Math.round(age / 1000)} s old` } : {}),
    detail: { occurred_at: event.occurred_at, age_ms: age, max_event_age_ms: service.max_event_age_ms },
  });

  const lock = rule.lock === 'host' && event.host ? hostLockId(event.host) : serviceLockId(event.service);
  const live = await readLiveGates({ service: event.service, region: event.region, rule: rule.name, lock });

  // the governor as it would answer now: this event counted in the window; the breaker as the region holds it
  const windowStart = live.read_at - service.rate_limit.window_ms;
  const inWindow = (live.service_governor?.events ?? []).filter((at) => at > windowStart).length;
  const count = inWindow + 1;
  const breakerSettings = breakerOf(deployment, event.region);
  const failing = Object.keys(live.regional_governor?.failing ?? {});
  const wouldStartFailing = !failing.includes(event.service) && !(live.service_governor?.failing ?? false);
  const breakerOpen =
    live.regional_governor?.state === 'open' ||
    (wouldStartFailing && failing.length + 1 >= breakerSettings.open_threshold);
  const governorDetail = {
    rate_limit: { count, threshold: service.rate_limit.threshold, window_ms: service.rate_limit.window_ms },
    breaker: {
      state: live.regional_governor?.state ?? 'closed',
      failing,
      would_open_with_this_event: live.regional_governor?.state !== 'open' && breakerOpen,
      open_threshold: breakerSettings.open_threshold,
    },
  };
  if (count > service.rate_limit.threshold) {
    gates.push({
      gate: 'governor',
      verdict: 'fail',
      outcome: 'RATE_LIMITED',
      reason: `${count} events for ${event.service} within ${service.rate_limit.window_ms / 1000} s, threshold ${service.rate_limit.threshold}`,
      detail: governorDetail,
    });
  } else if (breakerOpen) {
    gates.push({
      gate: 'governor',
      verdict: 'fail',
      outcome: 'CIRCUIT_OPEN',
      reason: `regional circuit breaker ${live.regional_governor?.state === 'open' ? 'is' : 'would be'} open`,
      detail: governorDetail,
    });
  } else {
    gates.push({ gate: 'governor', verdict: 'pass', detail: governorDetail });
  }

  const runtime = shadowSetting(live.control, event.service, service.profile);
  const configured = deployment.shadow || service.shadow;
  const shadow = live.quarantine ? true : runtime ? runtime.enabled : configured;
  gates.push({
    gate: 'shadow',
    verdict: shadow ? 'shadow' : 'pass',
    ...(shadow
      ? {
          outcome: 'SHADOW',
          reason: live.quarantine ? `rule ${rule.name} is quarantined: ${live.quarantine.why}` : 'shadow mode',
        }
      : {}),
    detail: { configured, runtime, quarantine: live.quarantine },
  });

  gates.push(await liveQuorum(event, match));

  const held = live.lock_holder?.running === true;
  gates.push({
    gate: 'lock',
    verdict: held ? 'fail' : 'pass',
    ...(held ? { outcome: 'LOCKED', reason: `${lock} is held by a running remediation` } : {}),
    detail: { lock, holder: live.lock_holder },
  });

  const blocking = blockingKillSwitch(live.control, rule.category);
  gates.push({
    gate: 'kill_switch',
    verdict: blocking ? 'fail' : 'pass',
    ...(blocking
      ? {
          outcome: 'KILL_SWITCH',
          reason: `kill switch ${blocking.scope} set by ${blocking.actor}: ${blocking.reason}`,
        }
      : {}),
    detail: { category: rule.category, blocking: blocking ?? null, kill_switch: live.control.kill_switch },
  });
  return done();
}

/** The preconditions on each checker node (read-only probes), decided as the quorum gate decides. */
async function liveQuorum(event: LazarusEvent, { rule, service, deployment }: MatchResult): Promise<LiveGate> {
  if (!rule || !service || rule.preconditions.length === 0) {
    return { gate: 'quorum', verdict: 'skip', detail: { reason: 'the rule has no preconditions' } };
  }
  const answers: NodeAnswer[] = await Promise.all(
    deployment.checker_nodes.map(async (node): Promise<NodeAnswer> => {
      const { checkPreconditions } = proxyActivities<CheckerActivities>({
        summary: `read-only probes: ${rule.preconditions.length} checks from ${node.name} (${node.zone})`,
        taskQueue: node.task_queue,
        scheduleToCloseTimeout: deployment.quorum_deadline_ms,
        retry: { maximumAttempts: 1 },
      });
      try {
        const answer = await checkPreconditions({ event, preconditions: rule.preconditions, params: service.params });
        return { ...answer, node: node.name, zone: node.zone };
      } catch (err) {
        const timedOut = err instanceof ActivityFailure && err.cause?.name === 'TimeoutFailure';
        return {
          node: node.name,
          zone: node.zone,
          status: timedOut ? 'silent' : 'error',
          passed: false,
          checks: [],
          error: err instanceof ActivityFailure ? (err.cause?.message ?? err.message) : String(err),
        };
      }
    }),
  );
  const verdict = evaluateQuorum(answers, deployment.checker_nodes.length, deployment.quorum, true);
  const passes = answers.filter((a) => a.status === 'answered' && a.passed).length;
  const detail = { needed: deployment.quorum, passes, answers };
  if (verdict === 'passed') return { gate: 'quorum', verdict: 'pass', detail };
  return {
    gate: 'quorum',
    verdict: 'fail',
    outcome: verdict === 'failed' ? 'PRECONDITION_FAILED' : 'QUORUM_TIMEOUT',
    reason: `${passes} of ${deployment.checker_nodes.length} checker nodes passed, need ${deployment.quorum}`,
    detail,
  };
}
