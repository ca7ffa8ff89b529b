// Datadog monitor notifications through the Webhooks integration → a report. Datadog fills a payload template with
// its variables (docs.datadoghq.com/integrations/webhooks): the integration's default payload
//   {"body":"$EVENT_MSG","last_updated":"$LAST_UPDATED","event_type":"$EVENT_TYPE","title":"$EVENT_TITLE",
//    "date":"$DATE","org":{"id":"$ORG_ID","name":"$ORG_NAME"},"id":"$ID"}
// and any user template built from $ID, $ALERT_ID, $ALERT_TRANSITION, $ALERT_TYPE, $HOSTNAME, $TAGS, $ALERT_SCOPE,
// $EVENT_TITLE, $DATE, $AGGREG_KEY, ... under any of the key names sites use (the recommended one is in
// docs/sensors.md). JSON or "encode as form".
// Mapping:
// - transition: alert_transition ($ALERT_TRANSITION), else the "[Triggered]" / "[Triggered on {scope}]" prefix of
//   the title ($EVENT_TITLE). Triggered and Re-Triggered are events; Recovered, Warn, No Data, Re-Notify and the rest
//   are ignored (recorded). alert_type ($ALERT_TYPE) warning or success is ignored too.
// - host: hostname/host_name/host ($HOSTNAME), else the host: tag, else host: in the scope ($ALERT_SCOPE, or the
//   title's "on {host:...}"). An instance id is used as is; any other name (private DNS name, IP, Name tag) is
//   resolved to an instance through EC2 (resolve-report.ts).
// - tags: $TAGS ("k:v,k:v" or a list) and the scope; service, environment and region from the mapping's tag keys,
//   else from the instance's EC2 tags (services/sensors.yaml). A tag lazarus_event_type:<Type> chooses the event type
//   (default HealthcheckDown: Lazarus-facing monitors watch a health check).
// - occurred_at: date/last_updated ($DATE: epoch milliseconds; seconds and ISO 8601 accepted), else receivedAt.
// - incident_key: datadog/<alert id or aggregation key>/<host or service>/<$ID>: $ID is Datadog's id of this alert
//   event, so each (re-)trigger is its own remediation; a re-trigger while the host's remediation runs meets its host
//   lock and joins it (outcome LOCKED: the running remediation resolves or escalates the page too).
import { IgnoredSensorPayloadError, MalformedSensorPayloadError } from './errors';
import { boundedIncidentKey, instanceIdPattern } from './payload-fields';
import type { SensorReport } from './sensor-report';

export interface DatadogParseOptions {
  /** ISO 8601 time the payload arrived, used when no date is given. */
  receivedAt: string;
}

const actionableTransitions = new Set(['triggered', 're-triggered']);
const datadogKeys = [
  'alert_transition',
  'alert_id',
  'event_type',
  'title',
  'body',
  'org',
  'last_updated',
  'alert_type',
];

function text(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  // an unfilled template variable ("$HOSTNAME") or Datadog's empty value means absent
  return trimmed === '' || /^\$[A-Z_]+$/.test(trimmed) ? undefined : trimmed;
}

function first(payload: Record<string, unknown>, keys: readonly string[]): { key: string; value: string } | undefined {
  for (const key of keys) {
    const value = text(payload[key]);
    if (value !== undefined) return { key, value };
  }
  return undefined;
}

/** "k:v,k:v" (as Datadog renders $TAGS and $ALERT_SCOPE) or a list of "k:v": first value of each key. */
export function datadogTags(value: unknown, field: string): Map<string, string> {
  let list: string[];
  if (typeof value === 'string') list = value.split(',');
  else if (Array.isArray(value) && value.every((tag) => typeof tag === 'string')) list = value;
  else if (value === undefined || value === null) list = [];
  else throw new MalformedSensorPayloadError('datadog', field, 'expected "k:v,k:v" or a list of "k:v" strings');
  const tags = new Map<string, string>();
  for (const tag of list) {
    const separator = tag.indexOf(':');
    if (separator > 0) {
      const key = tag.slice(0, separator).trim();
      const tagValue = tag.slice(separator + 1).trim();
      if (!tags.has(key) && tagValue !== '') tags.set(key, tagValue);
    }
  }
  return tags;
}

/** The transition and scope in a notification title: "[Triggered on {host:web-1,env:prod}] Health check ...". */
export function titlePrefix(title: string | undefined): { transition?: string; scope?: string } {
  // a monitor with a priority renders it first: "[P1] [Triggered on {host:web-1}] ..."
  const match = /^\s*(?:\[P\d\]\s*)?\[([A-Za-z -]+?)(?: on \{([^}]*)\})?\]/.exec(title ?? '');
  if (!match) return {};
  return { transition: match[1].trim(), ...(match[2] !== undefined ? { scope: match[2] } : {}) };
}

function dateOf(value: string | undefined, receivedAt: string, field: string): string {
  if (value === undefined) return receivedAt;
  if (/^\d+$/.test(value)) {
    const numeric = Number(value);
    return new Date(numeric < 1e11 ? numeric * 1000 : numeric).toISOString();
  }
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw new MalformedSensorPayloadError('datadog', field, `"${value}" is not epoch time or ISO 8601`);
  }
  return new Date(parsed).toISOString();
}

/** Is this a Datadog webhook body (the default payload or a template using Datadog's variables)? */
export function looksLikeDatadog(value: unknown): value is Record<string, unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    datadogKeys.some((key) => key in (value as Record<string, unknown>))
  );
}

/** Turn a Datadog webhook into a report; throws Malformed/IgnoredSensorPayloadError. */
export function datadogReport(json: unknown, options: DatadogParseOptions): SensorReport {
  if (!looksLikeDatadog(json)) {
    throw new MalformedSensorPayloadError(
      'datadog',
      '<root>',
      `not a Datadog webhook payload (none of ${datadogKeys.join(', ')})`,
      'unknown_shape',
    );
  }
  const payload = json;
  const title = first(payload, ['title', 'event_title', 'alert_title']);
  const prefix = titlePrefix(title?.value);
  const transitionField = first(payload, ['alert_transition', 'transition']);
  const transition = transitionField?.value ?? prefix.transition;
  const alertType = first(payload, ['alert_type'])?.value?.toLowerCase();
  const format = transitionField ? 'datadog-template' : 'datadog-default';
  if (transition === undefined) {
    throw new MalformedSensorPayloadError(
      'datadog',
      'alert_transition',
      'missing: no $ALERT_TRANSITION, and the title has no "[Triggered]" prefix',
    );
  }
  if (!actionableTransitions.has(transition.toLowerCase())) {
    throw new IgnoredSensorPayloadError(
      'datadog',
      `alert transition "${transition}" reports nothing to remediate`,
      transition.toLowerCase().replace(/[^a-z]+/g, '_'),
    );
  }
  if (alertType === 'warning' || alertType === 'success' || alertType === 'info') {
    throw new IgnoredSensorPayloadError('datadog', `alert type "${alertType}" reports nothing to remediate`, alertType);
  }
  const tags = datadogTags(payload.tags, 'tags');
  const scopeText = first(payload, ['alert_scope', 'scope'])?.value ?? prefix.scope;
  for (const [key, value] of datadogTags(scopeText, 'alert_scope')) if (!tags.has(key)) tags.set(key, value);
  const hostField = first(payload, ['hostname', 'host_name', 'host']);
  const hostName = hostField?.value ?? tags.get('host');
  const host =
    hostName === undefined
      ? undefined
      : instanceIdPattern.test(hostName)
        ? { instance_id: hostName, field: hostField?.key ?? 'tags' }
        : { name: hostName, field: hostField?.key ?? 'tags' };
  const alertId = first(payload, ['alert_id', 'aggreg_key', 'aggregation_key'])?.value;
  const eventId = first(payload, ['id', 'event_id'])?.value;
  const dateField = first(payload, ['date', 'last_updated']);
  const occurredAt = dateOf(dateField?.value, options.receivedAt, dateField?.key ?? 'date');
  const subject = hostName ?? tags.get('service') ?? 'monitor';
  const eventType = tags.get('lazarus_event_type') ?? 'HealthcheckDown';
  const payloadTags = Object.fromEntries(tags);
  return {
    sensor: 'datadog',
    format,
    incident_key: boundedIncidentKey(
      `datadog/${alertId ?? 'alert'}/${subject}/${eventId ?? occurredAt}`.replace(/\s+/g, '_'),
    ),
    event_type: eventType,
    ...(host ? { host } : {}),
    payload_tags: payloadTags,
    payload_attributes: {},
    occurred_at: occurredAt,
    details: {
      alert_transition: transition,
      ...(alertId === undefined ? {} : { alert_id: alertId }),
      ...(eventId === undefined ? {} : { datadog_event_id: eventId }),
      ...(title === undefined ? {} : { title: title.value.slice(0, 500) }),
      ...(scopeText === undefined ? {} : { alert_scope: scopeText.slice(0, 500) }),
    },
    unmapped: 'dead_letter',
  };
}
