// remediate(event): one durable workflow per event (id event/<incident key>) that decides safely and then acts.
// It reads as the nine steps of docs/architecture.md; each gate records its inputs and verdict in the trace, and
// every path ends in exactly one outcome. Every outcome but REMEDIATED and SHADOW escalates the page at once
// (LOCKED hands its page to the running remediation instead, see followRunningRemediation).
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { shadowSetting } from '../core/control';
import type { LazarusEvent } from '../core/event';
import { isSuccessfulOutcome, Outcome } from '../core/outcome';
import { evaluateQuorum, type NodeAnswer, type QuorumResult } from '../core/quorum';
import type { MatchResult, ResolvedRule, ServicePolicy } from '../core/resolved-config';
import type { CheckerActivities } from '../activities/checks';
import type { EntityActivities } from '../activities/entities';
import type { ScalingActivities } from '../activities/scaling';
import { planScaling, scalingRequestFrom } from '../core/scaling';
import type { NotifyActivities } from '../activities/notify';
import type { PagerActivities } from '../activities/pager';
import {
  cancelSignal,
  followPageSignal,
  pauseSignal,
  resumeSignal,
  statusQuery,
  type AdmitVerdict,
} from '../contracts/messages';
import { lazarusMetrics } from './metrics';
import { runbook, type RunbookResult } from './runbook';
import {
  LazarusEventType,
  LazarusHost,
  LazarusOutcome,
  LazarusRegion,
  LazarusRule,
  LazarusService,
} from '../contracts/search-attributes';
import type { GateRecord, RemediationStatus } from '../contracts/trace';
import { hostLockId, serviceLockId } from '../contracts/workflow-ids';

export interface RemediateOptions {
  /** How often a runbook paused by the kill switch re-reads it (tests make it short). */
  kill_switch_poll_ms?: number;
}

/** The configuration activity (activities/config): the event's service, matching rule and settings. */
interface ConfigActivities {
  resolveEvent(event: LazarusEvent): Promise<MatchResult>;
}

const { censusService } = proxyActivities<ScalingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '5 seconds', maximumAttempts: 3 },
});
const { resolveEvent } = proxyActivities<ConfigActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '2 seconds', maximumAttempts: 3 },
});
const { governorAdmit, readControl, governorRecordScaling, replacementsInProgress } = proxyActivities<
  EntityActivities & ScalingActivities
>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 ms', maximumInterval: '2 seconds', maximumAttempts: 5 },
});
// Bounded so the page is acknowledged inside PagerDuty's 60 s window even when a dependency is slow.
const pager = proxyActivities<PagerActivities & NotifyActivities>({
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '40 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '8 seconds', maximumAttempts: 4 },
});

class Decided extends Error {
  override readonly name = 'Decided';
  constructor(
    readonly outcome: Outcome,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export async function remediate(event: LazarusEvent, options: RemediateOptions = {}): Promise<RemediationStatus> {
  const info = workflowInfo();
  const status: RemediationStatus = {
    workflow_id: info.workflowId,
    incident_key: event.incident_key,
    event,
    phase: 'deciding',
    started_at: info.startTime.getTime(),
    shadow: false,
    gates: [],
    steps: [],
    following_pages: [],
  };
  let child: ChildWorkflowHandle<typeof runbook> | undefined;
  let pendingSignals: Array<(c: ChildWorkflowHandle<typeof runbook>) => Promise<void>> = [];
  let cancelledBeforeRunbook: { reason?: string; actor?: string } | undefined;
  const forward = (send: (c: ChildWorkflowHandle<typeof runbook>) => Promise<void>): void => {
    if (child) void send(child).catch(() => undefined);
    else pendingSignals.push(send);
  };
  setHandler(statusQuery, () => status);
  setHandler(pauseSignal, (req) => {
    status.paused = { reason: req?.reason ?? 'paused by operator', actor: req?.actor, at: Date.now() };
    forward((c) => c.signal(pauseSignal, req));
  });
  setHandler(resumeSignal, (req) => {
    status.paused = undefined;
    forward((c) => c.signal(resumeSignal, req));
  });
  setHandler(cancelSignal, (req) => {
    if (!child) cancelledBeforeRunbook = req ?? {};
    forward((c) => c.signal(cancelSignal, req));
  });
  const gate = (record: Omit<GateRecord, 'at'>): void => void status.gates.push({ ...record, at: Date.now() });
  upsertSearchAttributes([
    { key: LazarusService, value: event.service },
    { key: LazarusRegion, value: event.region },
    { key: LazarusEventType, value: event.event_type },
    ...(event.host ? [{ key: LazarusHost, value: event.host }] : []),
  ]);

  let match: MatchResult | undefined;
  try {
    // 2 (first, because the stale filter's max age comes from the service's configuration) and 1.
    match = await resolveEvent(event);
    checkRule(event, match, status, gate);
    const rule = match.rule!;
    const service = match.service!;
    filterStale(event, service, gate);
    // 3
    const admitted = await applyGovernor(event, match, gate);
    // shadow mode is decided once, before anything could touch the fleet
    status.shadow = await decideShadow(event, match, gate);
    // scaling events: plan checked and clipped before anything acts; the runbook sees the planned count
    const runbookEvent = rule.category === 'autoscaling' ? await planScalingGate(event, match, admitted, gate) : event;
    // 4
    status.phase = 'waiting_for_quorum';
    await checkQuorum(event, match, gate);
    if (cancelledBeforeRunbook) throw new Decided(Outcome.Cancelled, cancelReason(cancelledBeforeRunbook));
    // 5
    await acknowledgePage(event, service, status, gate);
    // 6 + 7 + 8: the runbook child holds the lock and reads the kill switch right before its first step
    status.phase = 'running';
    const result = await runLockedRunbook(runbookEvent, rule, service, status, options, gate, (c) => {
      child = c;
      for (const send of pendingSignals) void send(c).catch(() => undefined);
      pendingSignals = [];
    });
    status.steps = result.steps;
    status.gates.push(...result.gates);
    status.following_pages = result.following_pages.map((p) => p.incident_key);
    if (result.outcome !== Outcome.Remediated && result.outcome !== Outcome.Shadow) {
      throw new Decided(result.outcome, result.reason);
    }
    // 9
    status.phase = 'finishing';
    if (rule.category === 'autoscaling' && result.outcome === Outcome.Remediated) {
      await governorRecordScaling({ service: event.service, at: Date.now(), workflow_id: status.workflow_id });
    }
    if (result.outcome === Outcome.Remediated) await resolvePages(event, service, status, gate);
    return finish(status, result.outcome, result.reason);
  } catch (err) {
    if (!(err instanceof Decided)) throw err;
    return await CancellationScope.nonCancellable(() => escalate(event, match, status, err, gate));
  }
}

function checkRule(
  event: LazarusEvent,
  match: MatchResult,
  status: RemediationStatus,
  gate: (g: Omit<GateRecord, 'at'>) => void,
): void {
  status.snapshot_version = match.snapshot_version;
  const explanations = match.explanations;
  if (!match.service || !match.rule) {
    gate({ gate: 'rule', verdict: 'fail', detail: { snapshot_version: match.snapshot_version, explanations } });
    const why = !match.service
      ? `service ${event.service} is not onboarded`
      : `no rule of ${match.service.profile} matches`;
    throw new Decided(Outcome.NoRule, why);
  }
  status.rule = match.rule.name;
  status.runbook = match.rule.runbook.name;
  upsertSearchAttributes([{ key: LazarusRule, value: match.rule.name }]);
  gate({
    gate: 'rule',
    verdict: 'pass',
    detail: {
      rule: match.rule.name,
      runbook: match.rule.runbook.name,
      snapshot_version: match.snapshot_version,
      explanations,
    },
  });
}

function filterStale(event: LazarusEvent, service: ServicePolicy, gate: (g: Omit<GateRecord, 'at'>) => void): void {
  const occurred = Date.parse(event.occurred_at);
  const age = Date.now() - occurred;
  const detail = { occurred_at: event.occurred_at, age_ms: age, max_event_age_ms: service.max_event_age_ms };
  if (Number.isNaN(occurred) || age > service.max_event_age_ms) {
    gate({ gate: 'stale', verdict: 'fail', detail });
    throw new Decided(
      Outcome.Stale,
      `event is ${Math.round(age / 1000)} s old, older than ${service.max_event_age_ms / 1000} s`,
    );
  }
  gate({ gate: 'stale', verdict: 'pass', detail });
}

async function applyGovernor(
  event: LazarusEvent,
  match: MatchResult,
  gate: (g: Omit<GateRecord, 'at'>) => void,
): Promise<AdmitVerdict> {
  const service = match.service!;
  const verdict = await governorAdmit({
    incident_key: event.incident_key,
    service: event.service,
    region: event.region,
    threshold: service.rate_limit.threshold,
    window_ms: service.rate_limit.window_ms,
    breaker: match.deployment.breaker,
    breaker_notifications: match.deployment.notifications,
  });
  const detail = { ...verdict };
  if (verdict.rate_limit.limited) {
    gate({ gate: 'governor', verdict: 'fail', detail });
    throw new Decided(
      Outcome.RateLimited,
      `${verdict.rate_limit.count} events for ${event.service} within ${verdict.rate_limit.window_ms / 1000} s, threshold ${verdict.rate_limit.threshold}`,
    );
  }
  if (verdict.breaker.state === 'open') {
    gate({ gate: 'governor', verdict: 'fail', detail });
    throw new Decided(
      Outcome.CircuitOpen,
      `regional circuit breaker is open: ${verdict.breaker.failing_count} services failing (${verdict.breaker.failing.join(', ')})`,
    );
  }
  gate({ gate: 'governor', verdict: 'pass', detail });
  return verdict;
}

async function decideShadow(
  event: LazarusEvent,
  match: MatchResult,
  gate: (g: Omit<GateRecord, 'at'>) => void,
): Promise<boolean> {
  const configured = match.deployment.shadow || match.service!.shadow;
  let runtime: ReturnType<typeof shadowSetting>;
  try {
    runtime = shadowSetting(await readControl(event.region), event.service, match.service!.profile);
  } catch {
    // Cannot read the control state: act as if in shadow mode? No: the kill-switch gate fails closed later anyway.
    runtime = undefined;
  }
  const shadow = runtime ? runtime.enabled : configured;
  if (shadow || runtime) {
    gate({ gate: 'runbook', verdict: shadow ? 'shadow' : 'pass', detail: { shadow, configured, runtime } });
  }
  return shadow;
}

async function planScalingGate(
  event: LazarusEvent,
  match: MatchResult,
  admitted: AdmitVerdict,
  gate: (g: Omit<GateRecord, 'at'>) => void,
): Promise<LazarusEvent> {
  const service = match.service!;
  const limits = service.scaling;
  if (!limits) {
    gate({ gate: 'scaling', verdict: 'fail', detail: { scaling: 'the service has no scaling limits' } });
    throw new Decided(Outcome.PreconditionFailed, `${event.service} has no scaling limits configured`);
  }
  const busy = await replacementsInProgress({ service: event.service, self: workflowInfo().workflowId });
  if (busy.length > 0) {
    gate({ gate: 'lock', verdict: 'fail', detail: { scaling: 'host replacement in progress', remediations: busy } });
    throw new Decided(
      Outcome.Locked,
      `a host of ${event.service} is being remediated (${busy.join(', ')}): no scaling now`,
    );
  }
  const census = await censusService({ service: event.service, params: service.params });
  const request = scalingRequestFrom(event.event_type === 'ScaleDown' ? 'down' : 'up', event.details);
  const plan = planScaling(request, census, limits, admitted.last_scaling_at, Date.now());
  const detail = { request, census, limits, last_scaling_at: admitted.last_scaling_at, plan };
  if (plan.verdict === 'cooldown') {
    gate({ gate: 'governor', verdict: 'fail', detail });
    throw new Decided(Outcome.RateLimited, `scaling cooldown: ${plan.reason}`);
  }
  if (plan.verdict === 'refuse') {
    gate({ gate: 'scaling', verdict: 'fail', detail });
    throw new Decided(Outcome.PreconditionFailed, `scaling plan refused: ${plan.reason}`);
  }
  gate({ gate: 'scaling', verdict: 'pass', detail });
  return { ...event, details: { ...event.details, delta: plan.count, planned: { from: plan.from, to: plan.to } } };
}

async function checkQuorum(
  event: LazarusEvent,
  match: MatchResult,
  gate: (g: Omit<GateRecord, 'at'>) => void,
): Promise<void> {
  const rule = match.rule!;
  const { checker_nodes: nodes, quorum, quorum_deadline_ms: deadlineMs } = match.deployment;
  if (rule.preconditions.length === 0) {
    gate({ gate: 'quorum', verdict: 'skip', detail: { reason: 'the rule has no preconditions' } });
    return;
  }
  const answers: NodeAnswer[] = [];
  let deadlinePassed = false;
  const started = Date.now();
  const scope = new CancellationScope();
  const calls = scope.run(() =>
    Promise.all(
      nodes.map(async (node) => {
        const { checkPreconditions } = proxyActivities<CheckerActivities>({
          taskQueue: node.task_queue,
          scheduleToCloseTimeout: deadlineMs,
          retry: { maximumAttempts: 1 },
        });
        try {
          const answer = await checkPreconditions({
            event,
            preconditions: rule.preconditions,
            params: match.service!.params,
          });
          answers.push({ ...answer, node: node.name, zone: node.zone });
        } catch (err) {
          const timedOut = err instanceof ActivityFailure && err.cause?.name === 'TimeoutFailure';
          if (scope.consideredCancelled && !timedOut) return;
          answers.push({
            node: node.name,
            zone: node.zone,
            status: timedOut ? 'silent' : 'error',
            passed: false,
            checks: [],
            error: err instanceof ActivityFailure ? (err.cause?.message ?? err.message) : String(err),
            elapsed_ms: Date.now() - started,
          });
        }
      }),
    ),
  );
  const decided = await condition(
    () => evaluateQuorum(answers, nodes.length, quorum, false) !== 'pending',
    deadlineMs + 1000,
  );
  if (!decided) deadlinePassed = true;
  scope.cancel();
  await calls.catch(() => undefined);
  const verdict = evaluateQuorum(answers, nodes.length, quorum, deadlinePassed);
  for (const node of nodes) {
    if (!answers.some((a) => a.node === node.name) && verdict !== 'passed') {
      answers.push({ node: node.name, zone: node.zone, status: 'silent', passed: false, checks: [] });
    }
  }
  const result: QuorumResult = {
    verdict: verdict === 'pending' ? 'timeout' : verdict,
    needed: quorum,
    passes: answers.filter((a) => a.status === 'answered' && a.passed).length,
    answers,
  };
  gate({
    gate: 'quorum',
    verdict: result.verdict === 'passed' ? 'pass' : 'fail',
    detail: { ...result, deadline_ms: deadlineMs },
  });
  if (result.verdict === 'failed') {
    throw new Decided(
      Outcome.PreconditionFailed,
      `${result.passes} of ${nodes.length} checker nodes passed, need ${quorum}`,
    );
  }
  if (result.verdict === 'timeout') {
    throw new Decided(
      Outcome.QuorumTimeout,
      `only ${result.passes} of ${nodes.length} checker nodes passed within ${deadlineMs} ms, need ${quorum}`,
    );
  }
}

/** The service's PagerDuty routing key; without one the service has no pages for Lazarus to manage. */
function routingKeyOf(service: ServicePolicy | undefined): string | undefined {
  return service?.notifications.pagerduty_routing_key;
}

async function acknowledgePage(
  event: LazarusEvent,
  service: ServicePolicy,
  status: RemediationStatus,
  gate: (g: Omit<GateRecord, 'at'>) => void,
): Promise<void> {
  if (status.shadow) {
    gate({ gate: 'acknowledge', verdict: 'shadow', detail: { would: 'acknowledge the page' } });
    status.decided_at = Date.now();
    return;
  }
  const routingKey = routingKeyOf(service);
  try {
    if (!routingKey) {
      gate({ gate: 'acknowledge', verdict: 'skip', detail: { reason: 'the service has no PagerDuty routing key' } });
    } else {
      const result = await pager.acknowledgePage({ routingKey, incidentKey: event.incident_key });
      gate({ gate: 'acknowledge', verdict: 'pass', detail: { ...result } });
    }
  } catch (err) {
    // Not acknowledged in time: PagerDuty's own escalation takes the page; the remediation goes on.
    gate({
      gate: 'acknowledge',
      verdict: 'error',
      detail: { error: failureMessage(err), left_to: 'PagerDuty escalation' },
    });
  }
  status.decided_at = Date.now();
  await notify(event, service, status, 'acknowledged');
}

async function runLockedRunbook(
  event: LazarusEvent,
  rule: ResolvedRule,
  service: ServicePolicy,
  status: RemediationStatus,
  options: RemediateOptions,
  gate: (g: Omit<GateRecord, 'at'>) => void,
  onStarted: (child: ChildWorkflowHandle<typeof runbook>) => void,
): Promise<RunbookResult> {
  const lockKey = rule.lock === 'host' && event.host ? hostLockId(event.host) : serviceLockId(event.service);
  let child: ChildWorkflowHandle<typeof runbook>;
  try {
    child = await startChild(runbook, {
      workflowId: lockKey,
      args: [
        {
          remediation_id: workflowInfo().workflowId,
          event,
          rule,
          service,
          shadow: status.shadow,
          kill_switch_poll_ms: options.kill_switch_poll_ms,
        },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    await followRunningRemediation(event, lockKey, status, gate);
    throw new Decided(Outcome.Locked, `${lockKey} is held by a running remediation`);
  }
  status.runbook_workflow_id = lockKey;
  gate({ gate: 'lock', verdict: 'pass', detail: { lock: lockKey } });
  onStarted(child);
  try {
    return await child.result();
  } catch (err) {
    if (err instanceof ChildWorkflowFailure) {
      throw new Decided(Outcome.StepFailed, `runbook run failed: ${err.cause?.message ?? err.message}`);
    }
    throw err;
  }
}

/** A later event for a resource already in remediation: its page follows the running one's fate. */
async function followRunningRemediation(
  event: LazarusEvent,
  lockKey: string,
  status: RemediationStatus,
  gate: (g: Omit<GateRecord, 'at'>) => void,
): Promise<void> {
  try {
    await getExternalWorkflowHandle(lockKey).signal(followPageSignal, {
      incident_key: event.incident_key,
      workflow_id: workflowInfo().workflowId,
    });
    gate({ gate: 'lock', verdict: 'fail', detail: { lock: lockKey, holder: lockKey, page: 'follows the holder' } });
    status.following_pages = [];
    (status as RemediationStatus & { page_follows?: string }).page_follows = lockKey;
  } catch (err) {
    gate({
      gate: 'lock',
      verdict: 'fail',
      detail: { lock: lockKey, holder: lockKey, follow_error: failureMessage(err) },
    });
  }
}

async function resolvePages(
  event: LazarusEvent,
  service: ServicePolicy,
  status: RemediationStatus,
  gate: (g: Omit<GateRecord, 'at'>) => void,
): Promise<void> {
  const routingKey = routingKeyOf(service);
  const keys = routingKey ? [event.incident_key, ...status.following_pages] : [];
  for (const key of keys) {
    try {
      const result = await pager.resolvePage({ routingKey: routingKey!, incidentKey: key });
      gate({ gate: 'resolve', verdict: 'pass', detail: { incident_key: key, ...result } });
    } catch (err) {
      gate({ gate: 'resolve', verdict: 'error', detail: { incident_key: key, error: failureMessage(err) } });
    }
  }
  await notify(event, service, status, 'remediated');
}

async function escalate(
  event: LazarusEvent,
  match: MatchResult | undefined,
  status: RemediationStatus,
  decision: Decided,
  gate: (g: Omit<GateRecord, 'at'>) => void,
): Promise<RemediationStatus> {
  const service = match?.service;
  const attached = (status as RemediationStatus & { page_follows?: string }).page_follows;
  if (decision.outcome === Outcome.Locked && attached) {
    status.decided_at ??= Date.now();
    return finish(status, decision.outcome, `${decision.reason}; this page follows it`);
  }
  if (status.shadow && service) {
    gate({ gate: 'escalate', verdict: 'shadow', detail: { would: 'escalate', reason: decision.reason } });
    status.decided_at ??= Date.now();
    return finish(status, decision.outcome, decision.reason);
  }
  const note = `Lazarus ${decision.outcome}: ${decision.reason} (workflow ${status.workflow_id})`;
  for (const key of routingKeyOf(service) ? [event.incident_key, ...status.following_pages] : []) {
    try {
      const result = await pager.escalatePage({ incidentKey: key, note });
      gate({ gate: 'escalate', verdict: 'pass', detail: { incident_key: key, ...result } });
    } catch (err) {
      gate({ gate: 'escalate', verdict: 'error', detail: { incident_key: key, error: failureMessage(err) } });
    }
  }
  status.decided_at ??= Date.now();
  finish(status, decision.outcome, decision.reason);
  if (service) {
    await notify(event, service, status, decision.outcome === Outcome.KillSwitch ? 'kill_switch_blocked' : 'escalated');
  }
  return status;
}

async function notify(
  event: LazarusEvent,
  service: ServicePolicy,
  status: RemediationStatus,
  kind: 'acknowledged' | 'remediated' | 'escalated' | 'kill_switch_blocked',
): Promise<void> {
  try {
    const result = await pager.notify({
      kind,
      service: event.service,
      host: event.host,
      outcome: status.outcome,
      reason: status.reason,
      workflowId: status.workflow_id,
      incidentKey: event.incident_key,
      channels: service.notifications,
    });
    status.gates.push({
      gate: 'notify',
      at: Date.now(),
      verdict: result.failed.length ? 'error' : 'pass',
      detail: { kind, delivered: result.delivered.map((c) => c.channel), failed: result.failed },
    });
  } catch (err) {
    // A failed notification never fails a remediation.
    status.gates.push({
      gate: 'notify',
      at: Date.now(),
      verdict: 'error',
      detail: { kind, error: failureMessage(err) },
    });
  }
}

function finish(status: RemediationStatus, outcome: Outcome, reason: string): RemediationStatus {
  status.outcome = outcome;
  status.reason = reason;
  status.phase = 'done';
  status.decided_at ??= Date.now();
  upsertSearchAttributes([{ key: LazarusOutcome, value: outcome }]);
  // a sink: no command, not called on replay, so histories recorded before it still replay
  lazarusMetrics.decision({ outcome, latency_seconds: (Date.now() - status.started_at) / 1000 });
  if (!isSuccessfulOutcome(outcome) && outcome !== Outcome.Locked) status.paused = undefined;
  return status;
}

function cancelReason(req: { reason?: string; actor?: string }): string {
  return `cancelled${req.actor ? ` by ${req.actor}` : ''}: ${req.reason ?? 'no reason given'}`;
}

function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure) return err.cause?.message ?? err.message;
  if (err instanceof ApplicationFailure) return err.message;
  return err instanceof Error ? err.message : String(err);
}
