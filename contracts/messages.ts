// Signals, queries and updates shared by the workflows and their clients (CLI, REST API, activities).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ControlState, KillSwitchScope, SwitchSetting } from '../core/control';
import type { NotificationChannels } from '../core/resolved-config';
import type { BreakerSettings, BreakerTransition, RegionalBreaker, RateLimitVerdict } from '../core/governor';
import type { RemediationStatus } from './trace';

// Remediation (workflow id event/<incident key>) and its runbook child (lock/...):
// `temporal workflow signal -w event/<key> --name pause` etc.
export const pauseSignal = defineSignal<[{ reason?: string; actor?: string }?]>('pause');
export const resumeSignal = defineSignal<[{ actor?: string }?]>('resume');
export const cancelSignal = defineSignal<[{ reason?: string; actor?: string }?]>('cancel');
export const statusQuery = defineQuery<RemediationStatus>('status');
/** Sent to a running runbook by a later event for the same resource: resolve that page too when done. */
export const followPageSignal = defineSignal<[FollowingPage]>('followPage');

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
}
export interface AdmitVerdict {
  rate_limit: RateLimitVerdict;
  /** When this service last completed a scaling action (for the cooldown). */
  last_scaling_at?: number;
  breaker: { state: RegionalBreaker['state']; failing_count: number; failing: string[] };
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
export type { BreakerTransition };

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
