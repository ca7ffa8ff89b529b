// Validation of events at the edge: the JSON Schema, the size limit of `details`, an incident key that makes a valid
// workflow id, and (where a clock is given) an occurred_at not further in the future than the allowed skew. Pure: the
// clock and the skew are passed in, and the processes read the skew from their environment.
import type { LazarusEvent } from '../event';
import { utf8Length } from './canonical-json';
import type { EventIssue } from './errors';
import { formatFieldPath, schemaViolations } from './schema-validation';

/** Largest `details` accepted, as UTF-8 bytes of its JSON. */
export const maxEventDetailsBytes = 16 * 1024;

/** Largest incident key, as UTF-8 bytes: `event/<incident_key>` stays far below Temporal's workflow id limit. */
export const maxIncidentKeyBytes = 200;

/** How far occurred_at may be ahead of the receiver's clock (clocks of sensors drift a little). */
export const defaultMaxFutureSkewMs = 5 * 60_000;

/** The variable the API and the bridge read the skew from. */
export const maxFutureSkewVariable = 'LAZARUS_EVENT_MAX_FUTURE_SKEW_MS';

export interface EventCheckOptions {
  /** The receiver's clock (epoch ms or a Date). validateEvent checks occurred_at against it only when given. */
  now?: number | Date;
  /** How far occurred_at may be ahead of `now`; default defaultMaxFutureSkewMs. */
  maxFutureSkewMs?: number;
  /** The regions services/deployment.yaml declares; when given, an event naming another region is refused. */
  declaredRegions?: readonly string[];
}

/** Why `region` is not one Lazarus serves, or undefined when it is declared. */
export function undeclaredRegionProblem(region: string, declared: readonly string[]): string | undefined {
  if (declared.includes(region)) return undefined;
  return `"${region}" is not a region declared in services/deployment.yaml (declared: ${declared.join(', ')})`;
}

export type EventValidation = { ok: true; event: LazarusEvent } | { ok: false; errors: EventIssue[] };

// C0 and C1 control characters (tab and line breaks included: a key is one line of text).
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

/** Why `key` cannot be an incident key (and so a workflow id), or undefined when it can. */
export function incidentKeyProblem(key: string): string | undefined {
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = i + 1 < key.length ? key.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return `has a lone surrogate at character ${i}: not valid UTF-8`;
    }
    if (code >= 0xdc00 && code <= 0xdfff) return `has a lone surrogate at character ${i}: not valid UTF-8`;
  }
  const control = controlCharacter.exec(key);
  if (control) {
    const hex = control[0].charCodeAt(0).toString(16).padStart(4, '0');
    return `has a control character (U+${hex}) at character ${control.index}`;
  }
  const bytes = utf8Length(key);
  if (bytes > maxIncidentKeyBytes) return `is ${bytes} bytes as UTF-8; at most ${maxIncidentKeyBytes} allowed`;
  return undefined;
}

/** Why occurred_at is too far in the future for a receiver whose clock reads `now`, or undefined. */
export function futureOccurredAtProblem(
  occurredAt: string,
  now: number | Date,
  maxFutureSkewMs = defaultMaxFutureSkewMs,
): string | undefined {
  const at = Date.parse(occurredAt);
  const nowMs = typeof now === 'number' ? now : now.getTime();
  if (Number.isNaN(at) || at - nowMs <= maxFutureSkewMs) return undefined;
  return (
    `is ${Math.round((at - nowMs) / 1000)} s in the future (receiver's clock ${new Date(nowMs).toISOString()}); ` +
    `at most ${Math.round(maxFutureSkewMs / 1000)} s ahead allowed`
  );
}

/**
 * Check that `json` is a LazarusEvent; on failure every problem is listed with its field path. occurred_at is
 * checked against a clock only when `options.now` is given (the edges do; offline tools such as explain do not).
 */
export function validateEvent(json: unknown, options: EventCheckOptions = {}): EventValidation {
  const errors: EventIssue[] = schemaViolations('event', json).map((violation) => ({
    path: violation.segments.length === 0 ? '<root>' : formatFieldPath(violation.segments),
    message: violation.message,
  }));
  const fields = json !== null && typeof json === 'object' ? (json as Record<string, unknown>) : {};
  const flagged = new Set(errors.map((issue) => issue.path));
  const details = fields.details;
  if (details !== null && typeof details === 'object' && !Array.isArray(details)) {
    const size = utf8Length(JSON.stringify(details));
    if (size > maxEventDetailsBytes) {
      errors.push({ path: 'details', message: `is ${size} bytes as JSON; at most ${maxEventDetailsBytes} allowed` });
    }
  }
  if (typeof fields.incident_key === 'string' && !flagged.has('incident_key')) {
    const problem = incidentKeyProblem(fields.incident_key);
    if (problem) errors.push({ path: 'incident_key', message: problem });
  }
  if (options.now !== undefined && typeof fields.occurred_at === 'string' && !flagged.has('occurred_at')) {
    const problem = futureOccurredAtProblem(fields.occurred_at, options.now, options.maxFutureSkewMs);
    if (problem) errors.push({ path: 'occurred_at', message: problem });
  }
  if (options.declaredRegions && typeof fields.region === 'string' && !flagged.has('region')) {
    const problem = undeclaredRegionProblem(fields.region, options.declaredRegions);
    if (problem) errors.push({ path: 'region', message: problem });
  }
  return errors.length === 0 ? { ok: true, event: json as LazarusEvent } : { ok: false, errors };
}

export type EventCheck = { ok: true; event: LazarusEvent } | { ok: false; field: string; problem: string };

/**
 * validateEvent as an edge answers it: the first problem's field, and every problem in the text. An edge always
 * checks occurred_at against a clock: `options.now` (default the current time) and `options.maxFutureSkewMs`.
 */
export function checkEvent(json: unknown, options: EventCheckOptions = {}): EventCheck {
  const result = validateEvent(json, { ...options, now: options.now ?? Date.now() });
  if (result.ok) return result;
  const [first, ...rest] = result.errors;
  const more = rest.length ? `; also ${rest.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}` : '';
  return { ok: false, field: first.path, problem: `${first.message}${more}` };
}

/** LAZARUS_EVENT_MAX_FUTURE_SKEW_MS from a process's environment (default 5 minutes); a bad value names it. */
export function readMaxFutureSkewMs(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env[maxFutureSkewVariable]?.trim();
  if (!raw) return defaultMaxFutureSkewMs;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${maxFutureSkewVariable}: expected a whole number of milliseconds >= 0, got "${raw}"`);
  }
  return value;
}
