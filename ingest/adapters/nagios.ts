// Nagios notifications → events. The notification command posts the standard macros as JSON, e.g.
//   {"NOTIFICATIONTYPE":"$NOTIFICATIONTYPE$","HOSTNAME":"$HOSTNAME$","HOSTSTATE":"$HOSTSTATE$",
//    "HOSTSTATETYPE":"$HOSTSTATETYPE$","HOSTPROBLEMID":"$HOSTPROBLEMID$","TIMET":"$TIMET$", ...,
//    "_HOSTINSTANCE_ID":"$_HOSTINSTANCE_ID$","_HOSTSERVICE":"$_HOSTSERVICE$", ...}
// Mapping:
// - only PROBLEM notifications are events; RECOVERY, ACKNOWLEDGEMENT, FLAPPING*, DOWNTIME* are ignored.
// - a host notification (no SERVICEDESC) with HOSTSTATE DOWN or UNREACHABLE is a NagiosHostAlarm, its
//   host_state_type is HOSTSTATETYPE. A service notification in CRITICAL is a HealthcheckDown when SERVICEDESC names a
//   health check (contains "health"), else a NagiosServiceAlarm (a type configuration may add rules for);
//   host_state_type is SERVICESTATETYPE. WARNING, OK and UNKNOWN are ignored.
// - host: the custom variable _HOSTINSTANCE_ID, else HOSTNAME when it is an instance id.
// - service, region, environment: the custom variables _HOSTSERVICE, _HOSTREGION, _HOSTENVIRONMENT, else the
//   defaults the caller passes (one Nagios per region and environment is common).
// - occurred_at: TIMET (Unix seconds of the notification), else the caller's receivedAt.
// - incident_key: nagios/<HOSTNAME>/<SERVICEDESC or "host">/<problem id>: Nagios keeps the problem id for every
//   re-notification of one problem, so re-notifications dedupe into one remediation.
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

export interface NagiosAdapterOptions {
  /** Used when the host has no _SERVICE custom variable. */
  service?: string;
  region?: string;
  environment?: string;
  /** ISO 8601 time the payload arrived, used when TIMET is absent. */
  receivedAt?: string;
}

const stateTypes = ['HARD', 'SOFT'] as const;

function stateType(value: string, field: string): 'HARD' | 'SOFT' {
  const upper = value.toUpperCase();
  if (!(stateTypes as readonly string[]).includes(upper)) {
    throw new MalformedSensorPayloadError('nagios', field, `"${value}" is not HARD or SOFT`);
  }
  return upper as 'HARD' | 'SOFT';
}

function occurredAt(payload: Record<string, unknown>, receivedAt: string | undefined): string {
  const timet = payload.TIMET;
  if (timet !== undefined && timet !== '') {
    const seconds = typeof timet === 'number' ? timet : Number(timet);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new MalformedSensorPayloadError('nagios', 'TIMET', `${JSON.stringify(timet)} is not Unix seconds`);
    }
    return new Date(seconds * 1000).toISOString();
  }
  if (receivedAt === undefined) {
    throw new MalformedSensorPayloadError('nagios', 'TIMET', 'missing, and no receivedAt was given');
  }
  return receivedAt;
}

/** Turn a Nagios host or service notification into an event; throws Malformed/IgnoredSensorPayloadError. */
export function fromNagiosNotification(json: unknown, options: NagiosAdapterOptions = {}): LazarusEvent {
  const payload = asRecord('nagios', json, '<root>');
  const notificationType = requiredString('nagios', payload, 'NOTIFICATIONTYPE').toUpperCase();
  if (notificationType !== 'PROBLEM') {
    throw new IgnoredSensorPayloadError('nagios', `${notificationType} notifications report nothing to remediate`);
  }
  const hostName = requiredString('nagios', payload, 'HOSTNAME');
  const serviceDescription = optionalString('nagios', payload, 'SERVICEDESC');

  let eventType: string;
  let hostStateType: 'HARD' | 'SOFT';
  let problemId: string | undefined;
  let output: string | undefined;
  let state: string;
  if (serviceDescription === undefined) {
    state = requiredString('nagios', payload, 'HOSTSTATE').toUpperCase();
    if (state === 'UP') {
      throw new IgnoredSensorPayloadError('nagios', `host ${hostName} is UP`);
    }
    if (state !== 'DOWN' && state !== 'UNREACHABLE') {
      throw new MalformedSensorPayloadError('nagios', 'HOSTSTATE', `"${state}" is not UP, DOWN or UNREACHABLE`);
    }
    eventType = 'NagiosHostAlarm';
    hostStateType = stateType(requiredString('nagios', payload, 'HOSTSTATETYPE'), 'HOSTSTATETYPE');
    problemId = optionalString('nagios', payload, 'HOSTPROBLEMID');
    output = optionalString('nagios', payload, 'HOSTOUTPUT');
  } else {
    state = requiredString('nagios', payload, 'SERVICESTATE').toUpperCase();
    if (state === 'OK' || state === 'WARNING' || state === 'UNKNOWN') {
      throw new IgnoredSensorPayloadError('nagios', `service check "${serviceDescription}" is ${state}`);
    }
    if (state !== 'CRITICAL') {
      throw new MalformedSensorPayloadError(
        'nagios',
        'SERVICESTATE',
        `"${state}" is not OK, WARNING, CRITICAL or UNKNOWN`,
      );
    }
    eventType = /health/i.test(serviceDescription) ? 'HealthcheckDown' : 'NagiosServiceAlarm';
    hostStateType = stateType(requiredString('nagios', payload, 'SERVICESTATETYPE'), 'SERVICESTATETYPE');
    problemId = optionalString('nagios', payload, 'SERVICEPROBLEMID');
    output = optionalString('nagios', payload, 'SERVICEOUTPUT');
  }

  const host = optionalString('nagios', payload, '_HOSTINSTANCE_ID') ?? hostName;
  if (!instanceIdPattern.test(host)) {
    throw new MalformedSensorPayloadError(
      'nagios',
      '_HOSTINSTANCE_ID',
      `missing, and HOSTNAME "${hostName}" is not an instance id: set the host's _INSTANCE_ID custom variable`,
    );
  }
  const service = optionalString('nagios', payload, '_HOSTSERVICE') ?? options.service;
  const region = optionalString('nagios', payload, '_HOSTREGION') ?? options.region;
  const environment = optionalString('nagios', payload, '_HOSTENVIRONMENT') ?? options.environment;
  for (const [field, value] of [
    ['_HOSTSERVICE', service],
    ['_HOSTREGION', region],
    ['_HOSTENVIRONMENT', environment],
  ] as const) {
    if (value === undefined) {
      throw new MalformedSensorPayloadError('nagios', field, 'missing, and no default was configured');
    }
  }
  const time = occurredAt(payload, options.receivedAt);
  const problem = problemId && problemId !== '0' ? problemId : time;

  return validatedEvent('nagios', {
    incident_key: boundedIncidentKey(`nagios/${hostName}/${serviceDescription ?? 'host'}/${problem}`),
    event_type: eventType,
    source: 'nagios',
    service: service ?? '',
    host,
    region: region ?? '',
    environment: normalizeEnvironment('nagios', environment ?? '', '_HOSTENVIRONMENT'),
    occurred_at: time,
    host_state_type: hostStateType,
    details: {
      nagios_host: hostName,
      state,
      ...(serviceDescription === undefined ? {} : { service_description: serviceDescription }),
      ...(output === undefined ? {} : { output: output.slice(0, 2000) }),
    },
  });
}
