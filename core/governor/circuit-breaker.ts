// The regional circuit breaker: opens when too many distinct services fail at once (a shared dependency is down,
// replacing hosts would not help and could hurt), closes when few enough are still failing.
//
// Hysteresis: it opens when the failing count reaches open_threshold and closes only when the count falls to
// close_threshold or below (close_threshold < open_threshold), so a count hovering at the threshold does not flap.
// A service counts as failing from its first event in a rate-limit window until that window empties.

export type BreakerState = 'closed' | 'open';

export interface BreakerTransition {
  to: BreakerState;
  at: number;
  failing_count: number;
  /** The service whose start or stop of failing caused the transition. */
  cause: string;
}

export interface RegionalBreaker {
  state: BreakerState;
  /** Services failing now, with when each started failing. */
  failing: Record<string, number>;
  /** Most recent transitions, newest last, capped. */
  transitions: BreakerTransition[];
}

export interface BreakerSettings {
  open_threshold: number;
  close_threshold: number;
}

export const maxTransitionsKept = 50;

export function closedBreaker(): RegionalBreaker {
  return { state: 'closed', failing: {}, transitions: [] };
}

export class BreakerSettingsError extends Error {
  override readonly name = 'BreakerSettingsError';
}

export function checkBreakerSettings(settings: BreakerSettings): void {
  if (!(settings.open_threshold >= 1 && settings.close_threshold >= 0)) {
    throw new BreakerSettingsError(`breaker thresholds must be positive: ${JSON.stringify(settings)}`);
  }
  if (settings.close_threshold >= settings.open_threshold) {
    throw new BreakerSettingsError(
      `breaker close_threshold (${settings.close_threshold}) must be below open_threshold (${settings.open_threshold})`,
    );
  }
}

/** Applies one service starting or stopping to fail; returns the new breaker and the transition, if any. */
export function reportService(
  breaker: RegionalBreaker,
  report: { service: string; failing: boolean; at: number },
  settings: BreakerSettings,
): { breaker: RegionalBreaker; transition?: BreakerTransition } {
  const failing = { ...breaker.failing };
  if (report.failing) failing[report.service] ??= report.at;
  else delete failing[report.service];
  const count = Object.keys(failing).length;
  let state = breaker.state;
  if (state === 'closed' && count >= settings.open_threshold) state = 'open';
  else if (state === 'open' && count <= settings.close_threshold) state = 'closed';
  if (state === breaker.state) return { breaker: { ...breaker, failing } };
  const transition: BreakerTransition = { to: state, at: report.at, failing_count: count, cause: report.service };
  const transitions = [...breaker.transitions, transition].slice(-maxTransitionsKept);
  return { breaker: { state, failing, transitions }, transition };
}
