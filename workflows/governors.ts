// Governor entity workflows. One per service counts that service's failures (the rate limit: distinct failures, a
// host once), knows whether the service is failing and holds its locks; one per region holds the circuit breaker
// over distinct failing services. A service's governor tells the region only when the service starts or stops
// failing, and the region publishes its breaker state in its memo, which every admission reads with a describe (no
// workflow task, no history event), so no single workflow takes every event of a burst. State changes by Update,
// reads by Query or memo; both continue-as-new before history grows large.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import {
  acquireLock,
  admitFailure,
  closedBreaker,
  releaseLock,
  reportService,
  type BreakerTransition,
  type CountedFailure,
  type LockGrant,
} from '../core/governor';
import type { NotificationChannels } from '../core/resolved-config';
import type { NotifyActivities } from '../activities/notify';
import {
  acquireLockUpdate,
  admitUpdate,
  breakerMemoKey,
  breakerStateSignal,
  releaseLockUpdate,
  serviceLocksQuery,
  recordScalingUpdate,
  regionalGovernorQuery,
  reportServiceSignal,
  reportServiceUpdate,
  serviceGovernorQuery,
  type AdmitVerdict,
  type BreakerMemo,
  type RegionalGovernorState,
  type ServiceGovernorState,
  type ServiceReport,
} from '../contracts/messages';
import { lazarusMetrics } from './metrics';
import { entityPrefixOf, regionalGovernorId, serviceGovernorId } from '../contracts/workflow-ids';
import { regionalGovernorDetails, serviceGovernorDetails } from '../contracts/user-metadata';

export interface EntityOptions {
  /** Continue-as-new after this many updates/signals in one run (Temporal also suggests it by history size). */
  continue_as_new_after?: number;
}

const defaultContinueAsNewAfter = 1000;

interface AdmittedEvent {
  at: number;
  key: string;
  verdict: AdmitVerdict['rate_limit'];
  /** What failed (absent in state carried from before failures were told apart: the key). */
  failure?: string;
}

export interface ServiceGovernorInput {
  service: string;
  options?: EntityOptions;
  /** Carried across continue-as-new. */
  carried?: ServiceGovernorCarried;
}

interface ServiceGovernorCarried {
  events: AdmittedEvent[];
  failing: boolean;
  counted: number;
  region?: string;
  window_ms: number;
  breaker_window_ms: number;
  breaker?: AdmitVerdict['breaker'];
  last_scaling_at?: number;
  /** The service's locks (host locks or one service lock). */
  locks?: LockGrant[];
}

export async function serviceGovernor(input: ServiceGovernorInput): Promise<void> {
  const state: ServiceGovernorCarried = input.carried ?? {
    events: [],
    failing: false,
    counted: 0,
    window_ms: 0,
    breaker_window_ms: 0,
  };
  // The region's breaker as last pushed to us; fresh for every event after the first of a failing spell.
  const closed: AdmitVerdict['breaker'] = { state: 'closed', failing_count: 0, failing: [] };
  state.breaker ??= closed;
  let handled = 0;
  let changed = false;

  const failingUntil = (): number | undefined => {
    const last = state.events[state.events.length - 1];
    return last === undefined ? undefined : last.at + state.breaker_window_ms;
  };
  const prune = (now: number): void => {
    const horizon = now - Math.max(state.window_ms, state.breaker_window_ms);
    state.events = state.events.filter((e) => e.at > horizon);
  };

  setHandler(serviceGovernorQuery, (): ServiceGovernorState => ({
    service: input.service,
    region: state.region,
    events: state.events.map((e) => e.at),
    failing: state.failing,
    counted: state.counted,
    last_breaker: state.breaker,
  }));
  setHandler(breakerStateSignal, (breaker) => {
    state.breaker = breaker;
  });
  setHandler(recordScalingUpdate, ({ at }) => {
    handled += 1;
    state.last_scaling_at = Math.max(state.last_scaling_at ?? 0, at);
  });

  // Admit is idempotent by incident key, so the activity that calls it may retry safely.
  setHandler(admitUpdate, (request): AdmitVerdict => {
    handled += 1;
    // every answer carries the breaker copy, the cooldown and whether the event's lock is granted here (its runbook
    // may run): the caller asks Temporal about the lock only then
    const answer = (rate_limit: AdmitVerdict['rate_limit']): AdmitVerdict => ({
      rate_limit,
      breaker: state.breaker ?? closed,
      last_scaling_at: state.last_scaling_at,
      ...(request.lock_id ? { lock_held: (state.locks ?? []).some((grant) => grant.lock_id === request.lock_id) } : {}),
    });
    const now = Date.now();
    const seen = state.events.find((e) => e.key === request.incident_key);
    if (seen) return answer(seen.verdict);
    prune(now);
    const counted: CountedFailure[] = state.events
      .filter((e) => e.verdict.counted !== false)
      .map((e) => ({ at: e.at, failure: e.failure ?? e.key, incident_key: e.key, limited: e.verdict.limited }));
    if (request.category === 'autoscaling') {
      // Not a failure: counts toward nothing, never starts the service failing; reads the cooldown only.
      const distinct = new Set(counted.filter((f) => f.at > now - request.window_ms).map((f) => f.failure));
      const rate_limit = {
        count: distinct.size,
        threshold: request.threshold,
        window_ms: request.window_ms,
        limited: false,
        started_failing: false,
        counted: false,
      };
      return answer(rate_limit);
    }
    state.window_ms = request.window_ms;
    state.breaker_window_ms = request.breaker.window_ms;
    state.region = request.region;
    const failure = request.failure ?? request.incident_key;
    const verdict = admitFailure(counted, now, { threshold: request.threshold, window_ms: request.window_ms }, failure);
    const startedFailing = !state.failing;
    state.failing = true;
    if (verdict.counted) state.counted += 1;
    const result = { ...verdict, started_failing: startedFailing };
    state.events.push({ at: now, key: request.incident_key, failure, verdict: result });
    changed = true;
    // On a start of failing the caller (activity) reports to the region with an Update and uses its fresh answer.
    return answer(result);
  });

  // Locks: a service lock excludes every host lock of the service and the reverse (core/governor/service-locks.ts).
  setHandler(serviceLocksQuery, () => state.locks ?? []);
  setHandler(acquireLockUpdate, (request) => {
    handled += 1;
    const answer = acquireLock(state.locks ?? [], request, Date.now());
    state.locks = answer.grants;
    changed = true;
    return { granted: answer.granted, conflicts: answer.conflicts };
  });
  setHandler(releaseLockUpdate, ({ holder, lock_id }) => {
    handled += 1;
    state.locks = releaseLock(state.locks ?? [], holder, lock_id);
    changed = true;
  });

  const limit = input.options?.continue_as_new_after ?? defaultContinueAsNewAfter;
  for (;;) {
    setCurrentDetails(serviceGovernorDetails({ service: input.service, ...state }));
    changed = false;
    const until = failingUntil();
    const timeout = state.failing && until !== undefined ? Math.max(1, until - Date.now()) : undefined;
    const wake = (): boolean => changed || handled >= limit || workflowInfo().continueAsNewSuggested;
    const woke = timeout === undefined ? (await condition(wake), true) : await condition(wake, timeout);
    if (!woke && state.failing && (failingUntil() ?? 0) <= Date.now()) {
      state.failing = false;
      state.breaker = closed; // unknown until the next start of failing asks the region
      prune(Date.now());
      await tellRegion(state.region, {
        service: input.service,
        failing: false,
        at: Date.now(),
        breaker: { open_threshold: 0, close_threshold: 0 },
      });
    }
    if (handled >= limit || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof serviceGovernor>({ service: input.service, options: input.options, carried: state });
    }
  }
}

async function tellRegion(region: string | undefined, report: ServiceReport): Promise<void> {
  if (!region) return;
  try {
    // a replay drill's governors talk to the drill's region governor (same id prefix), never production's
    const prefix = entityPrefixOf(workflowInfo().workflowId);
    await getExternalWorkflowHandle(regionalGovernorId(region, prefix)).signal(reportServiceSignal, report);
  } catch {
    // The region governor does not exist (it never heard of this service failing): nothing to undo.
  }
}

/** Version marker: the regional governor publishes its breaker in its memo instead of pushing it to services. */
export const breakerMemoPatch = 'breaker-memo';

export interface RegionalGovernorInput {
  region: string;
  /** Who hears of breaker transitions (the SRE team of the deployment). */
  notifications?: NotificationChannels;
  options?: EntityOptions;
  carried?: RegionalGovernorState;
}

/** The notification activity with a summary for one call (the Web UI shows it on the activity). */
function notifier(summary: string): NotifyActivities {
  return proxyActivities<NotifyActivities>({
    summary,
    startToCloseTimeout: '20 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
  });
}

export async function regionalGovernor(input: RegionalGovernorInput): Promise<void> {
  // Breaker state in the memo, read by admissions with a describe; the region no longer pushes it to each service.
  const publishes = patched(breakerMemoPatch);
  let breaker = input.carried ?? { region: input.region, ...closedBreaker() };
  let handled = 0;
  const unsent: BreakerTransition[] = [];
  // Services to tell the current breaker state: the reporter of a start of failing, every failing one on a transition.
  const toTell = new Set<string>();
  // Remember the thresholds of the last report that set them; a stop-of-failing signal carries none.
  let settings = { open_threshold: Number.MAX_SAFE_INTEGER, close_threshold: 0 };

  let notifications = input.notifications;
  const apply = (report: ServiceReport): AdmitVerdict['breaker'] => {
    handled += 1;
    if (report.notifications) notifications = report.notifications;
    if (report.breaker.open_threshold > 0) settings = report.breaker;
    // the region's own time: the breaker opens when the region decides, not when the report was sent
    const r = reportService(breaker, { ...report, at: Date.now() }, settings);
    breaker = { region: input.region, ...r.breaker };
    if (r.transition) {
      lazarusMetrics.breakerTransition({ region: input.region, to: r.transition.to });
      unsent.push(r.transition);
      if (publishes) upsertMemo({ [breakerMemoKey]: memoOf(r.transition.at) });
      else for (const service of Object.keys(breaker.failing)) toTell.add(service);
    } else if (report.failing && !publishes) {
      toTell.add(report.service);
    }
    return summary();
  };
  const memoOf = (at: number): BreakerMemo => ({ ...summary(), since: at });
  const summary = (): AdmitVerdict['breaker'] => ({
    state: breaker.state,
    failing_count: Object.keys(breaker.failing).length,
    failing: Object.keys(breaker.failing),
  });

  setHandler(regionalGovernorQuery, () => breaker);
  setHandler(reportServiceUpdate, apply);
  setHandler(reportServiceSignal, (report) => void apply(report));

  const limit = input.options?.continue_as_new_after ?? defaultContinueAsNewAfter;
  for (;;) {
    await condition(
      () => toTell.size > 0 || unsent.length > 0 || handled >= limit || workflowInfo().continueAsNewSuggested,
    );
    const current = summary();
    setCurrentDetails(regionalGovernorDetails(input.region, breaker));
    const services = [...toTell];
    toTell.clear();
    await Promise.all(
      services.map((service) =>
        getExternalWorkflowHandle(serviceGovernorId(service, entityPrefixOf(workflowInfo().workflowId)))
          .signal(breakerStateSignal, current)
          .catch(() => undefined),
      ),
    );
    while (unsent.length > 0) {
      const transition = unsent.shift()!;
      if (notifications) {
        await notifier(`tell the teams: breaker of ${input.region} ${transition.to}`).notify({
          kind: transition.to === 'open' ? 'breaker_opened' : 'breaker_closed',
          service: `region ${input.region}`,
          reason: `${transition.failing_count} services failing (last change: ${transition.cause})`,
          channels: notifications,
        });
      }
    }
    if (handled >= limit || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      const next = { ...input, notifications, carried: breaker };
      if (!publishes) await continueAsNew<typeof regionalGovernor>(next);
      // the next run starts with the memo, so a describe never sees a run without it
      const since = breaker.transitions[breaker.transitions.length - 1]?.at ?? 0;
      await makeContinueAsNewFunc<typeof regionalGovernor>({ memo: { [breakerMemoKey]: memoOf(since) } })(next);
    }
  }
}
