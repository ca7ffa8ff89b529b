// Signals, queries and updates shared by the workflows and their clients (CLI, REST API, activities).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ControlState, KillSwitchScope, SwitchSetting } from '../core/control';
import type { NotificationChannels } from '../core/resolved-config';
import type {
  BreakerSettings,
  BreakerTransition,
  FailureVerdict,
  LockGrant,
  LockRequest,
  RegionalBreaker,
} from '../core/governor';
import type { KillSwitchCategory } from '../core/resolved-config';
import type { RemediationStatus } from './trace';

// Remediation (workflow id event/<incident key>) and its runbook child (lock/...):
// `temporal workflow signal -w event/<key> --name pause` etc.
export const pauseSignal = defineSignal<[{ reason?: string; actor?: string }?]>('pause');
export const resumeSignal = defineSignal<[{ actor?: string }?]>('resume');
export const cancelSignal = defineSignal<[{ reason?: string; actor?: string }?]>('cancel');
export const statusQuery = defineQuery<RemediationStatus>('status');
/** Sent to a running runbook by a later event for the same resource: resolve that page too when done. */
export const followPageSignal = defineSignal<[FollowingPage]>('followPage');
/**
 * Sent (from an activity) to the remediation deciding for a failure by a later alarm about the same failure: its
 * page follows that remediation (resolved or escalated with its own). `accepted: false` once the remediation is
 * settling its pages: the alarm then decides for itself.
 */
export const followRemediationUpdate = defineUpdate<{ accepted: boolean }, [FollowingPage]>('followRemediation');

export interface FollowingPage {
  incident_key: string;
  workflow_id: string;
}

// Service governor (governor/service/<svc>).
export interface AdmitRequest {
  incident_key: string;
  service: string;
  region: string;
  threshold: number;
  window_ms: number;
  breaker: BreakerSettings & { window_ms: number };
  /** The deployment's channels for breaker transitions. */
  breaker_notifications?: NotificationChannels;
  /**
   * What failed (failureOf: the host, or `service:<svc>`): the rate limit counts distinct failures, a host once.
   * Absent (requests from before): the incident key, so every event counts.
   */
  failure?: string;
  /**
   * The rule's category. Only failures count toward the rate limit and the breaker: an `autoscaling` event is not
   * counted and never starts the service failing; it reads the breaker and its cooldown only.
   */
  category?: KillSwitchCategory;
  /** The lock the event's runbook would take: when the event is refused, whether its holder runs is told back. */
  lock_id?: string;
}
export interface AdmitVerdict {
  rate_limit: FailureVerdict;
  /** When this service last completed a scaling action (for the cooldown). */
  last_scaling_at?: number;
  breaker: { state: RegionalBreaker['state']; failing_count: number; failing: string[] };
  /**
   * Only when the event is refused (rate limit or breaker) and named its lock: whether a runbook holds that lock now
   * (the host is being fixed: the alarm follows it instead of paging on-call).
   */
  lock_running?: boolean;
  /**
   * From the service governor, when the request named its lock: whether that lock is granted now. A lock not granted
   * has no runbook running under it, so the caller skips asking Temporal; absent (a governor from before), it asks.
   */
  lock_held?: boolean;
}
export const admitUpdate = defineUpdate<AdmitVerdict, [AdmitRequest]>('admit');
export interface ServiceGovernorState {
  service: string;
  region?: string;
  events: number[];
  failing: boolean;
  counted: number;
  last_breaker?: AdmitVerdict['breaker'];
}
export const serviceGovernorQuery = defineQuery<ServiceGovernorState>('serviceGovernor');
/** A scaling action of the service completed at `at` (starts its cooldown). */
export const recordScalingUpdate = defineUpdate<void, [{ at: number; workflow_id: string }]>('recordScaling');
/**
 * The service's locks (core/governor/service-locks.ts): a service lock excludes every host lock of the service and
 * the reverse. Acquired by a remediation right before its runbook child starts, released when the child ends.
 */
export interface LockAnswer {
  granted: boolean;
  conflicts: LockGrant[];
}
export const acquireLockUpdate = defineUpdate<LockAnswer, [LockRequest]>('acquireLock');
export const releaseLockUpdate = defineUpdate<void, [{ holder: string; lock_id?: string }]>('releaseLock');
export const serviceLocksQuery = defineQuery<LockGrant[]>('serviceLocks');
/** The regional governor pushes its breaker state to each failing service's governor (on report and transition). */
export const breakerStateSignal = defineSignal<[AdmitVerdict['breaker']]>('breakerState');

// Regional governor (governor/region/<region>).
export interface ServiceReport {
  service: string;
  failing: boolean;
  at: number;
  breaker: BreakerSettings;
  notifications?: NotificationChannels;
}
export const reportServiceUpdate = defineUpdate<AdmitVerdict['breaker'], [ServiceReport]>('reportService');
export const reportServiceSignal = defineSignal<[ServiceReport]>('reportService');
export interface RegionalGovernorState extends RegionalBreaker {
  region: string;
}
export const regionalGovernorQuery = defineQuery<RegionalGovernorState>('regionalGovernor');
/**
 * The regional governor's memo key holding its breaker state, set in the same workflow task as each transition: an
 * admission reads it with DescribeWorkflowExecution (no workflow task, no history event, no per-workflow funnel), so
 * once the breaker is open no later admission in the region passes. A region without a memo (never opened) is closed.
 */
export const breakerMemoKey = 'lazarus_breaker';
export type BreakerMemo = AdmitVerdict['breaker'] & {
  /** When the state last changed (the transition's time). */
  since: number;
};
export type { BreakerTransition, LockGrant, LockRequest };

// Control (control/<region>): kill switch and shadow mode.
export type { ControlState, KillSwitchScope, SwitchSetting };
export interface SetKillSwitchRequest {
  scope: KillSwitchScope;
  enabled: boolean;
  reason: string;
  actor: string;
}
export interface SetShadowRequest {
  scope: string;
  enabled: boolean;
  reason: string;
  actor: string;
}
export const setKillSwitchUpdate = defineUpdate<ControlState, [SetKillSwitchRequest]>('setKillSwitch');
export const setShadowUpdate = defineUpdate<ControlState, [SetShadowRequest]>('setShadow');
export const controlQuery = defineQuery<ControlState>('control');
