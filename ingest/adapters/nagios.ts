// Nagios and Icinga notifications → a report, in the formats sites already run:
// - the project's JSON template: the notification command posts Nagios macros by name
//   ({"NOTIFICATIONTYPE":"$NOTIFICATIONTYPE$","HOSTNAME":"$HOSTNAME$","HOSTSTATE":"$HOSTSTATE$", ...,
//   "_HOSTSERVICE":"$_HOSTSERVICE$"}), see docs/sensors.md;
// - PagerDuty's Nagios integration, pagerduty_nagios.pl (github.com/PagerDuty/pagerduty-nagios-pl): form-encoded
//   fields named after the macros it keeps (pd_nagios_object, NOTIFICATIONTYPE, HOSTNAME, HOSTSTATE, HOSTEVENTID,
//   HOSTOUTPUT, SERVICEDESC, SERVICESTATE, SERVICEOUTPUT, CONTACTPAGER, ..., pd_version, NAGIOS_SERVER);
// - the PagerDuty agent's pd-nagios (github.com/PagerDuty/pdagent-integrations): an Events API body whose details
//   (v1: `details`, with event_type/incident_key/service_key) or custom_details (v2: `payload.custom_details`, with
//   event_action/dedup_key/routing_key) hold HOSTNAME, HOSTSTATE, SERVICEDESC, SERVICESTATE, pd_nagios_object;
// - Opsgenie's Nagios integration: JSON with entity_type, notification_type, host_name, host_state,
//   host_state_type, host_problem_id, service_desc, service_state, service_state_type, ...
// Mapping:
// - NOTIFICATIONTYPE PROBLEM (the agent: trigger) is an event; RECOVERY, ACKNOWLEDGEMENT, FLAPPING*, DOWNTIME*,
//   CUSTOM (the agent: acknowledge, resolve) are ignored and recorded.
// - a host notification in DOWN is a NagiosHostAlarm; in UNREACHABLE a NagiosHostUnreachable (kept distinct: no
//   shipped rule acts on it, so it escalates). A service notification in CRITICAL is a HealthcheckDown when
//   SERVICEDESC names a health check and the state is HARD, else a NagiosServiceAlarm. UP, OK, WARNING, UNKNOWN are
//   ignored.
// - host_state_type: HOSTSTATETYPE / SERVICESTATETYPE; SOFT states are accepted and recorded as such (no shipped rule
//   acts on them). Formats without a state type (pagerduty_nagios.pl, pd-nagios) are HARD: Nagios notifies on hard
//   states.
// - host: the custom variable _HOSTINSTANCE_ID, else HOSTNAME: an instance id as is, any other name resolved through
//   EC2 (private DNS name, IP, Name tag). service, region, environment: _HOSTSERVICE, _HOSTREGION, _HOSTENVIRONMENT
//   when the host defines them, else the instance's EC2 tags, the query, the sensor's defaults (services/sensors.yaml).
// - occurred_at: TIMET (Unix seconds), else the receivedAt.
// - incident_key: nagios/<HOSTNAME>/<SERVICEDESC or "host">/<problem id, else event id, else the receipt minute>,
//   with /soft or /unreachable appended for those states: re-notifications of one problem dedupe, and the HARD DOWN
//   after a SOFT or UNREACHABLE notification is its own remediation.
import type { HostStateType } from '../../core/event';
import { IgnoredSensorPayloadError, MalformedSensorPayloadError } from './errors';
import { asRecord, boundedIncidentKey, instanceIdPattern } from './payload-fields';
import type { SensorReport } from './sensor-report';

export interface NagiosParseOptions {
  /** ISO 8601 time the payload arrived, used when TIMET is absent. */
  receivedAt: string;
}

type Macros = Record<string, string>;

const opsgenieKeys: Readonly<Record<string, string>> = {
  notification_type: 'NOTIFICATIONTYPE',
  host_name: 'HOSTNAME',
  host_state: 'HOSTSTATE',
  host_state_type: 'HOSTSTATETYPE',
  host_problem_id: 'HOSTPROBLEMID',
  host_event_id: 'HOSTEVENTID',
  host_output: 'HOSTOUTPUT',
  service_desc: 'SERVICEDESC',
  service_state: 'SERVICESTATE',
  service_state_type: 'SERVICESTATETYPE',
  service_problem_id: 'SERVICEPROBLEMID',
  service_event_id: 'SERVICEEVENTID',
  service_output: 'SERVICEOUTPUT',
  entity_type: 'pd_nagios_object',
};

const agentActions: Readonly<Record<string, string>> = {
  trigger: 'PROBLEM',
  acknowledge: 'ACKNOWLEDGEMENT',
  resolve: 'RECOVERY',
};

function stringsOf(record: Record<string, unknown>): Macros {
  const macros: Macros = {};
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'string' || typeof value === 'number') {
      const text = String(value).trim();
      // an unexpanded macro ("$HOSTPROBLEMID$") or an empty one is absent
      if (text !== '' && !/^\$[A-Z_]+\$$/.test(text)) macros[key] = text;
    }
  }
  return macros;
}

/** The notification as Nagios macros, whichever format it came in, and the format's name. */
export function nagiosMacros(json: unknown): { format: string; macros: Macros } {
  const payload = asRecord('nagios', json, '<root>');
  const v2 = payload.payload as Record<string, unknown> | undefined;
  if (typeof payload.event_action === 'string' && v2 && typeof v2 === 'object') {
    const macros = stringsOf((v2.custom_details ?? {}) as Record<string, unknown>);
    macros.NOTIFICATIONTYPE ??= agentActions[payload.event_action] ?? payload.event_action.toUpperCase();
    if (typeof payload.dedup_key === 'string') macros.pd_dedup_key = payload.dedup_key;
    return { format: 'pagerduty-events-v2', macros };
  }
  if (typeof payload.event_type === 'string' && payload.details && typeof payload.details === 'object') {
    const macros = stringsOf(payload.details as Record<string, unknown>);
    macros.NOTIFICATIONTYPE ??= agentActions[payload.event_type] ?? payload.event_type.toUpperCase();
    if (typeof payload.incident_key === 'string') macros.pd_dedup_key = payload.incident_key;
    return { format: 'pagerduty-agent-v1', macros };
  }
  if ('notification_type' in payload || 'host_name' in payload || 'entity_type' in payload) {
    const raw = stringsOf(payload);
    const macros: Macros = {};
    for (const [key, value] of Object.entries(raw)) macros[opsgenieKeys[key] ?? key] = value;
    return { format: 'opsgenie-nagios', macros };
  }
  const macros = stringsOf(payload);
  if ('pd_nagios_object' in macros || 'pd_version' in macros || 'CONTACTPAGER' in macros) {
    return { format: 'pagerduty-nagios-form', macros };
  }
  if (!('NOTIFICATIONTYPE' in macros) && !('HOSTNAME' in macros)) {
    throw new MalformedSensorPayloadError(
      'nagios',
      '<root>',
      'not a Nagios notification (no NOTIFICATIONTYPE/HOSTNAME, no PagerDuty or Opsgenie Nagios fields)',
      'unknown_shape',
    );
  }
  return { format: 'nagios-json', macros };
}

function required(macros: Macros, field: string): string {
  const value = macros[field];
  if (value === undefined) throw new MalformedSensorPayloadError('nagios', field, 'missing');
  return value;
}

function stateType(macros: Macros, field: string, format: string): HostStateType {
  const value = macros[field];
  if (value === undefined) {
    if (format === 'nagios-json' || format === 'opsgenie-nagios') {
      throw new MalformedSensorPayloadError('nagios', field, 'missing');
    }
    return 'HARD';
  }
  const upper = value.toUpperCase();
  if (upper === '1') return 'HARD';
  if (upper === '0') return 'SOFT';
  if (upper !== 'HARD' && upper !== 'SOFT') {
    throw new MalformedSensorPayloadError('nagios', field, `"${value}" is not HARD or SOFT`);
  }
  return upper;
}

function occurredAt(macros: Macros, receivedAt: string): string {
  const timet = macros.TIMET;
  if (timet === undefined) return receivedAt;
  const seconds = Number(timet);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new MalformedSensorPayloadError('nagios', 'TIMET', `${JSON.stringify(timet)} is not Unix seconds`);
  }
  return new Date(seconds * 1000).toISOString();
}

const ignoredTypes = /^(RECOVERY|ACKNOWLEDGEMENT|FLAPPING.*|DOWNTIME.*|CUSTOM)$/;

/** Turn a Nagios or Icinga notification (any supported format) into a report; throws Malformed/Ignored errors. */
export function nagiosReport(json: unknown, options: NagiosParseOptions): SensorReport {
  const { format, macros } = nagiosMacros(json);
  const notificationType = required(macros, 'NOTIFICATIONTYPE').toUpperCase();
  if (notificationType !== 'PROBLEM') {
    const label = ignoredTypes.test(notificationType)
      ? notificationType.toLowerCase().replace(/(start|stop|end|cancelled|removed|disabled)$/, '')
      : 'other';
    throw new IgnoredSensorPayloadError(
      'nagios',
      `${notificationType} notifications report nothing to remediate`,
      label,
    );
  }
  const hostName = required(macros, 'HOSTNAME');
  const serviceDescription =
    macros.pd_nagios_object === 'host' ? undefined : (macros.SERVICEDESC ?? macros.SERVICEDISPLAYNAME);

  let eventType: string;
  let hostStateType: HostStateType;
  let problemId: string | undefined;
  let output: string | undefined;
  let state: string;
  if (serviceDescription === undefined) {
    state = required(macros, 'HOSTSTATE').toUpperCase();
    if (state === 'UP') throw new IgnoredSensorPayloadError('nagios', `host ${hostName} is UP`, 'up');
    if (state !== 'DOWN' && state !== 'UNREACHABLE') {
      throw new MalformedSensorPayloadError('nagios', 'HOSTSTATE', `"${state}" is not UP, DOWN or UNREACHABLE`);
    }
    eventType = state === 'UNREACHABLE' ? 'NagiosHostUnreachable' : 'NagiosHostAlarm';
    hostStateType = stateType(macros, 'HOSTSTATETYPE', format);
    problemId = macros.HOSTPROBLEMID ?? macros.HOSTEVENTID;
    output = macros.HOSTOUTPUT;
  } else {
    state = required(macros, 'SERVICESTATE').toUpperCase();
    if (state === 'OK' || state === 'WARNING' || state === 'UNKNOWN') {
      throw new IgnoredSensorPayloadError(
        'nagios',
        `service check "${serviceDescription}" is ${state}`,
        state.toLowerCase(),
      );
    }
    if (state !== 'CRITICAL') {
      throw new MalformedSensorPayloadError(
        'nagios',
        'SERVICESTATE',
        `"${state}" is not OK, WARNING, CRITICAL or UNKNOWN`,
      );
    }
    hostStateType = stateType(macros, 'SERVICESTATETYPE', format);
    eventType =
      /health/i.test(serviceDescription) && hostStateType === 'HARD' ? 'HealthcheckDown' : 'NagiosServiceAlarm';
    problemId = macros.SERVICEPROBLEMID ?? macros.SERVICEEVENTID;
    output = macros.SERVICEOUTPUT;
  }

  const time = occurredAt(macros, options.receivedAt);
  const problem = problemId && problemId !== '0' ? problemId : (macros.TIMET ?? options.receivedAt.slice(0, 16));
  const qualifier = (hostStateType === 'SOFT' ? '/soft' : '') + (state === 'UNREACHABLE' ? '/unreachable' : '');
  const instanceVariable = macros._HOSTINSTANCE_ID;
  const hostValue = instanceVariable ?? hostName;
  const hostField = instanceVariable !== undefined ? '_HOSTINSTANCE_ID' : 'HOSTNAME';
  return {
    sensor: 'nagios',
    format,
    incident_key: boundedIncidentKey(`nagios/${hostName}/${serviceDescription ?? 'host'}/${problem}${qualifier}`),
    event_type: eventType,
    host: instanceIdPattern.test(hostValue)
      ? { instance_id: hostValue, field: hostField }
      : { name: hostValue, field: hostField },
    payload_tags: {},
    payload_attributes: {
      ...(macros._HOSTSERVICE ? { service: macros._HOSTSERVICE } : {}),
      ...(macros._HOSTREGION ? { region: macros._HOSTREGION } : {}),
      ...(macros._HOSTENVIRONMENT ? { environment: macros._HOSTENVIRONMENT as never } : {}),
    },
    occurred_at: time,
    host_state_type: hostStateType,
    details: {
      nagios_host: hostName,
      state,
      notification_format: format,
      ...(serviceDescription === undefined ? {} : { service_description: serviceDescription }),
      ...(output === undefined ? {} : { output: output.slice(0, 2000) }),
      ...(macros.NAGIOS_SERVER ? { nagios_server: macros.NAGIOS_SERVER } : {}),
    },
    unmapped: 'dead_letter',
  };
}
