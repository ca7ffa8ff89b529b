// A report → an event: the host named by the payload resolved to an EC2 instance, and the service, environment and
// region taken from the first source of the mapping's resolution order that has them (the payload's own tags or
// variables, the instance's EC2 tags, the request's query, the calling sensor's defaults, the mapping's defaults).
// An AWS Health event's region is the event's own. The trace says where each came from (`details.resolution`).
import type { LazarusEvent } from '../../core/event';
import type { AttributeSource, EventAttributes, SensorDefaults, SensorMapping } from '../../core/config/sensor-mapping';
import { MalformedSensorPayloadError } from './errors';
import {
  AmbiguousHostError,
  InstanceLookupError,
  type InstanceDirectory,
  type InstanceRecord,
} from './instance-directory';
import { instanceIdPattern, normalizeEnvironment, validatedEvent } from './payload-fields';
import type { SensorReport } from './sensor-report';

export interface ResolutionContext {
  mapping: SensorMapping;
  /** The request's ?service= &environment= &region= (documented per-webhook defaults). */
  query: EventAttributes;
  /** The calling token's entry in the mapping's sensors, if it has one. */
  sensor?: SensorDefaults;
  /** The region of the API process: the last resort for the region of the lookup and of the event. */
  fallbackRegion: string;
  /** EC2 lookups; without it (ec2_lookup disabled), host names that are not instance ids cannot be mapped. */
  directory?: InstanceDirectory;
}

type Attribute = keyof EventAttributes;

/** Where each attribute came from, and how the host was found: recorded in the event's details. */
export type ResolutionTrace = Partial<Record<Attribute | 'host', string>>;

function fromTags(tags: Record<string, string>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = tags[key]?.trim();
    if (value) return value;
  }
  return undefined;
}

function attributeFrom(
  source: AttributeSource,
  attribute: Attribute,
  report: SensorReport,
  instance: InstanceRecord | undefined,
  context: ResolutionContext,
): string | undefined {
  const keys = context.mapping.tag_keys[attribute];
  switch (source) {
    case 'payload':
      return report.payload_attributes[attribute] ?? fromTags(report.payload_tags, keys);
    case 'instance_tags':
      return instance ? fromTags(instance.tags, keys) : undefined;
    case 'query':
      return context.query[attribute];
    case 'sensor':
      return context.sensor?.defaults[attribute];
    case 'defaults':
      return context.mapping.defaults[attribute];
  }
}

function resolveAttribute(
  attribute: Attribute,
  report: SensorReport,
  instance: InstanceRecord | undefined,
  context: ResolutionContext,
  trace: ResolutionTrace,
): string | undefined {
  for (const source of context.mapping.resolution.attributes) {
    const value = attributeFrom(source, attribute, report, instance, context);
    if (value !== undefined) {
      trace[attribute] = source === 'sensor' ? `sensor ${context.sensor?.name}` : source;
      return value;
    }
  }
  return undefined;
}

async function findInstance(
  report: SensorReport,
  region: string,
  context: ResolutionContext,
  trace: ResolutionTrace,
): Promise<InstanceRecord | undefined> {
  const host = report.host;
  if (!host) return undefined;
  const directory = context.mapping.ec2_lookup.enabled ? context.directory : undefined;
  try {
    if (host.instance_id !== undefined) {
      trace.host = 'instance_id';
      return await directory?.byId(region, host.instance_id);
    }
    const name = host.name ?? '';
    if (!directory) {
      throw new MalformedSensorPayloadError(
        report.sensor,
        host.field,
        `host "${name}" is not an instance id, and EC2 lookups are off (services/sensors.yaml ec2_lookup.enabled)`,
        'unmapped_host',
      );
    }
    const found = await directory.byName(region, name, context.mapping.resolution.host);
    if (!found) {
      throw new MalformedSensorPayloadError(
        report.sensor,
        host.field,
        `host "${name}" matches no EC2 instance in ${region} by ${context.mapping.resolution.host.join(', ')}`,
        'unmapped_host',
      );
    }
    trace.host = found.matched_by;
    return found;
  } catch (error) {
    if (error instanceof InstanceLookupError) {
      throw new MalformedSensorPayloadError(report.sensor, host.field, error.message, 'lookup_failed');
    }
    if (error instanceof AmbiguousHostError) {
      throw new MalformedSensorPayloadError(report.sensor, host.field, error.message, 'unmapped_host');
    }
    throw error;
  }
}

/** The event a report maps to; throws MalformedSensorPayloadError (with its dead-letter reason) when it maps to none. */
export async function resolveReport(report: SensorReport, context: ResolutionContext): Promise<LazarusEvent> {
  const trace: ResolutionTrace = {};
  // The region to look the host up in: the event's own, else from everything but the instance (not yet known).
  const lookupRegion =
    report.event_region ?? resolveAttribute('region', report, undefined, context, {}) ?? context.fallbackRegion;
  const instance = await findInstance(report, lookupRegion, context, trace);
  let region = report.event_region;
  if (region !== undefined) trace.region = 'event';
  else region = resolveAttribute('region', report, instance, context, trace);
  if (region === undefined) {
    region = context.fallbackRegion;
    trace.region = 'api_region';
  }
  const details: Record<string, unknown> = { ...report.details };
  let service = resolveAttribute('service', report, instance, context, trace);
  let environmentText = resolveAttribute('environment', report, instance, context, trace);
  const host = instance?.instance_id ?? report.host?.instance_id;
  if (service === undefined) {
    if (report.unmapped === 'dead_letter') {
      throw new MalformedSensorPayloadError(
        report.sensor,
        'service',
        `missing: no ${context.mapping.tag_keys.service.join('/')} tag in the payload${instance ? ` or on ${instance.instance_id}` : ''}, and no default (query, sensor, services/sensors.yaml)`,
      );
    }
    // Escalated, never refused: no rule matches this service, so the page goes to the deployment's default route.
    service = context.mapping.unmapped_service;
    trace.service = 'unmapped_service';
    details.unmapped = instance
      ? `instance ${instance.instance_id} has no ${context.mapping.tag_keys.service.join('/')} tag`
      : `instance ${host ?? '?'} is not known to EC2 in ${region} and the payload names no service`;
    environmentText ??= 'prod';
  }
  if (environmentText === undefined) {
    throw new MalformedSensorPayloadError(
      report.sensor,
      'environment',
      `missing: no ${context.mapping.tag_keys.environment.join('/')} tag, and no default (query, sensor, services/sensors.yaml)`,
    );
  }
  if (instance && instance.matched_by !== 'instance_id') details.host_name = report.host?.name;
  details.resolution = trace;
  return validatedEvent(report.sensor, {
    incident_key: report.incident_key,
    event_type: report.event_type,
    source: report.sensor,
    service,
    ...(host !== undefined && instanceIdPattern.test(host) ? { host } : {}),
    region,
    environment: normalizeEnvironment(report.sensor, environmentText, 'environment'),
    occurred_at: report.occurred_at,
    ...(report.host_state_type ? { host_state_type: report.host_state_type } : {}),
    details,
  });
}
