// The bodies the REST API takes and answers with (docs/api.md): one definition, used by the route handlers and read
// by the CLI (the only file of api/ that cli/ may import). Types only.
import type { ControlState, SwitchSetting } from '../core/control';
import type { DeadLetterEntry, DeadLetterReason, DeadLetterReplay, DeadLetterStatus } from '../contracts/dead-letter';
import type { RegionalGovernorState, ServiceGovernorState } from '../contracts/messages';
import type { QuarantineState } from '../core/quarantine';
export type { DrillReport, DrillRow } from '../contracts/drill';
export type { QuarantineRelease } from '../core/quarantine';
import type { RemediationStatus } from '../contracts/trace';

/** Every failure: `{ "error": { "code", "message" } }` (never a stack trace). */
export interface ApiErrorBody {
  error: { code: string; message: string };
  /**
   * Every error the API answers carries it (also in the x-request-id header); the server log holds the internal
   * detail under it. Absent only on errors a client makes up itself (the API was unreachable).
   */
  request_id?: string;
}

/** POST /v1/events (and a dead-letter replay): where the event went. */
export interface SubmissionReceipt {
  incident_key: string;
  /** Kinesis sequence number; null when the API started the remediation itself (no stream configured). */
  sequence_number: string | null;
  workflow_id: string;
  /** Only without a stream: the remediation of this incident key was already started. */
  duplicate?: boolean;
}

/**
 * POST /v1/sensors/{sensor}: the events the payload mapped to; why it held nothing to remediate; an SNS subscription
 * confirmation; or the dead letter it was kept as (reason: contracts/dead-letter.ts sensorDeadLetterReasons).
 */
export type SensorSubmission =
  | { events: SubmissionReceipt[] }
  | { ignored: string }
  | { subscription: { confirmed: boolean; topic_arn: string; reason: string } }
  | { dead_letter: string; reason: DeadLetterReason; field: string; detail: string; duplicate?: true };

/** One remediation of GET /v1/events, from Temporal visibility. */
export interface RemediationSummary {
  incident_key: string;
  workflow_id: string;
  /** Temporal execution status: RUNNING, COMPLETED, FAILED, TERMINATED, ... */
  status: string;
  outcome?: string;
  service?: string;
  host?: string;
  region?: string;
  event_type?: string;
  rule?: string;
  started_at: string;
  closed_at?: string;
}

/** GET /v1/events. */
export interface RemediationList {
  events: RemediationSummary[];
}

/** GET /v1/events/{incident_key}. */
export interface RemediationDetail {
  incident_key: string;
  workflow_id: string;
  /** Temporal execution status (RUNNING, COMPLETED, ...). */
  status: string;
  /** Outcome name; absent while the remediation runs. */
  outcome?: string;
  phase?: string;
  reason?: string;
  /**
   * Where `trace.steps` come from. `runbook`: the runbook run, queried live while it runs (its steps with their
   * attempts; its gates follow the remediation's). `remediation`: the remediation's own status: before the runbook
   * starts, once it has ended, or when the runbook run could not be read (then `runbook_unavailable` says why and the
   * steps are empty until the remediation takes them from the ended run).
   */
  steps_source: StepsSource;
  /** Only with `steps_source: 'remediation'` while a runbook runs: why its run was not read (closed, no answer). */
  runbook_unavailable?: string;
  /** The decision trace: the workflow's `status` query (or its result once finished), with the runbook's live part. */
  trace: RemediationStatus | null;
}

export type StepsSource = 'runbook' | 'remediation';

export type RemediationAction = 'pause' | 'resume' | 'cancel';

/** The body of POST /v1/events/{incident_key}/{action} (optional). */
export interface SignalRequest {
  reason?: string;
}

/** POST /v1/events/{incident_key}/{action}: the signal was delivered. */
export interface SignalReceipt {
  incident_key: string;
  workflow_id: string;
  action: RemediationAction;
  actor: string;
}

/** The body of PUT /v1/killswitch and PUT /v1/shadow. */
export interface SwitchChange {
  scope: string;
  enabled: boolean;
  reason: string;
}

/** GET /v1/killswitch, and PUT /v1/killswitch and /v1/shadow: the region's control state after the change. */
export type { ControlState, SwitchSetting };

/** One audited change of a control entity (GET /v1/killswitch/history). */
export interface ControlHistoryEntry {
  kind: 'kill_switch' | 'shadow';
  /** global, host_replacement, autoscaling; for shadow also profile:<name>, service:<name>. */
  scope: string;
  enabled: boolean;
  /** Who: `<role>:<token id>` of the API caller. */
  actor: string;
  /** When: epoch milliseconds. */
  at: number;
  /** Why (at most 500 characters). */
  reason: string;
}

/** GET /v1/killswitch/history: a region's (or all-regions') changes, newest first. */
export interface ControlHistory {
  region: string;
  history: ControlHistoryEntry[];
  /** Changes the entity holds (it keeps at most `kept_at_most`, dropping the oldest). */
  total: number;
  kept_at_most: number;
}

/** A service governor the view could not read, and why. */
export interface GovernorUnavailable {
  service: string;
  /** The region it was started for, when known. */
  region?: string;
  error: string;
}

/** GET /v1/governor. */
export interface GovernorView {
  region: string;
  /** The regional breaker with its transitions; null while no service of the region has failed. */
  breaker: RegionalGovernorState | null;
  services: ServiceGovernorState[];
  /** Service governors that did not answer within the bound (their worker gone, their queue not polled). */
  unavailable?: GovernorUnavailable[];
  /** The region's rule quarantine (rules in shadow because their runbook failed too often); absent from older APIs. */
  quarantine?: QuarantineState;
}

/** One dead letter of GET /v1/deadletters. */
export interface DeadLetterSummary {
  id: string;
  workflow_id: string;
  status: DeadLetterStatus;
  /** Temporal's execution status: RUNNING while pending, COMPLETED once replayed or expired (TERMINATED: by hand). */
  workflow_status: string;
  reason?: DeadLetterReason;
  detail?: string;
  stream?: string;
  shard_id?: string;
  sequence_number?: string;
  /** A vendor payload's dead letter: the route it was posted to. */
  route?: string;
  size_bytes?: number;
  dead_lettered_at?: string;
  closed_at?: string;
  replay?: DeadLetterReplay;
}

/** GET /v1/deadletters. */
export interface DeadLetterList {
  dead_letters: DeadLetterSummary[];
}

/** GET /v1/deadletters/{id}: the entry with its payload. */
export interface DeadLetterDetail extends DeadLetterEntry {
  workflow_id: string;
  status: DeadLetterStatus;
  workflow_status: string;
  /** The payload decoded, when its bytes are UTF-8 text. */
  payload_text?: string;
  closed_at?: string;
  replay?: DeadLetterReplay;
}

/** The body of POST /v1/deadletters/{id}/replay (optional): the corrected event, else the stored payload is used. */
export interface DeadLetterReplayRequest {
  payload?: unknown;
}

/** POST /v1/deadletters/{id}/replay: the submission, and the dead letter marked replayed. */
export interface DeadLetterReplayReceipt extends SubmissionReceipt {
  dead_letter: { id: string; status: DeadLetterStatus; replay: DeadLetterReplay };
  /** A vendor payload's dead letter may map to several events (AWS Health: one per instance): all of them. */
  events?: SubmissionReceipt[];
}

/** GET /healthz. */
export interface Health {
  ok: true;
}
