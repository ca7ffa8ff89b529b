// AWS Health events as EventBridge delivers them (an API destination, or the `Message` of an SNS notification; see
// sns.ts) → reports, one per affected instance, each an AWSScheduledEvent. Built from the AWS Health EventBridge
// schema (docs.aws.amazon.com/health/latest/ug/aws-health-events-eventbridge-schema.html).
// Mapping:
// - source "aws.health", detail-type "AWS Health Event", detail.service "EC2", detail.eventTypeCategory
//   "scheduledChange" and an EC2 scheduled-change code (retirement, reboot/system maintenance, stop): reports.
//   Any other Health event, and any other event on a shared rule (EC2 state-change notifications, ...), is ignored with
//   the reason; something that is no EventBridge event at all is unusable (unknown_shape).
// - detail.statusCode closed: ignored. An affected entity whose status is RESOLVED starts nothing (it is listed in
//   the ignored reason when every entity is).
// - instances: detail.affectedEntities[].entityValue (instance ids or instance ARNs), else `resources` (ids or ARNs);
//   `resources` may be absent.
// - region: detail.eventRegion (the impacted region), never the top-level `region` (where the event was delivered,
//   which is a backup region for some deliveries); `region` only when an old event lacks eventRegion.
// - tags: detail.affectedEntities[].tags are the payload's tags; the instance's EC2 tags are looked up by id.
// - details: the event code, ARN, status, and the scheduled window (detail.startTime/endTime).
// - occurred_at: the record's time. incident_key: aws-health/<last part of detail.eventArn>/<instance id>.
import { IgnoredSensorPayloadError, MalformedSensorPayloadError } from './errors';
import { asRecord, boundedIncidentKey, instanceIdPattern, optionalString, requiredString } from './payload-fields';
import type { SensorReport } from './sensor-report';

/** EC2 scheduled changes Lazarus acts on ahead of AWS: retirement, maintenance reboots, stops. */
export const ec2ScheduledChangeCodes: readonly RegExp[] = [
  /^AWS_EC2_(PERSISTENT_)?INSTANCE_RETIREMENT_SCHEDULED$/,
  /^AWS_EC2_DEDICATED_HOST_RETIREMENT_SCHEDULED$/,
  /^AWS_EC2_(INSTANCE|SYSTEM)_REBOOT_(FLEXIBLE_)?MAINTENANCE_SCHEDULED$/,
  /^AWS_EC2_(INSTANCE|SYSTEM)_MAINTENANCE_SCHEDULED$/,
  /^AWS_EC2_(PERSISTENT_)?INSTANCE_(POWER_|NETWORK_)?MAINTENANCE_SCHEDULED$/,
  /^AWS_EC2_INSTANCE_STOP_SCHEDULED$/,
];

const instanceArn = /^arn:aws[a-z-]*:ec2:([a-z0-9-]*):\d*:instance\/(i-[0-9a-f]+)$/;

/** An instance id from an id or an instance ARN; undefined for anything else. */
export function instanceIdOf(value: string): string | undefined {
  if (instanceIdPattern.test(value)) return value;
  const arn = instanceArn.exec(value);
  return arn && instanceIdPattern.test(arn[2]) ? arn[2] : undefined;
}

/** Is this an EventBridge event (of any source)? */
export function isEventBridgeEvent(value: unknown): value is Record<string, unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Record<string, unknown>)['detail-type'] === 'string' &&
    typeof (value as Record<string, unknown>).source === 'string'
  );
}

interface Entity {
  instance: string;
  status?: string;
  tags: Record<string, string>;
}

function entitiesOf(record: Record<string, unknown>, detail: Record<string, unknown>): Entity[] {
  const entities: Entity[] = [];
  if (Array.isArray(detail.affectedEntities)) {
    detail.affectedEntities.forEach((entity: unknown, index) => {
      const value = (entity as { entityValue?: unknown } | null)?.entityValue;
      if (typeof value !== 'string') return;
      const instance = instanceIdOf(value.trim());
      if (instance === undefined) {
        throw new MalformedSensorPayloadError(
          'aws',
          `detail.affectedEntities[${index}].entityValue`,
          `"${value}" is not an instance id or instance ARN`,
        );
      }
      const { status, tags } = entity as { status?: unknown; tags?: unknown };
      entities.push({
        instance,
        ...(typeof status === 'string' ? { status: status.toUpperCase() } : {}),
        tags:
          tags !== null && typeof tags === 'object'
            ? Object.fromEntries(Object.entries(tags).filter(([, v]) => typeof v === 'string'))
            : {},
      });
    });
  }
  if (entities.length === 0 && Array.isArray(record.resources)) {
    record.resources.forEach((value: unknown, index) => {
      if (typeof value !== 'string') return;
      const instance = instanceIdOf(value.trim());
      if (instance === undefined) {
        throw new MalformedSensorPayloadError('aws', `resources[${index}]`, `"${value}" is not an instance id or ARN`);
      }
      entities.push({ instance, tags: {} });
    });
  }
  const seen = new Set<string>();
  return entities.filter((entity) => !seen.has(entity.instance) && seen.add(entity.instance));
}

function latestDescription(detail: Record<string, unknown>): string | undefined {
  const descriptions = detail.eventDescription;
  if (!Array.isArray(descriptions)) return undefined;
  const found = descriptions.find(
    (entry: unknown) => typeof (entry as { latestDescription?: unknown } | null)?.latestDescription === 'string',
  ) as { latestDescription: string } | undefined;
  return found?.latestDescription.slice(0, 1000);
}

/** Turn an EventBridge event into reports, one per affected instance; throws Malformed/IgnoredSensorPayloadError. */
export function awsHealthReports(json: unknown, format = 'eventbridge'): SensorReport[] {
  if (!isEventBridgeEvent(json)) {
    throw new MalformedSensorPayloadError(
      'aws',
      'detail-type',
      'not an EventBridge event (no detail-type and source) nor an SNS message',
      'unknown_shape',
    );
  }
  const record = json;
  const source = requiredString('aws', record, 'source');
  const detailType = requiredString('aws', record, 'detail-type');
  if (source !== 'aws.health' || detailType !== 'AWS Health Event') {
    throw new IgnoredSensorPayloadError(
      'aws',
      `"${detailType}" from ${source} is not an AWS Health event (a shared rule delivers it)`,
      'not_health_event',
    );
  }
  const detail = asRecord('aws', record.detail, 'detail');
  const awsService = requiredString('aws', detail, 'service', 'detail.service');
  const category = requiredString('aws', detail, 'eventTypeCategory', 'detail.eventTypeCategory');
  const code = requiredString('aws', detail, 'eventTypeCode', 'detail.eventTypeCode');
  if (awsService !== 'EC2' || category !== 'scheduledChange' || !ec2ScheduledChangeCodes.some((p) => p.test(code))) {
    throw new IgnoredSensorPayloadError(
      'aws',
      `${awsService} ${category} ${code} is not an EC2 scheduled change Lazarus acts on`,
      'not_scheduled_change',
    );
  }
  const statusCode = optionalString('aws', detail, 'statusCode', 'detail.statusCode')?.toLowerCase();
  if (statusCode === 'closed') {
    throw new IgnoredSensorPayloadError('aws', `${code} is closed: nothing is scheduled any more`, 'closed');
  }
  const eventArn = requiredString('aws', detail, 'eventArn', 'detail.eventArn');
  const region =
    optionalString('aws', detail, 'eventRegion', 'detail.eventRegion') ?? requiredString('aws', record, 'region');
  const time = requiredString('aws', record, 'time');
  const startTime = optionalString('aws', detail, 'startTime', 'detail.startTime');
  const endTime = optionalString('aws', detail, 'endTime', 'detail.endTime');
  const description = latestDescription(detail);
  const eventId = eventArn.split('/').pop() ?? eventArn;
  const entities = entitiesOf(record, detail);
  if (entities.length === 0) {
    throw new MalformedSensorPayloadError(
      'aws',
      'detail.affectedEntities',
      'missing: names no instance (neither affectedEntities nor resources)',
    );
  }
  const open = entities.filter((entity) => entity.status !== 'RESOLVED');
  if (open.length === 0) {
    throw new IgnoredSensorPayloadError(
      'aws',
      `every affected instance of ${code} is resolved (${entities.map((e) => e.instance).join(', ')})`,
      'resolved',
    );
  }
  return open.map((entity) => ({
    sensor: 'aws',
    format,
    incident_key: boundedIncidentKey(`aws-health/${eventId}/${entity.instance}`),
    event_type: 'AWSScheduledEvent',
    host: { instance_id: entity.instance, field: 'detail.affectedEntities' },
    payload_tags: entity.tags,
    payload_attributes: {},
    event_region: region,
    occurred_at: time,
    details: {
      event_arn: eventArn,
      event_type_code: code,
      ...(statusCode === undefined ? {} : { status_code: statusCode }),
      ...(entity.status === undefined ? {} : { entity_status: entity.status }),
      ...(startTime === undefined ? {} : { scheduled_start: startTime }),
      ...(endTime === undefined ? {} : { scheduled_end: endTime }),
      ...(description === undefined ? {} : { description }),
      ...(record.region !== region && typeof record.region === 'string' ? { delivered_in: record.region } : {}),
    },
    unmapped: 'escalate',
  }));
}
