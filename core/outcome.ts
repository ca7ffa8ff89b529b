// The one recorded outcome every remediation ends in.

export const Outcome = {
  Remediated: 'REMEDIATED',
  Shadow: 'SHADOW',
  NoRule: 'NO_RULE',
  Stale: 'STALE',
  RateLimited: 'RATE_LIMITED',
  CircuitOpen: 'CIRCUIT_OPEN',
  PreconditionFailed: 'PRECONDITION_FAILED',
  QuorumTimeout: 'QUORUM_TIMEOUT',
  Locked: 'LOCKED',
  KillSwitch: 'KILL_SWITCH',
  StepFailed: 'STEP_FAILED',
  TimedOut: 'TIMED_OUT',
  Cancelled: 'CANCELLED',
  /**
   * No decision within the page's acknowledgement window (occurred_at + ack_window, 60 s unless the service sets
   * it): Lazarus neither acknowledged nor acted, and left a note on the page for the on-call engineer.
   */
  Late: 'LATE',
  /**
   * Lazarus itself failed to decide or act: a dependency out of retries (configuration, governor, census), an
   * unexpected error in workflow code, a runbook run that failed. Compensated, escalated, lock released like any other.
   */
  Failed: 'FAILED',
} as const;

export type Outcome = (typeof Outcome)[keyof typeof Outcome];

export const allOutcomes: readonly Outcome[] = Object.values(Outcome);

/** Every outcome but these escalates the page to on-call at once. */
export function isSuccessfulOutcome(outcome: Outcome): boolean {
  return outcome === Outcome.Remediated || outcome === Outcome.Shadow;
}
