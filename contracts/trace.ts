// The decision trace a remediation keeps and its `status` query returns: every gate's inputs and verdict, every
// runbook step's attempts. The audit API and CLI show exactly this.
import type { LazarusEvent } from '../core/event';
import type { Outcome } from '../core/outcome';

export type GateName =
  /** The event's region is one services/deployment.yaml declares. */
  | 'region'
  | 'stale'
  | 'rule'
  | 'governor'
  /** Shadow mode decided (configured, or set at runtime): 'shadow' verdict when on. */
  | 'shadow'
  | 'scaling'
  /** A scaling action refused because the service's cooldown since its last one has not passed. */
  | 'scaling_cooldown'
  /** A scaling action refused because a host of the service is being replaced. */
  | 'replacement_in_progress'
  | 'quorum'
  | 'acknowledge'
  | 'lock'
  /**
   * The regional breaker read again right before the runbook starts (with the lock claim): an event admitted just
   * before the breaker opened does not act just after it.
   */
  | 'breaker'
  | 'kill_switch'
  /** The page's acknowledgement window (occurred_at + ack_window): a decision reached after it is LATE. */
  | 'ack_window'
  /** A later alarm about a failure already counted: its page follows the remediation deciding for that failure. */
  | 'follow'
  | 'resolve'
  | 'escalate'
  | 'notify';

export interface GateRecord {
  gate: GateName;
  /** Workflow time (epoch ms). */
  at: number;
  verdict: 'pass' | 'fail' | 'skip' | 'shadow' | 'error';
  detail: Record<string, unknown>;
}

export interface AttemptRecord {
  attempt: number;
  started_at: number;
  ended_at?: number;
  error?: string;
  error_type?: string;
}

export interface StepRecord {
  id: string;
  activity: string;
  status: 'waiting' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'skipped' | 'shadow';
  input?: unknown;
  output?: unknown;
  error?: string;
  attempts: AttemptRecord[];
  started_at?: number;
  ended_at?: number;
  /**
   * What an unfinished attempt had done, as the activity reported it (the target groups a drain took the host out of,
   * the instance a clone launched). Kept in workflow state: the next attempt resumes from it, and a step stopped
   * half-way is compensated from it.
   */
  progress?: Record<string, unknown>;
  compensation?: { activity: string; status: 'succeeded' | 'failed'; error?: string; at: number };
}

export type RemediationPhase =
  'deciding' | 'waiting_for_quorum' | 'running' | 'paused' | 'compensating' | 'finishing' | 'done';

export interface RemediationStatus {
  workflow_id: string;
  incident_key: string;
  event: LazarusEvent;
  phase: RemediationPhase;
  started_at: number;
  /** When the page was acknowledged or escalated: the end of the decision. */
  decided_at?: number;
  outcome?: Outcome;
  reason?: string;
  snapshot_version?: string;
  rule?: string;
  runbook?: string;
  shadow: boolean;
  paused?: { reason: string; actor?: string; at: number };
  /** Workflow id of the runbook run (the lock key), once started. */
  runbook_workflow_id?: string;
  gates: GateRecord[];
  steps: StepRecord[];
  /** Pages of later events for the same resource that follow this remediation's fate. */
  following_pages: string[];
  /** LOCKED: the lock key of the running remediation this event's page now follows (instead of escalating). */
  page_follows?: string;
}
