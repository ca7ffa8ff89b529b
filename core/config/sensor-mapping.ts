// The sensor mapping (services/sensors.yaml, schema core/schemas/sensors.schema.json) with its defaults filled in:
// which tag keys name a service, environment and region, where each is taken from and in which order, per-sensor
// defaults, how host names resolve to instances, and the SNS settings. Pure: the API and the CLI read the file.
import { parseDuration } from '../duration';
import type { Environment } from '../event';
import type { ConfigIssue } from './errors';
import { schemaViolations } from './schema-validation';
import { issueAt, type YamlSource } from './yaml-source';

export const attributeSources = ['payload', 'instance_tags', 'query', 'sensor', 'defaults'] as const;
export type AttributeSource = (typeof attributeSources)[number];

export const hostResolutions = ['private_dns_name', 'private_ip', 'name_tag'] as const;
export type HostResolution = (typeof hostResolutions)[number];

/** Service, environment and region as a sensor, a query string or the defaults give them. */
export interface EventAttributes {
  service?: string;
  environment?: Environment;
  region?: string;
}

export interface SensorDefaults {
  name: string;
  token_id: string;
  defaults: EventAttributes;
}

export interface SensorMapping {
  tag_keys: { service: string[]; environment: string[]; region: string[] };
  resolution: { attributes: AttributeSource[]; host: HostResolution[] };
  defaults: EventAttributes;
  unmapped_service: string;
  ec2_lookup: { enabled: boolean; cache_ms: number; miss_cache_ms: number };
  sns: { verify_signatures: boolean; certificate_url_pattern: string; subscribe_url_pattern: string };
  sensors: SensorDefaults[];
}

/** SNS signs from, and confirms subscriptions on, https://sns.<region>.amazonaws.com[.cn]/ only. */
export const defaultSnsUrlPattern = '^https://sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/';

export const defaultSensorMapping: SensorMapping = {
  tag_keys: { service: ['service'], environment: ['environment', 'env'], region: ['region'] },
  resolution: { attributes: [...attributeSources], host: [...hostResolutions] },
  defaults: {},
  unmapped_service: 'unmapped',
  ec2_lookup: { enabled: true, cache_ms: 60_000, miss_cache_ms: 10_000 },
  sns: {
    verify_signatures: true,
    certificate_url_pattern: defaultSnsUrlPattern,
    subscribe_url_pattern: defaultSnsUrlPattern,
  },
  sensors: [],
};

interface SensorMappingFile {
  tag_keys?: Partial<SensorMapping['tag_keys']>;
  resolution?: Partial<SensorMapping['resolution']>;
  defaults?: EventAttributes;
  unmapped_service?: string;
  ec2_lookup?: { enabled?: boolean; cache?: string; miss_cache?: string };
  sns?: Partial<SensorMapping['sns']>;
  sensors?: Array<{ name: string; token_id: string; defaults?: EventAttributes }>;
}

/** Problems the schema cannot see: patterns that do not compile, a token or sensor name given twice. */
function semanticIssues(source: YamlSource, file: SensorMappingFile): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const key of ['certificate_url_pattern', 'subscribe_url_pattern'] as const) {
    const pattern = file.sns?.[key];
    if (pattern === undefined) continue;
    try {
      new RegExp(pattern);
    } catch (error) {
      issues.push(issueAt(source, ['sns', key], `invalid regular expression: ${(error as Error).message}`));
    }
  }
  const tokens = new Map<string, number>();
  const names = new Map<string, number>();
  (file.sensors ?? []).forEach((sensor, index) => {
    const token = tokens.get(sensor.token_id);
    if (token !== undefined) {
      issues.push(
        issueAt(source, ['sensors', index, 'token_id'], `token ${sensor.token_id} is also sensors[${token}]`),
      );
    } else tokens.set(sensor.token_id, index);
    const name = names.get(sensor.name);
    if (name !== undefined) {
      issues.push(issueAt(source, ['sensors', index, 'name'], `name "${sensor.name}" is also sensors[${name}]`));
    } else names.set(sensor.name, index);
  });
  return issues;
}

/** Every problem of a sensor mapping file: schema first, then what the schema cannot check. */
export function sensorMappingIssues(source: YamlSource): ConfigIssue[] {
  const violations = schemaViolations('sensors', source.value ?? {});
  if (violations.length > 0) {
    return violations.map((violation) => issueAt(source, violation.segments, violation.message));
  }
  return semanticIssues(source, source.value ?? {});
}

/** The mapping of a file that has no issues (sensorMappingIssues), with every default filled in. */
export function resolveSensorMapping(value: unknown): SensorMapping {
  const file = (value ?? {}) as SensorMappingFile;
  const base = defaultSensorMapping;
  return {
    tag_keys: { ...base.tag_keys, ...file.tag_keys },
    resolution: { ...base.resolution, ...file.resolution },
    defaults: { ...file.defaults },
    unmapped_service: file.unmapped_service ?? base.unmapped_service,
    ec2_lookup: {
      enabled: file.ec2_lookup?.enabled ?? base.ec2_lookup.enabled,
      cache_ms: file.ec2_lookup?.cache ? parseDuration(file.ec2_lookup.cache) : base.ec2_lookup.cache_ms,
      miss_cache_ms: file.ec2_lookup?.miss_cache
        ? parseDuration(file.ec2_lookup.miss_cache)
        : base.ec2_lookup.miss_cache_ms,
    },
    sns: { ...base.sns, ...file.sns },
    sensors: (file.sensors ?? []).map((sensor) => ({ ...sensor, defaults: { ...sensor.defaults } })),
  };
}
