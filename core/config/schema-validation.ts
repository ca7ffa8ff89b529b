// Validation against the JSON Schemas of every file kind and of the event, and their errors made readable. The
// validators are compiled ahead of time (core/schemas/validators.generated.ts, `npm run generate:validators`), so no
// process compiles a schema at start.
import type { ErrorObject, ValidateFunction } from 'ajv';
import * as generated from '../schemas/validators.generated';
import type { SchemaKind } from './schema-sources';

export type { SchemaKind } from './schema-sources';

const validators = generated as unknown as Record<SchemaKind, ValidateFunction>;

/** A schema violation: the path as segments (for locating it in YAML) and a message for people. */
export interface SchemaViolation {
  segments: string[];
  message: string;
}

function segmentsOf(instancePath: string): string[] {
  if (instancePath === '') {
    return [];
  }
  return instancePath
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function describe(error: ErrorObject): SchemaViolation {
  const segments = segmentsOf(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { segments: [...segments, String(params.missingProperty)], message: 'required field is missing' };
    case 'additionalProperties':
      return { segments: [...segments, String(params.additionalProperty)], message: 'unknown field' };
    case 'enum':
      return {
        segments,
        message: `must be one of: ${((params.allowedValues as unknown[]) ?? []).map(String).join(', ')}`,
      };
    case 'oneOf':
    case 'anyOf': {
      const description = (error.parentSchema as { description?: string } | undefined)?.description;
      return { segments, message: description ? `invalid value: ${description}` : (error.message ?? 'invalid') };
    }
    case 'propertyNames':
      return { segments: [...segments, String(params.propertyName)], message: 'invalid name' };
    default:
      return { segments, message: error.message ?? 'invalid' };
  }
}

/**
 * Validate a parsed document against the schema of its kind. Errors under a oneOf/anyOf collapse into one line
 * (the alternatives' own errors say little), and if/then wrappers are dropped in favour of the inner error.
 */
export function schemaViolations(kind: SchemaKind, value: unknown): SchemaViolation[] {
  const validate = validators[kind];
  if (validate(value)) {
    return [];
  }
  const errors = validate.errors ?? [];
  const alternatives = errors.filter((error) => error.keyword === 'oneOf' || error.keyword === 'anyOf');
  const kept = errors.filter((error) => {
    if (error.keyword === 'if') {
      return false;
    }
    return !alternatives.some(
      (alternative) =>
        alternative !== error &&
        error.instancePath.startsWith(alternative.instancePath) &&
        error.schemaPath.startsWith(`${alternative.schemaPath}/`),
    );
  });
  const seen = new Set<string>();
  const violations: SchemaViolation[] = [];
  for (const violation of kept.map(describe)) {
    const key = `${violation.segments.join('/')}|${violation.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      violations.push(violation);
    }
  }
  return violations;
}

/** `steps[2].input.instanceId` from ['steps', '2', 'input', 'instanceId']. */
export function formatFieldPath(segments: readonly (string | number)[]): string {
  let path = '';
  for (const segment of segments) {
    const text = String(segment);
    if (/^\d+$/.test(text)) {
      path += `[${text}]`;
    } else {
      path += path === '' ? text : `.${text}`;
    }
  }
  return path;
}
