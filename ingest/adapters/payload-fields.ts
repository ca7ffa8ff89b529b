// Reading fields of untrusted sensor payloads, and the conventions all adapters share.
import { environments, type Environment, type LazarusEvent } from '../../core';
import { utf8Length } from '../../core/config/canonical-json';
import { maxIncidentKeyBytes, validateEvent } from '../../core/config/event-validation';
import { MalformedSensorPayloadError, type SensorName } from './errors';

export function asRecord(sensor: SensorName, value: unknown, field: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MalformedSensorPayloadError(sensor, field, 'expected an object');
  }
  return value as Record<string, unknown>;
}

export function optionalString(
  sensor: SensorName,
  record: Record<string, unknown>,
  field: string,
  label = field,
): string | undefined {
  const value = record[field];
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new MalformedSensorPayloadError(sensor, label, `expected a string, got ${typeof value}`);
  }
  return value.trim();
}

export function requiredString(
  sensor: SensorName,
  record: Record<string, unknown>,
  field: string,
  label = field,
): string {
  const value = optionalString(sensor, record, field, label);
  if (value === undefined) {
    throw new MalformedSensorPayloadError(sensor, label, 'missing');
  }
  return value;
}

const environmentAliases: Readonly<Record<string, Environment>> = {
  prod: 'prod',
  production: 'prod',
  prd: 'prod',
  stage: 'stage',
  staging: 'stage',
  stg: 'stage',
  dev: 'dev',
  development: 'dev',
};

/** prod/production/prd → prod, stage/staging/stg → stage, dev/development → dev. */
export function normalizeEnvironment(sensor: SensorName, value: string, field: string): Environment {
  const environment = environmentAliases[value.toLowerCase()];
  if (environment === undefined) {
    throw new MalformedSensorPayloadError(
      sensor,
      field,
      `"${value}" is not an environment (${environments.join(', ')})`,
    );
  }
  return environment;
}

/** EC2 instance ids: i- and 8 or 17 hex digits. */
export const instanceIdPattern = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;

/**
 * Keys longer than the event allows (maxIncidentKeyBytes of UTF-8) keep their start and end: still unique in practice,
 * still readable. Cut between code points, so a character outside the BMP is never split into a lone surrogate.
 */
export function boundedIncidentKey(key: string): string {
  if (utf8Length(key) <= maxIncidentKeyBytes) return key;
  const ellipsis = '…';
  const tailBytes = 54;
  const headBytes = maxIncidentKeyBytes - tailBytes - utf8Length(ellipsis);
  const points = Array.from(key);
  let head = '';
  for (const point of points) {
    if (utf8Length(head + point) > headBytes) break;
    head += point;
  }
  let tail = '';
  for (let i = points.length - 1; i >= 0; i--) {
    if (utf8Length(points[i] + tail) > tailBytes) break;
    tail = points[i] + tail;
  }
  return `${head}${ellipsis}${tail}`;
}

/** The adapter's result must be a valid event; if not, the payload carried values the event cannot hold. */
export function validatedEvent(sensor: SensorName, event: LazarusEvent): LazarusEvent {
  const result = validateEvent(event);
  if (!result.ok) {
    const [first] = result.errors;
    throw new MalformedSensorPayloadError(
      sensor,
      first?.path ?? '<root>',
      `makes an invalid event: ${result.errors.map((error) => `${error.path} ${error.message}`).join('; ')}`,
    );
  }
  return result.event;
}
