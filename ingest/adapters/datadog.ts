// Datadog monitor webhooks → events. The webhook integration's payload template is ours to choose; we expect
//   {"id":"$ID","alert_id":"$ALERT_ID","alert_transition":"$ALERT_TRANSITION","alert_type":"$ALERT_TYPE",
//    "title":"$EVENT_TITLE","date":"$DATE","hostname":"$HOSTNAME","alert_scope":"$ALERT_SCOPE","tags":"$TAGS"}
// Mapping:
// - alert_transition Triggered or Re-Triggered is an event; Recovered, Warn, No Data and the rest are ignored.
// - tags ("k:v,k:v" as Datadog renders $TAGS, or an array) carry service:, host: (instance id), region: and env:
//   (production/staging/development accepted); hostname is the fallback for host. region and env fall back to the
//   caller's defaults. A tag lazarus_event_type:<Type> chooses the event type; the default is HealthcheckDown,
//   because Lazarus-facing monitors watch a health check.
// - occurred_at: date (Datadog's $DATE: epoch milliseconds; seconds and ISO 8601 accepted), else receivedAt.
// - incident_key: datadog/<alert_id>/<host or service>/<id>: $ID is Datadog's id of this alert event, so each
//   (re-)trigger is its own incident (a finished remediation's key is never started again) while a second trigger
//   during a running remediation is held by the host/service lock. Without id: datadog/<alert_id>/<host or service>.
import type { LazarusEvent } from '../../core';
import { IgnoredSensorPayloadError, MalformedSensorPayloadError } from './errors';
import {
  asRecord,
  boundedIncidentKey,
  instanceIdPattern,
  normalizeEnvironment,
  optionalString,
  requiredString,
  validatedEvent,
} from './payload-fields';

export interface DatadogAdapterOptions {
  region?: string;
  environment?: string;
  /** ISO 8601 time the payload arrived, used when date is absent. */
  receivedAt?: string;
}

const actionableTransitions = new Set(['triggered', 're-triggered']);

function tagsOf(value: unknown): Map<string, string> {
  let list: string[];
  if (typeof value === 'string') {
    list = value.split(',');
  } else if (Array.isArray(value) && value.every((tag) => typeof tag === 'string')) {
    list = value;
  } else if (value === undefined) {
    list = [];
  } else {
    throw new MalformedSensorPayloadError('datadog', 'tags', 'expected "k:v,k:v" or a list of "k:v" strings');
  }
  const tags = new Map<string, string>();
  for (const tag of list) {
    const separator = tag.indexOf(':');
    if (separator > 0) {
      const key = tag.slice(0, separator).trim();
      if (!tags.has(key)) {
        tags.set(key, tag.slice(separator + 1).trim());
      }
    }
  }
  return tags;
}

function dateOf(value: unknown, receivedAt: string | undefined): string {
  if (value === undefined || value === null || value === '') {
    if (receivedAt === undefined) {
      throw new MalformedSensorPayloadError('datadog', 'date', 'missing, and no receivedAt was given');
    }
    return receivedAt;
  }
  const text = typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
  const numeric = typeof value === 'number' ? value : /^\d+$/.test(text) ? Number(text) : undefined;
  if (numeric !== undefined) {
    return new Date(numeric < 1e11 ? numeric * 1000 : numeric).toISOString();
  }
  const parsed = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(parsed)) {
    throw new MalformedSensorPayloadError('datadog', 'date', `"${text}" is not epoch time or ISO 8601`);
  }
  return new Date(parsed).toISOString();
}

/** Turn a Datadog monitor webhook into an event; throws Malformed/IgnoredSensorPayloadError. */
export function fromDatadogWebhook(json: unknown, options: DatadogAdapterOptions = {}): LazarusEvent {
  const payload = asRecord('datadog', json, '<root>');
  const alertIdValue = payload.alert_id;
  const alertId =
    typeof alertIdValue === 'number' ? String(alertIdValue) : requiredString('datadog', payload, 'alert_id');
  const transition = requiredString('datadog', payload, 'alert_transition');
  if (!actionableTransitions.has(transition.toLowerCase())) {
    throw new IgnoredSensorPayloadError('datadog', `alert_transition "${transition}" reports nothing to remediate`);
  }
  const tags = tagsOf(payload.tags);
  const service = tags.get('service');
  if (service === undefined) {
    throw new MalformedSensorPayloadError('datadog', 'tags', 'no service:<name> tag');
  }
  const hostTag = tags.get('host') ?? optionalString('datadog', payload, 'hostname');
  if (hostTag !== undefined && !instanceIdPattern.test(hostTag)) {
    throw new MalformedSensorPayloadError('datadog', 'tags', `host "${hostTag}" is not an instance id`);
  }
  const region = tags.get('region') ?? options.region;
  if (region === undefined) {
    throw new MalformedSensorPayloadError('datadog', 'tags', 'no region:<region> tag, and no default was configured');
  }
  const environment = tags.get('env') ?? tags.get('environment') ?? options.environment;
  if (environment === undefined) {
    throw new MalformedSensorPayloadError('datadog', 'tags', 'no env:<environment> tag, and no default was configured');
  }
  const title = optionalString('datadog', payload, 'title');
  const alertEventId = typeof payload.id === 'number' ? String(payload.id) : optionalString('datadog', payload, 'id');
  return validatedEvent('datadog', {
    incident_key: boundedIncidentKey(
      `datadog/${alertId}/${hostTag ?? service}${alertEventId === undefined ? '' : `/${alertEventId}`}`,
    ),
    event_type: tags.get('lazarus_event_type') ?? 'HealthcheckDown',
    source: 'datadog',
    service,
    ...(hostTag === undefined ? {} : { host: hostTag }),
    region,
    environment: normalizeEnvironment('datadog', environment, 'tags'),
    occurred_at: dateOf(payload.date, options.receivedAt),
    details: {
      alert_id: alertId,
      alert_transition: transition,
      ...(title === undefined ? {} : { title: title.slice(0, 500) }),
      ...(typeof payload.alert_scope === 'string' ? { alert_scope: payload.alert_scope } : {}),
    },
  });
}
