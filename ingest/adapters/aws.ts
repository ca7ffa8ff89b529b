// AWS Health scheduled changes for EC2 (retirement, maintenance reboots) delivered by EventBridge → events, one per
// affected instance (a record may name several), each an AWSScheduledEvent.
// Mapping:
// - accepted: source "aws.health", detail-type "AWS Health Event", detail.service "EC2",
//   detail.eventTypeCategory "scheduledChange". Other categories (issue, accountNotification) are ignored.
// - instances: `resources` (instance ids), else detail.affectedEntities[].entityValue.
// - service and environment: from the instance's tags, looked up first in the `instanceTags` map the caller passes
//   (from its EC2 inventory) and then in detail.affectedEntities[].tags (AWS Health includes them when it can); the
//   tag keys are options.serviceTag (default "service") and options.environmentTag (default "environment"), and
//   options.environment is the fallback environment. An instance without a service tag is an error, naming it.
// - region: the record's region. occurred_at: the record's time.
// - incident_key: aws-health/<last part of detail.eventArn>/<instance id>.
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

export interface AwsHealthAdapterOptions {
  /** Tags of instances by id, from the caller's EC2 inventory; preferred over tags in the record. */
  instanceTags?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  serviceTag?: string;
  environmentTag?: string;
  /** Environment of instances without an environment tag. */
  environment?: string;
}

function entityTags(detail: Record<string, unknown>): Map<string, Record<string, string>> {
  const tags = new Map<string, Record<string, string>>();
  const entities = detail.affectedEntities;
  if (!Array.isArray(entities)) {
    return tags;
  }
  for (const entity of entities) {
    if (entity !== null && typeof entity === 'object') {
      const { entityValue, tags: entityTagMap } = entity as { entityValue?: unknown; tags?: unknown };
      if (typeof entityValue === 'string' && entityTagMap !== null && typeof entityTagMap === 'object') {
        tags.set(entityValue, entityTagMap as Record<string, string>);
      }
    }
  }
  return tags;
}

function instancesOf(record: Record<string, unknown>, detail: Record<string, unknown>): string[] {
  const resources = Array.isArray(record.resources) ? record.resources : [];
  const fromEntities = Array.isArray(detail.affectedEntities)
    ? detail.affectedEntities.map((entity) => (entity as { entityValue?: unknown } | null)?.entityValue)
    : [];
  const candidates = resources.length > 0 ? resources : fromEntities;
  const instances = candidates.filter((value): value is string => typeof value === 'string');
  if (instances.length === 0) {
    throw new MalformedSensorPayloadError('aws', 'resources', 'names no instance');
  }
  const invalid = instances.find((instance) => !instanceIdPattern.test(instance));
  if (invalid !== undefined) {
    throw new MalformedSensorPayloadError('aws', 'resources', `"${invalid}" is not an instance id`);
  }
  return [...new Set(instances)];
}

/** Turn an AWS Health EventBridge record into one event per affected instance; throws Malformed/Ignored errors. */
export function fromAwsHealthEvent(json: unknown, options: AwsHealthAdapterOptions = {}): LazarusEvent[] {
  const record = asRecord('aws', json, '<root>');
  const source = requiredString('aws', record, 'source');
  const detailType = requiredString('aws', record, 'detail-type');
  if (source !== 'aws.health' || detailType !== 'AWS Health Event') {
    throw new MalformedSensorPayloadError(
      'aws',
      'source',
      `expected an AWS Health Event from aws.health, got "${detailType}" from "${source}"`,
    );
  }
  const detail = asRecord('aws', record.detail, 'detail');
  const awsService = requiredString('aws', detail, 'service', 'detail.service');
  const category = requiredString('aws', detail, 'eventTypeCategory', 'detail.eventTypeCategory');
  if (awsService !== 'EC2' || category !== 'scheduledChange') {
    throw new IgnoredSensorPayloadError('aws', `${awsService} ${category} events are not EC2 scheduled changes`);
  }
  const eventArn = requiredString('aws', detail, 'eventArn', 'detail.eventArn');
  const region = requiredString('aws', record, 'region');
  const time = requiredString('aws', record, 'time');
  const eventTypeCode = optionalString('aws', detail, 'eventTypeCode', 'detail.eventTypeCode');
  const startTime = optionalString('aws', detail, 'startTime', 'detail.startTime');
  const tagsFromRecord = entityTags(detail);
  const serviceTag = options.serviceTag ?? 'service';
  const environmentTag = options.environmentTag ?? 'environment';
  const eventId = eventArn.split('/').pop() ?? eventArn;

  return instancesOf(record, detail).map((instance) => {
    const tags = options.instanceTags?.[instance] ?? tagsFromRecord.get(instance) ?? {};
    const service = tags[serviceTag];
    if (service === undefined || service === '') {
      throw new MalformedSensorPayloadError('aws', 'resources', `instance ${instance} has no "${serviceTag}" tag`);
    }
    const environment = tags[environmentTag] ?? options.environment;
    if (environment === undefined) {
      throw new MalformedSensorPayloadError(
        'aws',
        'resources',
        `instance ${instance} has no "${environmentTag}" tag, and no default environment was configured`,
      );
    }
    return validatedEvent('aws', {
      incident_key: boundedIncidentKey(`aws-health/${eventId}/${instance}`),
      event_type: 'AWSScheduledEvent',
      source: 'aws',
      service,
      host: instance,
      region,
      environment: normalizeEnvironment('aws', environment, `tags.${environmentTag}`),
      occurred_at: time,
      details: {
        event_arn: eventArn,
        ...(eventTypeCode === undefined ? {} : { event_type_code: eventTypeCode }),
        ...(startTime === undefined ? {} : { scheduled_start: startTime }),
      },
    });
  });
}
