// The event: the one contract every sensor adapter, the REST API, the Kinesis bridge and the workflow share.
// The JSON Schema that validates it at the edge lives in core/schemas/event.schema.json.

export const knownEventTypes = [
  'NagiosHostAlarm',
  'HealthcheckDown',
  'AWSScheduledEvent',
  'ScaleUp',
  'ScaleDown',
] as const;
export type KnownEventType = (typeof knownEventTypes)[number];

export const eventSources = ['nagios', 'datadog', 'aws', 'cli', 'console', 'api'] as const;
export type EventSource = (typeof eventSources)[number];

export const environments = ['dev', 'stage', 'prod'] as const;
export type Environment = (typeof environments)[number];

export type HostStateType = 'HARD' | 'SOFT';

/** PagerDuty dedup key and the key of the remediation workflow: at most 200 bytes of UTF-8, no control characters (checked at the edge). */
export type IncidentKey = string;

export interface LazarusEvent {
  incident_key: IncidentKey;
  /** A known type or one added by configuration. */
  event_type: string;
  source: EventSource;
  service: string;
  /** Instance id; absent for service-level events (scaling). */
  host?: string;
  region: string;
  environment: Environment;
  /** ISO 8601. */
  occurred_at: string;
  host_state_type?: HostStateType;
  /** Free, size-limited. ScaleUp/ScaleDown carry `delta` or `target` and `reason` here. */
  details?: Record<string, unknown>;
}
