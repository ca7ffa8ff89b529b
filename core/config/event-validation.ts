// Validation of events at the edge: the JSON Schema plus the size limit of `details`.
import type { LazarusEvent } from '../event';
import { utf8Length } from './canonical-json';
import type { EventIssue } from './errors';
import { formatFieldPath, schemaViolations } from './schema-validation';

/** Largest `details` accepted, as UTF-8 bytes of its JSON. */
export const maxEventDetailsBytes = 16 * 1024;

export type EventValidation = { ok: true; event: LazarusEvent } | { ok: false; errors: EventIssue[] };

/** Check that `json` is a LazarusEvent; on failure every problem is listed with its field path. */
export function validateEvent(json: unknown): EventValidation {
  const errors: EventIssue[] = schemaViolations('event', json).map((violation) => ({
    path: violation.segments.length === 0 ? '<root>' : formatFieldPath(violation.segments),
    message: violation.message,
  }));
  const details = (json as { details?: unknown } | null)?.details;
  if (details !== null && typeof details === 'object' && !Array.isArray(details)) {
    const size = utf8Length(JSON.stringify(details));
    if (size > maxEventDetailsBytes) {
      errors.push({ path: 'details', message: `is ${size} bytes as JSON; at most ${maxEventDetailsBytes} allowed` });
    }
  }
  return errors.length === 0 ? { ok: true, event: json as LazarusEvent } : { ok: false, errors };
}

export type EventCheck = { ok: true; event: LazarusEvent } | { ok: false; field: string; problem: string };

/** validateEvent as an edge answers it: the first problem's field, and every problem in the text. */
export function checkEvent(json: unknown): EventCheck {
  const result = validateEvent(json);
  if (result.ok) return result;
  const [first, ...rest] = result.errors;
  const more = rest.length ? `; also ${rest.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}` : '';
  return { ok: false, field: first.path, problem: `${first.message}${more}` };
}
