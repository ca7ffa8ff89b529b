// remediate(event): one durable workflow per event (id event/<incident key>) that decides safely and then acts.
// It reads as the nine steps of docs/architecture.md. Once the rule matched, every gate is a function of one
// Decision (the event, its rule and service, the deployment, the trace and its recorder); each gate records its
// inputs and verdict in the trace, and every path ends in exactly one outcome. Every outcome but REMEDIATED and SHADOW escalates the page at once
// (LOCKED hands its page to the running remediation instead, see followRunningRemediation).
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
  type ChildWorkflowHandle,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { blockingKillSwitch, decideShadow as shadowPrecedence, type ControlState } from '../core/control';
import { failureOf } from '../core/governor';
import { escalationProgressKey, stepResumeInputKey } from '../core/activity-catalog';
import type { LazarusEvent } from '../core/event';
import { isSuccessfulOutcome, Outcome } from '../core/outcome';
import { evaluateQuorum, suspectedPartition, type NodeAnswer, type QuorumResult } from '../core/quorum';
import {
  breakerOf,
  checkerNodesOf,
  declaredRegions,
  type DeploymentSettings,
  type MatchResult,
  type ResolvedRule,
  type ServicePolicy,
} from '../core/resolved-config';
import type { CheckerActivities } from '../activities/checks';
import type { EntityActivities } from '../activities/entities';
import type { ScalingActivities } from '../activities/scaling';
import { planScaling, scalingRequestFrom } from '../core/scaling';
import type { NotifyActivities } from '../activities/notify';
import type { PagerActivities } from '../activities/pager';
import {
  cancelSignal,
  followPageSignal,
  followRemediationUpdate,
  pauseSignal,
  resumeSignal,
  statusQuery,
  type AdmitVerdict,
  type FollowingPage,
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
import { entityPrefixOf, hostLockId, remediationWorkflowId, serviceLockId } from '../contracts/workflow-ids';
import { countsForQuarantine, defaultQuarantineThresholds, type RuleQuarantine } from '../core/quarantine';
import { activitySummaries, remediationProgress, runbookDetails, runbookSummary } from '../contracts/user-metadata';

export interface RemediateOptions {
  /** How often a runbook paused by the kill switch re-reads it (tests make it short). */
  kill_switch_poll_ms?: number;
  /**
   * How long escalating or resolving a page keeps retrying after its first, bounded try failed: a PagerDuty outage
   * delays the page, it never drops it. Default: the deployment's `pagerduty.retry_for` (6 hours unless set).
   */
  page_retry_ms?: number;
  /** Longest wait between those retries (default 5 minutes). */
  page_retry_max_interval_ms?: number;
  /** How long each compensation of the runbook retries before it is escalated as left to clean up; default: the
   * deployment's `compensation_retry_for` (5 minutes unless set). */
  compensation_retry_ms?: number;
}

const defaultPageRetryMs = 6 * 3600_000;
/** PagerDuty's acknowledgement window: a decision after occurred_at + this is LATE (a service may set ack_window). */
export const defaultAckWindowMs = 60_000;

/**
 * Version marker of the storm gates (local activities for the configuration and entity reads, the governor and
 * control read together, the early kill-switch and lock decisions, the acknowledgement window, the lock claim with
 * the breaker re-read): histories recorded before it replay through the old sequence.
 */
export const stormGatesPatch = 'storm-gates';
const defaultPageRetryMaxIntervalMs = 5 * 60_000;

/** The configuration activity (activities/config): the event's service, matching rule and settings. */
interface ConfigActivities {
  resolveEvent(event: LazarusEvent): Promise<MatchResult>;
}

const { censusService } = proxyActivities<ScalingActivities>({
  summary: 'count the pool: running hosts and their health',
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '5 seconds', maximumAttempts: 3 },
});
const { resolveEvent } = proxyActivities<ConfigActivities>({
  summary: activitySummaries.ruleLookup(),
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '2 seconds', maximumAttempts: 3 },
});
const entityOptions: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 ms', maximumInterval: '2 seconds', maximumAttempts: 5 },
};
// the path recorded before the storm gates, kept for replays (its calls carry no summary, as then)
const { governorAdmit, readControl: remoteReadControl } = proxyActivities<EntityActivities>(entityOptions);
/** The entity and scaling activities with a summary for one call (the Web UI shows it on the activity). */
function entityCall(summary: string): EntityActivities & ScalingActivities {
  return proxyActivities<EntityActivities & ScalingActivities>({ ...entityOptions, summary });
}
// The configuration lookup and the entity calls (governor, control read, lock claim, following) run as local
// activities: one marker in history each instead of a scheduled, started and completed activity with a workflow task
// around it, and several in one workflow task. Measured in a 180-event burst on the overloaded 2-core machine
// (bench/RESULTS.md): with them no event failed and none acted past the breaker; with the governor as an ordinary
// activity most events ran out of activity retries (FAILED).
const localOptions: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 ms', maximumInterval: '2 seconds', maximumAttempts: 5 },
};
/** The local configuration and entity activities with a summary for one call (shown on its marker). */
function local(summary: string): ConfigActivities & EntityActivities {
  return proxyLocalActivities<ConfigActivities & EntityActivities>({ ...localOptions, summary });
}
// Bounded so the page is acknowledged inside PagerDuty's 60 s window even when a dependency is slow. A call the
// worker's PagerDuty client did not make because PagerDuty is known unreachable (PagerUnreachable) ends the bounded
// try at once: a page change then goes on to its durable retries, an acknowledgement is left to PagerDuty.
const pagerOptions: ActivityOptions & LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '40 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '8 seconds',
    maximumAttempts: 4,
    nonRetryableErrorTypes: ['PagerUnreachable'],
  },
};
/**
 * Version marker: acknowledge, resolve and trigger (the first, bounded try) and the quarantine read run as local
 * activities (a marker each instead of three events and a workflow task around them). Histories recorded before it
 * replay with ordinary activities. The durable retries of a page change PagerDuty did not take stay ordinary
 * activities (hours of backoff belong on the server).
 */
export const localPagesPatch = 'local-pages';
/**
 * Version marker after local-pages, which it implies: escalations, page notes and notifications are local too (a
 * no-action decision is one workflow task). They reach a person, so each runs once per local activity however often
 * its workflow task is retried (activities/local-once.ts), and PagerDuty is asked first whether the note is there
 * (activities/pager). Histories recorded under local-pages replay with them as ordinary activities.
 */
export const localNotesPatch = 'local-notes';

/** Acknowledge, resolve, trigger and the quarantine read are local: since local-pages (local-notes implies it). */
function pagesAreLocal(): boolean {
  return patched(localNotesPatch) || patched(localPagesPatch);
}

/**
 * The page and notification activities with a summary for one call. Acknowledge, resolve and trigger are local
 * activities (PagerDuty dedups them by their key); since local-notes the escalation, the note and the notification
 * are too (each runs once per local activity; see localNotesPatch).
 */
function pager(summary: string): PagerActivities & NotifyActivities {
  if (patched(localNotesPatch))
    return proxyLocalActivities<PagerActivities & NotifyActivities>({ ...pagerOptions, summary });
  const recorded = proxyActivities<PagerActivities & NotifyActivities>({ ...pagerOptions, summary });
  if (!patched(localPagesPatch)) return recorded;
  const idempotent = proxyLocalActivities<PagerActivities>({ ...pagerOptions, summary });
  return {
    acknowledgePage: (input) => idempotent.acknowledgePage(input),
    resolvePage: (input) => idempotent.resolvePage(input),
    triggerPage: (input) => idempotent.triggerPage(input),
    escalatePage: (input) => recorded.escalatePage(input),
    addPageNote: (input) => recorded.addPageNote(input),
    notify: (message) => recorded.notify(message),
  };
}

class Decided extends Error {
  override readonly name = 'Decided';
  constructor(
    readonly outcome: Outcome,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** What a remediation holds from its start: its event, its trace (what the status query returns), its options. */
interface Remediation {
  readonly event: LazarusEvent;
  readonly status: RemediationStatus;
  readonly options: RemediateOptions;
  /** Adds a gate's inputs and verdict to the trace, at the current workflow time. */
  readonly record: (gate: Omit<GateRecord, 'at'>) => void;
  /** How long a page change retries while PagerDuty is unreachable, once the deployment settings are known. */
  pageRetryMs?: number;
  /** Recorded after the storm gates (stormGatesPatch); false only when replaying a history from before them. */
  readonly v2: boolean;
  /**
   * Pages of later alarms about the same failure that follow this remediation (followRemediation update), and
   * whether it is settling its pages (then later alarms decide for themselves). One object every gate shares.
   */
  readonly pages: { followers: FollowingPage[]; settling: boolean };
  /** Whether the event's search attributes are set (after the storm gates: with the rule, in one upsert). */
  tagged: boolean;
}

/** The context every gate after the rule match takes: the matched rule and the event's service are certain. */
interface Decision extends Remediation {
  readonly rule: ResolvedRule;
  readonly service: ServicePolicy;
  readonly deployment: DeploymentSettings;
}

type RunbookHandle = ChildWorkflowHandle<typeof runbook>;
type OperatorRequest = { reason?: string; actor?: string };

export async function remediate(event: LazarusEvent, options: RemediateOptions = {}): Promise<RemediationStatus> {
  // One version marker for a new execution: the latest (local notes) implies every earlier one (local pages, storm
  // gates, rule quarantine), each marker costing two history events (the marker and Temporal's change-version
  // attribute). A history recorded before it has none at this point and replays through the markers it does have.
  const v2 = pagesAreLocal() || patched(stormGatesPatch);
  const status = initialStatus(event);
  const operator = answerOperator(status);
  const remediation: Remediation = {
    event,
    status,
    options,
    record: (gate) => {
      status.gates.push({ ...gate, at: Date.now() });
      setCurrentDetails(remediationProgress(status)); // the Web UI's "current details"
    },
    v2,
    pages: { followers: [], settling: false },
    tagged: !v2,
  };
  acceptFollowers(remediation);
  if (!v2) tagSearchAttributes(event);

  let match: MatchResult | undefined;
  try {
    // 2 (first, because the stale filter's max age comes from the service's configuration) and 1.
    match = v2 ? await local(activitySummaries.ruleLookup()).resolveEvent(event) : await resolveEvent(event);
    remediation.pageRetryMs = match.deployment?.page_retry_ms;
    const decision = matchRule(remediation, match);
    requireDeclaredRegion(decision);
    filterStale(decision);
    // cheap gates first: an event already past its page's acknowledgement window is LATE before anything is read
    if (v2) checkAckWindow(decision, 'before deciding');
    // 3, and the shadow decision, taken once before anything could touch the fleet, from the same control read that
    // gives the early kill-switch answer
    const admitted = await governAndReadControl(decision);
    // scaling events: plan checked and clipped before anything acts; the runbook sees the planned count
    const runbookEvent = decision.rule.category === 'autoscaling' ? await planScalingGate(decision, admitted) : event;
    // 4
    status.phase = 'waiting_for_quorum';
    await checkQuorum(decision);
    const cancelled = operator.cancelledBeforeRunbook();
    if (cancelled) throw new Decided(Outcome.Cancelled, cancelReason(cancelled));
    // 5: only inside the page's acknowledgement window; a decision reached after it is LATE (no ack, no action)
    if (v2) checkAckWindow(decision, 'before acknowledging');
    await acknowledgePage(decision);
    // 6 + 7 + 8: the runbook child holds the lock and reads the kill switch right before its first step
    status.phase = 'running';
    const result = await runLockedRunbook(decision, runbookEvent, operator.runbookStarted);
    // 9
    status.phase = 'finishing';
    settlePages(remediation);
    if (result.outcome === Outcome.Remediated) {
      if (decision.rule.category === 'autoscaling') await startScalingCooldown(decision);
      await resolvePages(decision);
    }
    return finish(status, result.outcome, result.reason);
  } catch (err) {
    // the service is known (and its pages escalated) even when no rule of it matched; a service Lazarus cannot name
    // pages the deployment's default route
    const service = match?.service;
    const route = routingKeyOf(service) ?? match?.deployment?.pagerduty_default_routing_key;
    return await CancellationScope.nonCancellable(() => escalate(remediation, service, route, decidedFrom(err)));
  }
}

/**
 * Every way a remediation can stop becomes an outcome: a decision, a Temporal cancellation (`temporal workflow
 * cancel`), or anything else — an activity out of retries, an unexpected error in this code — as FAILED, so no path
 * ends in a failed workflow or a workflow task retried forever with the page acknowledged.
 */
function decidedFrom(err: unknown): Decided {
  if (err instanceof Decided) return err;
  if (isCancellation(err)) return new Decided(Outcome.Cancelled, 'cancelled through Temporal (workflow cancellation)');
  return new Decided(Outcome.Failed, `Lazarus failed: ${failureMessage(err)}`);
}

function initialStatus(event: LazarusEvent): RemediationStatus {
  const info = workflowInfo();
  return {
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
}

/**
 * Answers the status query and takes the operator's pause, resume and cancel. Each is passed on to the runbook child
 * once it runs (held until then); a cancel that comes before the runbook started is kept for remediate() to act on.
 */
function answerOperator(status: RemediationStatus): {
  cancelledBeforeRunbook: () => OperatorRequest | undefined;
  runbookStarted: (child: RunbookHandle) => void;
} {
  let child: RunbookHandle | undefined;
  let pending: Array<(c: RunbookHandle) => Promise<void>> = [];
  let cancelledBeforeRunbook: OperatorRequest | undefined;
  const forward = (send: (c: RunbookHandle) => Promise<void>): void => {
    if (child) void send(child).catch(() => undefined);
    else pending.push(send);
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
  return {
    cancelledBeforeRunbook: () => cancelledBeforeRunbook,
    runbookStarted: (started) => {
      child = started;
      for (const send of pending) void send(started).catch(() => undefined);
      pending = [];
    },
  };
}

/**
 * Later alarms about the failure this remediation decides for follow it (followRemediation update, sent by their
 * activity): their pages are resolved with this one's, or escalated with it. Refused once the pages are settling.
 */
function acceptFollowers(remediation: Remediation): void {
  setHandler(
    followRemediationUpdate,
    (page) => {
      const { followers } = remediation.pages;
      if (!followers.some((p) => p.incident_key === page.incident_key)) followers.push(page);
      return { accepted: true };
    },
    {
      validator: (_page: FollowingPage) => {
        if (remediation.pages.settling) throw new Error('this remediation is settling its pages');
      },
    },
  );
}

/** From here the pages are settled: the followers join the pages to resolve or escalate, and no more are taken. */
function settlePages(remediation: Remediation): void {
  remediation.pages.settling = true;
  const { status } = remediation;
  for (const page of remediation.pages.followers) {
    if (!status.following_pages.includes(page.incident_key)) status.following_pages.push(page.incident_key);
  }
}

function tagSearchAttributes(event: LazarusEvent, rule?: string): void {
  upsertSearchAttributes([
    { key: LazarusService, value: event.service },
    { key: LazarusRegion, value: event.region },
    { key: LazarusEventType, value: event.event_type },
    ...(event.host ? [{ key: LazarusHost, value: event.host }] : []),
    ...(rule ? [{ key: LazarusRule, value: rule }] : []),
  ]);
}

/** The rule gate: the event's service must be onboarded and one of its rules match; from here on both are certain. */
function matchRule(remediation: Remediation, match: MatchResult): Decision {
  const { event, status, record } = remediation;
  const { rule, service, deployment, snapshot_version, explanations } = match;
  status.snapshot_version = snapshot_version;
  if (!service || !rule) {
    if (!remediation.tagged) tagSearchAttributes(event);
    remediation.tagged = true;
    record({ gate: 'rule', verdict: 'fail', detail: { snapshot_version, explanations } });
    const why = !service ? `service ${event.service} is not onboarded` : `no rule of ${service.profile} matches`;
    throw new Decided(Outcome.NoRule, why);
  }
  status.rule = rule.name;
  status.runbook = rule.runbook.name;
  // one upsert with the event's attributes after the storm gates (the lookup ran in the first workflow task)
  if (remediation.tagged) upsertSearchAttributes([{ key: LazarusRule, value: rule.name }]);
  else tagSearchAttributes(event, rule.name);
  remediation.tagged = true;
  record({
    gate: 'rule',
    verdict: 'pass',
    detail: { rule: rule.name, runbook: rule.runbook.name, snapshot_version, explanations },
  });
  return { ...remediation, rule, service, deployment };
}

/**
 * The region gate, right after the rule match and before any governor or control read: an event of a region
 * services/deployment.yaml does not declare is a decided failure (escalated), and no entity is created for it.
 */
function requireDeclaredRegion({ event, deployment, record }: Decision): void {
  const declared = declaredRegions(deployment);
  const detail = { region: event.region, declared };
  if (!declared.includes(event.region)) {
    record({ gate: 'region', verdict: 'fail', detail });
    throw new Decided(Outcome.Failed, `region ${event.region} is not declared in services/deployment.yaml`);
  }
  record({ gate: 'region', verdict: 'pass', detail });
}

function filterStale({ event, service, record }: Decision): void {
  const occurred = Date.parse(event.occurred_at);
  const age = Date.now() - occurred;
  const detail = { occurred_at: event.occurred_at, age_ms: age, max_event_age_ms: service.max_event_age_ms };
  if (Number.isNaN(occurred) || age > service.max_event_age_ms) {
    record({ gate: 'stale', verdict: 'fail', detail });
    throw new Decided(
      Outcome.Stale,
      `event is ${Math.round(age / 1000)} s old, older than ${service.max_event_age_ms / 1000} s`,
    );
  }
  record({ gate: 'stale', verdict: 'pass', detail });
}

/** The control state as read for the shadow and early kill-switch decisions; `state` absent when unreadable. */
interface ControlRead {
  state?: ControlState;
  error?: string;
}

/**
 * Gate 3 (governor) with the control read the shadow decision and the early kill switch take. After the storm gates
 * both reads run at once as local activities; a history from before them replays the old order (governor, then, if
 * admitted, the control read).
 */
async function governAndReadControl(decision: Decision): Promise<AdmitVerdict> {
  const { event, deployment, status, v2 } = decision;
  const readControl = async (): Promise<ControlRead> => {
    try {
      const regions = declaredRegions(deployment);
      const state = v2
        ? await local(activitySummaries.readControl(event.region)).readControl(event.region, regions)
        : await remoteReadControl(event.region, regions);
      return { state };
    } catch (err) {
      return { error: failureMessage(err) };
    }
  };
  if (!v2) {
    const admitted = await admit(decision);
    await applyGovernor(decision, admitted);
    status.shadow = decideShadow(decision, await readControl(), await ruleQuarantineOf(decision));
    return admitted;
  }
  const [admitted, control, quarantine] = await Promise.all([
    admit(decision),
    readControl(),
    ruleQuarantineOf(decision),
  ]);
  status.shadow = decideShadow(decision, control, quarantine);
  await applyGovernor(decision, admitted);
  earlyKillSwitch(decision, control);
  return admitted;
}

/** The lock the event's runbook takes: its host's, or the service's for service-wide rules and host-less events. */
function lockOf(rule: ResolvedRule, event: LazarusEvent): { lock_id: string; scope: 'host' | 'service' } {
  // a replay drill's remediation (drill/<id>/event/...) locks within its sandbox (drill/<id>/lock/...)
  const prefix = entityPrefixOf(workflowInfo().workflowId);
  return rule.lock === 'host' && event.host
    ? { lock_id: hostLockId(event.host, prefix), scope: 'host' }
    : { lock_id: serviceLockId(event.service, prefix), scope: 'service' };
}

async function admit({ event, rule, service, deployment, v2 }: Decision): Promise<AdmitVerdict> {
  const request = {
    incident_key: event.incident_key,
    service: event.service,
    region: event.region,
    threshold: service.rate_limit.threshold,
    window_ms: service.rate_limit.window_ms,
    breaker: breakerOf(deployment, event.region),
    breaker_notifications: deployment.notifications,
    failure: failureOf(event),
    category: rule.category,
    lock_id: lockOf(rule, event).lock_id,
  };
  return v2
    ? await local(activitySummaries.admit(event.service, event.region)).governorAdmit(
        request,
        declaredRegions(deployment),
      )
    : await governorAdmit(request, declaredRegions(deployment));
}

async function applyGovernor(decision: Decision, verdict: AdmitVerdict): Promise<void> {
  const { event, rule, record, v2 } = decision;
  const rateLimit = verdict.rate_limit;
  const detail = { ...verdict };
  // An alarm about a failure already counted in the window: its page follows the remediation deciding for it.
  if (v2 && rateLimit.duplicate_of && !rateLimit.limited) {
    const leader = remediationWorkflowId(rateLimit.duplicate_of);
    if (await followRemediationOf(decision, leader)) {
      record({ gate: 'governor', verdict: 'pass', detail });
      throw new Decided(Outcome.Locked, `${failureOf(event)} is already being decided by ${leader}`);
    }
  }
  const refused = rateLimit.limited || verdict.breaker.state === 'open';
  // A refused alarm about a host being fixed right now follows the runbook fixing it: nobody is paged meanwhile.
  if (v2 && refused && verdict.lock_running) {
    const lockKey = lockOf(rule, event).lock_id;
    record({ gate: 'governor', verdict: 'fail', detail });
    if (await followRunningRemediation(decision, lockKey)) {
      await acknowledgeFollowedPage(decision);
      throw new Decided(Outcome.Locked, `${lockKey} is held by a running remediation`);
    }
  }
  if (rateLimit.limited) {
    if (!refused || !verdict.lock_running || !v2) record({ gate: 'governor', verdict: 'fail', detail });
    throw new Decided(
      Outcome.RateLimited,
      `${rateLimit.count} distinct failures of ${event.service} within ${rateLimit.window_ms / 1000} s, threshold ${rateLimit.threshold}`,
    );
  }
  if (verdict.breaker.state === 'open') {
    if (!verdict.lock_running || !v2) record({ gate: 'governor', verdict: 'fail', detail });
    throw new Decided(
      Outcome.CircuitOpen,
      `regional circuit breaker is open: ${verdict.breaker.failing_count} services failing (${verdict.breaker.failing.join(', ')})`,
    );
  }
  record({ gate: 'governor', verdict: 'pass', detail });
}

/** Asks the remediation deciding for the same failure to take this page; true when it did (acknowledged here). */
async function followRemediationOf(decision: Decision, leader: string): Promise<boolean> {
  const { event, status, record } = decision;
  const page = { incident_key: event.incident_key, workflow_id: workflowInfo().workflowId };
  const { accepted } = await local(activitySummaries.follow(leader, event.incident_key)).followRemediation({
    workflow_id: leader,
    page,
  });
  record({
    gate: 'follow',
    verdict: accepted ? 'pass' : 'skip',
    detail: { failure: failureOf(event), leader, accepted },
  });
  if (!accepted) return false;
  status.page_follows = leader;
  await acknowledgeFollowedPage(decision);
  return true;
}

/** A followed page is acknowledged (inside its window) so nobody is paged while the leader fixes the failure. */
async function acknowledgeFollowedPage(decision: Decision): Promise<void> {
  const { event, service, status, record } = decision;
  const routingKey = routingKeyOf(service);
  status.decided_at = Date.now();
  if (status.shadow || !routingKey) return;
  try {
    const result = await pager(activitySummaries.acknowledge(event.incident_key)).acknowledgePage({
      routingKey,
      incidentKey: event.incident_key,
    });
    record({ gate: 'acknowledge', verdict: 'pass', detail: { ...result, follows: status.page_follows } });
  } catch (err) {
    record({
      gate: 'acknowledge',
      verdict: 'error',
      detail: { error: failureMessage(err), left_to: 'PagerDuty escalation' },
    });
  }
}

/**
 * Shadow mode (core/control.ts decideShadow, the precedence table in docs/configuration.md): configuration turns it
 * on; a runtime setting turns it on anywhere, and off only from a scope as narrow as the configuration's.
 */
function decideShadow(
  { service, deployment, record }: Decision,
  control: ControlRead,
  quarantine: RuleQuarantine | null,
): boolean {
  const configured = { service: service.shadow, deployment: deployment.shadow };
  const decided = shadowPrecedence(control.state, service.service, service.profile, configured);
  const runtime = decided.by.startsWith('runtime:') || decided.overridden !== undefined;
  // a rule quarantined in this region (its runbook failed too often) stays in shadow until an operator releases it,
  // whatever configuration or runtime say
  const shadow = quarantine ? true : decided.shadow;
  if (shadow || runtime) {
    record({
      gate: 'shadow',
      verdict: shadow ? 'shadow' : 'pass',
      detail: {
        shadow,
        configured,
        by: quarantine ? 'quarantine' : decided.by,
        overridden: decided.overridden,
        ...(quarantine ? { quarantine } : {}),
      },
    });
  }
  return shadow;
}

/**
 * The early kill-switch answer, from the control read the shadow decision took (each worker shares a read for at
 * most a second): a switched-off category costs no quorum and no page acknowledgement. The authoritative read stays
 * where it was, in the runbook child right before its first step. Unreadable counts as on, as there.
 */
function earlyKillSwitch({ rule, record }: Decision, control: ControlRead): void {
  if (!control.state) {
    const reason = `kill switch state unreadable (${control.error ?? 'no answer'}): failing closed`;
    record({ gate: 'kill_switch', verdict: 'fail', detail: { reason, read: 'early' } });
    throw new Decided(Outcome.KillSwitch, reason);
  }
  const blocking = blockingKillSwitch(control.state, rule.category);
  if (!blocking) return;
  const reason = `kill switch ${blocking.scope} is on (set by ${blocking.actor}: ${blocking.reason})`;
  record({
    gate: 'kill_switch',
    verdict: 'fail',
    detail: {
      reason,
      scope: blocking.scope,
      actor: blocking.actor,
      set_at: blocking.at,
      category: rule.category,
      read: 'early',
    },
  });
  throw new Decided(Outcome.KillSwitch, reason);
}

/**
 * The page's acknowledgement window (occurred_at + the service's ack_window, 60 s by default): a decision that
 * cannot be reached inside it neither acknowledges nor acts; it is LATE and the page gets a note for the on-call
 * engineer. Checked before anything is read (an event that arrives late) and right before acknowledging.
 */
function checkAckWindow({ event, service, record }: Decision, stage: 'before deciding' | 'before acknowledging'): void {
  const windowMs = service.ack_window_ms ?? defaultAckWindowMs;
  const occurred = Date.parse(event.occurred_at);
  const now = Date.now();
  const detail = { stage, occurred_at: event.occurred_at, ack_window_ms: windowMs, age_ms: now - occurred };
  if (now - occurred > windowMs) {
    record({ gate: 'ack_window', verdict: 'fail', detail });
    throw new Decided(
      Outcome.Late,
      `no decision within the acknowledgement window: ${Math.round((now - occurred) / 1000)} s after the event ` +
        `(${stage.replace('before ', 'before ')}), window ${windowMs / 1000} s; Lazarus neither acknowledged the page nor acted`,
    );
  }
  if (stage === 'before acknowledging') record({ gate: 'ack_window', verdict: 'pass', detail });
}

/** Rule quarantine is on: in every execution since the local-pages marker, and in those that recorded its own. */
function quarantinePatched(): boolean {
  return pagesAreLocal() || patched('rule-quarantine');
}

/** The rule's quarantine in the event's region (workflows/quarantine.ts); unreadable fails the remediation (escalated). */
async function ruleQuarantineOf({ event, rule }: Decision): Promise<RuleQuarantine | null> {
  if (!quarantinePatched()) return null;
  const summary = activitySummaries.readQuarantine(rule.name, event.region);
  return pagesAreLocal()
    ? await local(summary).readRuleQuarantine(event.region, rule.name)
    : await entityCall(summary).readRuleQuarantine(event.region, rule.name);
}

/** A runbook that ran reports its outcome to the rule's quarantine record; a failure to report never fails the run. */
async function reportRuleRun(
  { event, rule, service, deployment, record }: Decision,
  result: RunbookResult,
): Promise<void> {
  if (!quarantinePatched() || !countsForQuarantine(result.outcome)) return;
  try {
    const quarantine = await entityCall(activitySummaries.recordRuleRun(rule.name, result.outcome)).recordRuleRun({
      rule: rule.name,
      region: event.region,
      run: {
        workflow_id: workflowInfo().workflowId,
        incident_key: event.incident_key,
        service: event.service,
        ...(event.host ? { host: event.host } : {}),
        outcome: result.outcome,
        reason: result.reason,
        at: Date.now(),
      },
      thresholds: deployment.quarantine ?? defaultQuarantineThresholds,
      team: service.team,
      channels: service.notifications,
    });
    if (quarantine) record({ gate: 'shadow', verdict: 'shadow', detail: { quarantine, from: 'this run' } });
  } catch (err) {
    record({ gate: 'notify', verdict: 'error', detail: { kind: 'rule_run', error: failureMessage(err) } });
  }
}

async function planScalingGate({ event, service, record }: Decision, admitted: AdmitVerdict): Promise<LazarusEvent> {
  const limits = service.scaling;
  if (!limits) {
    record({ gate: 'scaling', verdict: 'fail', detail: { scaling: 'the service has no scaling limits' } });
    throw new Decided(Outcome.PreconditionFailed, `${event.service} has no scaling limits configured`);
  }
  const busy = await entityCall(activitySummaries.replacementsInProgress(event.service)).replacementsInProgress({
    service: event.service,
    self: workflowInfo().workflowId,
  });
  if (busy.length > 0) {
    record({
      gate: 'replacement_in_progress',
      verdict: 'fail',
      detail: { scaling: 'host replacement in progress', remediations: busy },
    });
    throw new Decided(
      Outcome.Locked,
      `a host of ${event.service} is being remediated (${busy.join(', ')}): no scaling now`,
    );
  }
  const census = await censusService({ service: event.service, params: service.params, region: event.region });
  const request = scalingRequestFrom(event.event_type === 'ScaleDown' ? 'down' : 'up', event.details);
  const plan = planScaling(request, census, limits, admitted.last_scaling_at, Date.now());
  const detail = { request, census, limits, last_scaling_at: admitted.last_scaling_at, plan };
  if (plan.verdict === 'cooldown') {
    record({ gate: 'scaling_cooldown', verdict: 'fail', detail });
    throw new Decided(Outcome.RateLimited, `scaling cooldown: ${plan.reason}`);
  }
  if (plan.verdict === 'refuse') {
    record({ gate: 'scaling', verdict: 'fail', detail });
    throw new Decided(Outcome.PreconditionFailed, `scaling plan refused: ${plan.reason}`);
  }
  record({ gate: 'scaling', verdict: 'pass', detail });
  return { ...event, details: { ...event.details, delta: plan.count, planned: { from: plan.from, to: plan.to } } };
}

async function checkQuorum({ event, rule, service, deployment, record }: Decision): Promise<void> {
  // the event region's own checker nodes: deciding happens in the region
  const nodes = checkerNodesOf(deployment, event.region);
  const { quorum, quorum_deadline_ms: deadlineMs } = deployment;
  if (rule.preconditions.length === 0) {
    record({ gate: 'quorum', verdict: 'skip', detail: { reason: 'the rule has no preconditions' } });
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
          summary: `quorum: ${rule.preconditions.length} checks from ${node.name} (${node.zone})`,
          taskQueue: node.task_queue,
          scheduleToCloseTimeout: deadlineMs,
          retry: { maximumAttempts: 1 },
        });
        try {
          const answer = await checkPreconditions({
            event,
            preconditions: rule.preconditions,
            params: service.params,
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
  const quorumReached = () => evaluateQuorum(answers, nodes.length, quorum, false) !== 'pending';
  if (pagesAreLocal()) {
    // No timer of our own: each check's schedule-to-close is the deadline (the server ends it, answered or not, and
    // every end is an answer), and once all three have answered the quorum is never pending.
    await condition(quorumReached);
  } else if (!(await condition(quorumReached, deadlineMs + 1000))) {
    deadlinePassed = true; // the path recorded before, with its timer
  }
  scope.cancel();
  await calls.catch(() => undefined);
  const verdict = evaluateQuorum(answers, nodes.length, quorum, deadlinePassed);
  for (const node of nodes) {
    if (!answers.some((a) => a.node === node.name) && verdict !== 'passed') {
      answers.push({ node: node.name, zone: node.zone, status: 'silent', passed: false, checks: [] });
    }
  }
  const partition = verdict === 'partition' ? suspectedPartition(answers) : undefined;
  const result: QuorumResult = {
    verdict: verdict === 'pending' ? 'timeout' : verdict,
    needed: quorum,
    passes: answers.filter((a) => a.status === 'answered' && a.passed).length,
    answers,
    ...(partition ? { partition } : {}),
  };
  record({
    gate: 'quorum',
    verdict: result.verdict === 'passed' ? 'pass' : 'fail',
    detail: { ...result, deadline_ms: deadlineMs },
  });
  if (partition) {
    throw new Decided(
      Outcome.PreconditionFailed,
      `network partition suspected, not a failure of ${event.host}: ${partition.summary}`,
    );
  }
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

async function acknowledgePage(decision: Decision): Promise<void> {
  const { event, service, status, record } = decision;
  if (status.shadow) {
    record({ gate: 'acknowledge', verdict: 'shadow', detail: { would: 'acknowledge the page' } });
    status.decided_at = Date.now();
    return;
  }
  const routingKey = routingKeyOf(service);
  try {
    if (!routingKey) {
      record({ gate: 'acknowledge', verdict: 'skip', detail: { reason: 'the service has no PagerDuty routing key' } });
    } else {
      const result = await pager(activitySummaries.acknowledge(event.incident_key)).acknowledgePage({
        routingKey,
        incidentKey: event.incident_key,
      });
      record({ gate: 'acknowledge', verdict: 'pass', detail: { ...result } });
    }
  } catch (err) {
    // Not acknowledged in time: PagerDuty's own escalation takes the page; the remediation goes on.
    record({
      gate: 'acknowledge',
      verdict: 'error',
      detail: { error: failureMessage(err), left_to: 'PagerDuty escalation' },
    });
  }
  status.decided_at = Date.now();
  await notify(decision, service, 'acknowledged');
}

/**
 * The lock gate and the runbook: the child workflow whose id is the lock key runs the runbook (reading the kill
 * switch before its first step). Its steps, gates and following pages join the trace; it returns only REMEDIATED or
 * SHADOW, any other outcome is decided here.
 */
async function runLockedRunbook(
  decision: Decision,
  runbookEvent: LazarusEvent,
  onStarted: (child: RunbookHandle) => void,
): Promise<RunbookResult> {
  const { rule, record, v2 } = decision;
  const { lock_id: lockKey, scope } = lockOf(rule, runbookEvent);
  if (!v2) return await runRunbookChild(decision, runbookEvent, lockKey, onStarted);
  const holder = workflowInfo().workflowId;
  const claim = await local(activitySummaries.claim(lockKey)).claimRunbook({
    service: runbookEvent.service,
    region: runbookEvent.region,
    lock_id: lockKey,
    scope,
    holder,
  });
  // The same lock held: this failure is being fixed, the page follows the holder (never a second action).
  if (!claim.granted && claim.conflicts.some((c) => c.lock_id === lockKey)) {
    if (await followRunningRemediation(decision, lockKey)) {
      throw new Decided(Outcome.Locked, `${lockKey} is held by a running remediation`);
    }
    throw new Decided(Outcome.Locked, `${lockKey} is held by a running remediation that could not take this page`);
  }
  // The breaker read again right before the runbook: an event admitted just before it opened does not act after.
  const breakerDetail = { ...claim.breaker, region: runbookEvent.region };
  if (claim.breaker.state === 'open') {
    record({ gate: 'breaker', verdict: 'fail', detail: breakerDetail });
    throw new Decided(
      Outcome.CircuitOpen,
      `regional circuit breaker opened before the runbook started: ${claim.breaker.failing_count} services failing (${claim.breaker.failing.join(', ')})`,
    );
  }
  record({ gate: 'breaker', verdict: 'pass', detail: breakerDetail });
  if (!claim.granted) {
    const holders = claim.conflicts.map((c) => `${c.lock_id} (${c.holder})`).join(', ');
    record({ gate: 'lock', verdict: 'fail', detail: { lock: lockKey, excluded_by: claim.conflicts } });
    throw new Decided(
      Outcome.Locked,
      `${lockKey} is excluded by ${holders}: a service lock and host locks never run at once`,
    );
  }
  try {
    return await runRunbookChild(
      decision,
      runbookEvent,
      lockKey,
      onStarted,
      claim.reclaimed.length ? claim.reclaimed : undefined,
    );
  } finally {
    await CancellationScope.nonCancellable(async () => {
      try {
        await local(activitySummaries.release(lockKey)).releaseRunbookLock({
          service: runbookEvent.service,
          holder,
          lock_id: lockKey,
        });
      } catch (err) {
        // Not given back: the next claim of a conflicting lock finds this remediation ended and takes it back.
        record({ gate: 'lock', verdict: 'error', detail: { lock: lockKey, release_error: failureMessage(err) } });
      }
    });
  }
}

/** Starts the runbook child whose id is the lock and waits for its result (the lock gate of histories before v2). */
async function runRunbookChild(
  decision: Decision,
  runbookEvent: LazarusEvent,
  lockKey: string,
  onStarted: (child: RunbookHandle) => void,
  reclaimed?: unknown[],
): Promise<RunbookResult> {
  const { rule, service, status, options, record } = decision;
  let child: RunbookHandle;
  try {
    child = await startChild(runbook, {
      workflowId: lockKey,
      staticSummary: runbookSummary(rule.runbook.name, runbookEvent, lockKey),
      staticDetails: runbookDetails(rule.runbook.steps, runbookEvent, workflowInfo().workflowId),
      args: [
        {
          remediation_id: workflowInfo().workflowId,
          event: runbookEvent,
          rule,
          service,
          shadow: status.shadow,
          kill_switch_poll_ms: options.kill_switch_poll_ms,
          compensation_retry_ms: options.compensation_retry_ms ?? decision.deployment.compensation_retry_ms,
        },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    await followRunningRemediation(decision, lockKey);
    throw new Decided(Outcome.Locked, `${lockKey} is held by a running remediation`);
  }
  status.runbook_workflow_id = lockKey;
  record({ gate: 'lock', verdict: 'pass', detail: { lock: lockKey, ...(reclaimed ? { reclaimed } : {}) } });
  onStarted(child);
  let result: RunbookResult;
  try {
    result = await child.result();
  } catch (err) {
    if (err instanceof ChildWorkflowFailure && !isCancellation(err)) {
      throw new Decided(Outcome.Failed, `runbook run failed: ${err.cause?.message ?? err.message}`);
    }
    throw err;
  }
  status.steps = result.steps;
  status.gates.push(...result.gates);
  await reportRuleRun(decision, result);
  status.following_pages = result.following_pages.map((p) => p.incident_key);
  if (result.outcome !== Outcome.Remediated && result.outcome !== Outcome.Shadow) {
    throw new Decided(result.outcome, result.reason);
  }
  return result;
}

/** A later event for a resource already in remediation: its page follows the running one's fate. */
async function followRunningRemediation({ event, status, record }: Decision, lockKey: string): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(lockKey).signal(followPageSignal, {
      incident_key: event.incident_key,
      workflow_id: workflowInfo().workflowId,
    });
    record({ gate: 'lock', verdict: 'fail', detail: { lock: lockKey, holder: lockKey, page: 'follows the holder' } });
    status.following_pages = [];
    status.page_follows = lockKey;
    return true;
  } catch (err) {
    record({
      gate: 'lock',
      verdict: 'fail',
      detail: { lock: lockKey, holder: lockKey, follow_error: failureMessage(err) },
    });
    return false;
  }
}

/** A scaling action done: the service's governor starts its cooldown. */
async function startScalingCooldown({ event, status }: Decision): Promise<void> {
  await entityCall(activitySummaries.recordScaling(event.service)).governorRecordScaling({
    service: event.service,
    at: Date.now(),
    workflow_id: status.workflow_id,
  });
}

async function resolvePages(decision: Decision): Promise<void> {
  const { event, service, status } = decision;
  const routingKey = routingKeyOf(service);
  if (routingKey) {
    for (const key of [event.incident_key, ...status.following_pages]) {
      await untilPagerDutyAccepts(decision, service, 'resolve', key, (calls) =>
        calls.resolvePage({ routingKey, incidentKey: key }),
      );
    }
  }
  await notify(decision, service, 'remediated');
}

type PageCalls = Pick<PagerActivities, 'escalatePage' | 'resolvePage' | 'triggerPage' | 'addPageNote'>;

/**
 * What a failed escalation attempt had done (the level it raised the page to, its note), from its failure's details
 * (activities/pager escalatePage): handed to the next try so that it never raises the level twice.
 */
function escalationProgressOf(err: unknown): unknown {
  // the activity's failure, or (as the page calls surface it here) the ApplicationFailure itself
  const failure = err instanceof ActivityFailure ? err.cause : err;
  const details = failure instanceof ApplicationFailure ? failure.details : undefined;
  const first = details?.[0] as Record<string, unknown> | undefined;
  return first?.[escalationProgressKey];
}

/** The page calls with an escalation resuming from `progress` (see escalationProgressOf). */
function resumingEscalation(calls: PageCalls, progress: unknown): PageCalls {
  if (progress === undefined) return calls;
  return {
    escalatePage: (input) => calls.escalatePage({ ...input, [stepResumeInputKey]: progress } as typeof input),
    resolvePage: (input) => calls.resolvePage(input),
    triggerPage: (input) => calls.triggerPage(input),
    addPageNote: (input) => calls.addPageNote(input),
  };
}

/**
 * A page change (escalate or resolve) that must reach PagerDuty: one bounded try (inside the acknowledgement window),
 * and when PagerDuty cannot be reached the other channels say so at once, then the same change is retried with
 * capped backoff for hours (pagerduty.retry_for). A page Lazarus acknowledged is never left acknowledged without a
 * person told. `change` gets the activities to use: the bounded ones, then the durable ones.
 */
async function untilPagerDutyAccepts(
  remediation: Remediation,
  service: ServicePolicy | undefined,
  gate: 'escalate' | 'resolve',
  key: string,
  change: (calls: PageCalls) => Promise<object>,
): Promise<boolean> {
  const { record, options } = remediation;
  let progress: unknown;
  try {
    record({
      gate,
      verdict: 'pass',
      detail: { incident_key: key, ...(await change(pager(activitySummaries.page(gate, key)))) },
    });
    return true;
  } catch (err) {
    progress = escalationProgressOf(err);
    const unreachable = !noPageToChange(err);
    record({
      gate,
      verdict: 'error',
      detail: { incident_key: key, error: failureMessage(err), retrying: unreachable },
    });
    // No page to change (and no route to trigger one on) or a change PagerDuty refuses: retrying for hours changes
    // nothing, and the other channels hear of the outcome from its notification.
    if (!unreachable) return false;
  }
  if (service) await notify(remediation, service, 'pager_unreachable');
  const retryMs = options.page_retry_ms ?? remediation.pageRetryMs ?? defaultPageRetryMs;
  const maxIntervalMs = options.page_retry_max_interval_ms ?? defaultPageRetryMaxIntervalMs;
  const durable = proxyActivities<PageCalls>({
    summary: `${activitySummaries.page(gate, key)} (retrying for ${Math.round(retryMs / 60_000)} min)`,
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: retryMs,
    retry: {
      initialInterval: Math.min(2000, maxIntervalMs),
      backoffCoefficient: 2,
      maximumInterval: maxIntervalMs,
      // PagerDuty answered: retrying the same call for hours would not change its answer
      nonRetryableErrorTypes: [...pagerAnswers],
    },
  });
  try {
    const calls = resumingEscalation(durable, progress);
    record({ gate, verdict: 'pass', detail: { incident_key: key, ...(await change(calls)), after_retries: true } });
    return true;
  } catch (err) {
    record({
      gate,
      verdict: 'error',
      detail: { incident_key: key, error: failureMessage(err), gave_up_after_ms: retryMs },
    });
    return false;
  }
}

/** Every outcome but REMEDIATED and SHADOW: the page (and the pages following it) goes to a human at once. */
async function escalate(
  remediation: Remediation,
  service: ServicePolicy | undefined,
  route: string | undefined,
  decided: Decided,
): Promise<RemediationStatus> {
  const { event, status, record } = remediation;
  if (!remediation.tagged) tagSearchAttributes(event);
  remediation.tagged = true;
  settlePages(remediation);
  if (decided.outcome === Outcome.Locked && status.page_follows) {
    status.decided_at ??= Date.now();
    // the pages that followed this one follow the holder too; one it cannot take goes to a person
    const unforwarded = await forwardFollowers(remediation, status.page_follows);
    status.following_pages = unforwarded;
    if (unforwarded.length > 0) await escalatePages(remediation, service, route, decided, unforwarded);
    return finish(status, decided.outcome, `${decided.reason}; this page follows it`);
  }
  if (status.shadow && service) {
    record({ gate: 'escalate', verdict: 'shadow', detail: { would: 'escalate', reason: decided.reason } });
    status.decided_at ??= Date.now();
    return finish(status, decided.outcome, decided.reason);
  }
  await escalatePages(remediation, service, route, decided, [event.incident_key, ...status.following_pages]);
  status.decided_at ??= Date.now();
  finish(status, decided.outcome, decided.reason);
  if (service) {
    // the escalation wrote the decision on the pages already: this notification goes to the other channels only
    const kind = decided.outcome === Outcome.KillSwitch ? 'kill_switch_blocked' : 'escalated';
    await notify(remediation, service, kind, { pageNoted: true });
  }
  return status;
}

/** Passes this remediation's followers on to the one it follows; returns the pages that could not be passed on. */
async function forwardFollowers(remediation: Remediation, holder: string): Promise<string[]> {
  const left: string[] = [];
  for (const key of remediation.status.following_pages) {
    const page = remediation.pages.followers.find((p) => p.incident_key === key) ?? {
      incident_key: key,
      workflow_id: remediation.status.workflow_id,
    };
    try {
      if (holder.startsWith('event/')) {
        const calls = local(activitySummaries.follow(holder, key));
        if (!(await calls.followRemediation({ workflow_id: holder, page })).accepted) left.push(key);
      } else {
        await getExternalWorkflowHandle(holder).signal(followPageSignal, page);
      }
    } catch {
      left.push(key);
    }
  }
  return left;
}

/**
 * Escalates each page (LATE: a note on this event's own page instead, which was never acknowledged and stays with
 * PagerDuty's escalation). An event whose service Lazarus cannot name (not onboarded, or the configuration
 * unavailable) still has its page escalated by incident key; a page that does not exist (the sensor never paged) is
 * triggered on the route.
 */
async function escalatePages(
  remediation: Remediation,
  service: ServicePolicy | undefined,
  route: string | undefined,
  decided: Decided,
  keys: string[],
): Promise<void> {
  const { event, status } = remediation;
  const note = `Lazarus ${decided.outcome}: ${decided.reason} (workflow ${status.workflow_id})`;
  for (const key of keys) {
    const noteOnly = decided.outcome === Outcome.Late && key === event.incident_key;
    await untilPagerDutyAccepts(remediation, service, 'escalate', key, async (calls) => {
      try {
        if (noteOnly) return { ...(await calls.addPageNote({ incidentKey: key, note })), note_only: true };
        return await calls.escalatePage({ incidentKey: key, note, workflowId: status.workflow_id });
      } catch (err) {
        if (!route || failureType(err) !== 'PagerIncidentNotFound') throw err;
        const summary = `${note} [${event.event_type} ${event.service}${event.host ? ` ${event.host}` : ''}]`;
        const triggered = await calls.triggerPage({
          routingKey: route,
          incidentKey: key,
          summary: summary.slice(0, 1024),
          source: 'lazarus',
          severity: 'critical',
          customDetails: { outcome: decided.outcome, reason: decided.reason, workflow_id: status.workflow_id },
        });
        return { ...triggered, triggered: true };
      }
    });
  }
}

async function notify(
  { event, status, record }: Remediation,
  service: ServicePolicy,
  kind: 'acknowledged' | 'remediated' | 'escalated' | 'kill_switch_blocked' | 'pager_unreachable',
  { pageNoted = false }: { pageNoted?: boolean } = {},
): Promise<void> {
  const channels = pageNoted ? { ...service.notifications, pagerduty_routing_key: undefined } : service.notifications;
  try {
    const result = await pager(activitySummaries.notify(kind, event.service)).notify({
      kind,
      service: event.service,
      host: event.host,
      outcome: status.outcome,
      reason: status.reason,
      workflowId: status.workflow_id,
      incidentKey: event.incident_key,
      channels,
    });
    record({
      gate: 'notify',
      verdict: result.failed.length ? 'error' : 'pass',
      detail: {
        kind,
        delivered: result.delivered.map((c) => c.channel),
        failed: result.failed,
        ...(result.skipped?.length ? { skipped: result.skipped.map((c) => `${c.channel}: ${c.error ?? ''}`) } : {}),
      },
    });
  } catch (err) {
    // A failed notification never fails a remediation.
    record({ gate: 'notify', verdict: 'error', detail: { kind, error: failureMessage(err) } });
  }
}

function finish(status: RemediationStatus, outcome: Outcome, reason: string): RemediationStatus {
  status.outcome = outcome;
  status.reason = reason;
  status.phase = 'done';
  status.decided_at ??= Date.now();
  upsertSearchAttributes([{ key: LazarusOutcome, value: outcome }]);
  setCurrentDetails(remediationProgress(status));
  // a sink: no command, not called on replay, so histories recorded before it still replay
  lazarusMetrics.decision({ outcome, latency_seconds: (Date.now() - status.started_at) / 1000 });
  if (!isSuccessfulOutcome(outcome) && outcome !== Outcome.Locked) status.paused = undefined;
  return status;
}

function cancelReason(req: OperatorRequest): string {
  return `cancelled${req.actor ? ` by ${req.actor}` : ''}: ${req.reason ?? 'no reason given'}`;
}

/** Failure types of PagerDuty's own answers: no page has the key, or it refused the change. */
const pagerAnswers = ['PagerIncidentNotFound', 'PagerRejected'] as const;

/** PagerDuty answered, and there is no page to change or it refused the change. */
function noPageToChange(err: unknown): boolean {
  return (pagerAnswers as readonly (string | undefined)[]).includes(failureType(err));
}

/** The type of the application failure behind an activity failure (e.g. PagerIncidentNotFound). */
function failureType(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure) return err.cause?.message ?? err.message;
  if (err instanceof ApplicationFailure) return err.message;
  return err instanceof Error ? err.message : String(err);
}
