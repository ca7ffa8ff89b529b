// Replay drills: recorded events run through the real remediate workflow in a sandbox (its own governors, control,
// locks and quarantine under drill/<id>/, dry-run activities on the drill task queue). The drill's input, its
// report and the messages its dry-run activities and clients use.
import { defineQuery } from '@temporalio/workflow';
import type { ConfigFileText } from '../core/config/config-files';
import type { LazarusEvent } from '../core/event';
import type { GateName } from './trace';

/** What actually happened to a recorded production event (from its remediation event/<key>). */
export interface DrillActual {
  workflow_id: string;
  outcome?: string;
  /** First gate whose verdict was fail (absent when none stopped it). */
  stopped_at?: GateName;
  /** The regional breaker's state as the governor gate saw it. */
  breaker?: 'open' | 'closed';
  rule?: string;
  /**
   * When the recorded remediation ended (epoch ms). An event received after it is replayed only once this event's
   * drill remediation has ended too, so what happened one after the other in production does so in the drill.
   */
  ended_at?: number;
}

export interface DrillEvent {
  event: LazarusEvent;
  /** When Lazarus received it (epoch ms); the replay keeps the gaps between these. Default: the event's occurred_at. */
  received_at?: number;
  actual?: DrillActual;
}

/** How the checker nodes answer in a drill: the drill cannot probe last Tuesday's fleet. */
export type DrillPreconditions = 'pass' | 'fail' | 'recorded';
export const drillPreconditionModes: readonly DrillPreconditions[] = ['pass', 'fail', 'recorded'];

export interface DrillInput {
  drill_id: string;
  /** The drill worker's queue (dry-run activities): contracts drillTaskQueue(main queue). */
  task_queue: string;
  events: DrillEvent[];
  /** Timing compression: 1 keeps the recorded gaps; 60 replays an hour in a minute (windows shrink by the same). */
  speed: number;
  preconditions: DrillPreconditions;
  /** A candidate configuration folder's files; absent: the live configuration. */
  candidate?: { label: string; files: ConfigFileText[] };
  /** Who started it and what it is for. */
  actor: string;
  label?: string;
  /** Most remediations of the drill in flight at once. */
  max_in_flight?: number;
}

/** What the dry-run activities need to know of their drill (its query). */
export interface DrillSettings {
  drill_id: string;
  speed: number;
  preconditions: DrillPreconditions;
  candidate?: { label: string; files: ConfigFileText[] };
  /** Recorded quorum verdicts by incident key (preconditions: recorded). */
  recorded_quorum: Record<string, 'passed' | 'failed'>;
}

export interface DrillAction {
  id: string;
  activity: string;
  input?: unknown;
}

export interface DrillRow {
  index: number;
  incident_key: string;
  service: string;
  host?: string;
  region: string;
  event_type: string;
  /** Offset from the first event, as recorded (ms). */
  offset_ms: number;
  workflow_id: string;
  outcome: string;
  reason?: string;
  rule?: string;
  /** The first gate whose verdict was fail; for SHADOW the shadow gate. */
  stopped_at?: GateName;
  stopped_detail?: Record<string, unknown>;
  breaker?: 'open' | 'closed';
  rate_limit?: { count: number; threshold: number; limited: boolean };
  /** Runbook steps that would have run (dry run), with their resolved inputs. */
  actions: DrillAction[];
  actual?: DrillActual;
  /** Outcome or stopping gate differs from what actually happened. */
  differs?: boolean;
}

export interface DrillReport {
  drill_id: string;
  label?: string;
  actor: string;
  config: string;
  speed: number;
  preconditions: DrillPreconditions;
  started_at: number;
  finished_at: number;
  events: number;
  outcomes: Record<string, number>;
  /** The event at which the regional breaker would have opened (first event that saw it open), per region. */
  breaker_opened: Array<{ region: string; index: number; incident_key: string; failing_count?: number }>;
  /** Where it actually opened, for recorded events. */
  actual_breaker_opened: Array<{ region: string; index: number; incident_key: string }>;
  rate_limited: Array<{ service: string; events: number; first_index: number }>;
  /** Events whose runbook would have run, with the actions. */
  would_act: Array<{ index: number; incident_key: string; rule?: string; actions: DrillAction[] }>;
  /** Recorded events whose drill outcome or stopping gate differs from what actually happened. */
  differences: Array<{ index: number; incident_key: string; drill: string; actual: string }>;
  rows: DrillRow[];
}

export interface DrillProgress {
  drill_id: string;
  phase: 'replaying' | 'cleaning_up' | 'done';
  started: number;
  finished: number;
  total: number;
}

export const drillSettingsQuery = defineQuery<DrillSettings>('drillSettings');
export const drillProgressQuery = defineQuery<DrillProgress>('drillProgress');

/** Workflow types of a drill's sandboxed workflows: not the production types, so no production list or view sees them. */
export const drillWorkflowTypes = {
  remediation: 'drillRemediation',
  serviceGovernor: 'drillServiceGovernor',
  regionalGovernor: 'drillRegionalGovernor',
  control: 'drillControl',
  quarantine: 'drillQuarantine',
} as const;

/** Most events one drill replays (the drill workflow's history holds a row for each). */
export const maxDrillEvents = 1000;
