// Governor entity workflows. One per service counts that service's events (the rate limit) and knows whether the
// service is failing; one per region holds the circuit breaker over distinct failing services. A service's
// governor tells the region only when the service starts or stops failing, so no single workflow takes every
// event of a burst. State changes by Update, reads by Query; both continue-as-new before history grows large.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { closedBreaker, recordEvent, reportService, type BreakerTransition } from '../core/governor';
import type { NotificationChannels } from '../core/resolved-config';
import type { NotifyActivities } from '../activities/notify';
import {
  admitUpdate,
  breakerStateSignal,
  recordScalingUpdate,
  regionalGovernorQuery,
  reportServiceSignal,
  reportServiceUpdate,
  serviceGovernorQuery,
  type AdmitVerdict,
  type RegionalGovernorState,
  type ServiceGovernorState,
  type ServiceReport,
} from '../contracts/messages';
import { lazarusMetrics } from './metrics';
import { regionalGovernorId, serviceGovernorId } from '../contracts/workflow-ids';
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
    const now = Date.now();
    const seen = state.events.find((e) => e.key === request.incident_key);
    if (seen)
      return { rate_limit: seen.verdict, breaker: state.breaker ?? closed, last_scaling_at: state.last_scaling_at };
    state.window_ms = request.window_ms;
    state.breaker_window_ms = request.breaker.window_ms;
    state.region = request.region;
    prune(now);
    const inRateWindow = { events: state.events.filter((e) => e.at > now - request.window_ms).map((e) => e.at) };
    const { verdict } = recordEvent(inRateWindow, now, { threshold: request.threshold, window_ms: request.window_ms });
    const startedFailing = !state.failing;
    state.failing = true;
    state.counted += 1;
    const result = { ...verdict, started_failing: startedFailing };
    state.events.push({ at: now, key: request.incident_key, verdict: result });
    changed = true;
    // On a start of failing the caller (activity) reports to the region with an Update and uses its fresh answer.
    return { rate_limit: result, breaker: state.breaker ?? closed, last_scaling_at: state.last_scaling_at };
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
    await getExternalWorkflowHandle(regionalGovernorId(region)).signal(reportServiceSignal, report);
  } catch {
    // The region governor does not exist (it never heard of this service failing): nothing to undo.
  }
}

export interface RegionalGovernorInput {
  region: string;
  /** Who hears of breaker transitions (the SRE team of the deployment). */
  notifications?: NotificationChannels;
  options?: EntityOptions;
  carried?: RegionalGovernorState;
}

const { notify } = proxyActivities<NotifyActivities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});

export async function regionalGovernor(input: RegionalGovernorInput): Promise<void> {
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
    const r = reportService(breaker, report, settings);
    breaker = { region: input.region, ...r.breaker };
    if (r.transition) {
      lazarusMetrics.breakerTransition({ region: input.region, to: r.transition.to });
      unsent.push(r.transition);
      for (const service of Object.keys(breaker.failing)) toTell.add(service);
    } else if (report.failing) {
      toTell.add(report.service);
    }
    return summary();
  };
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
        getExternalWorkflowHandle(serviceGovernorId(service))
          .signal(breakerStateSignal, current)
          .catch(() => undefined),
      ),
    );
    while (unsent.length > 0) {
      const transition = unsent.shift()!;
      if (notifications) {
        await notify({
          kind: transition.to === 'open' ? 'breaker_opened' : 'breaker_closed',
          service: `region ${input.region}`,
          reason: `${transition.failing_count} services failing (last change: ${transition.cause})`,
          channels: notifications,
        });
      }
    }
    if (handled >= limit || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof regionalGovernor>({ ...input, notifications, carried: breaker });
    }
  }
}
