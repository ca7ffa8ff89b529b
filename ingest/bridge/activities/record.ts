// A stream record's bytes → an event, or the reason it cannot be one (it is then dead-lettered, never retried). The
// event is checked as POST /v1/events checks a body: schema, details size, incident key, occurred_at against the clock.
import { validateEvent, type EventCheckOptions } from '../../../core/config/event-validation';
import type { DeadLetterReason } from '../../../contracts/dead-letter';
import type { LazarusEvent } from '../../../core/event';

export type DecodedRecord =
  | { kind: 'event'; event: LazarusEvent }
  | { kind: 'unusable'; reason: Exclude<DeadLetterReason, 'rejected'>; detail: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `check`: the clock (default now), the allowed future skew of occurred_at (default 5 minutes) and the declared regions
 * (when given, a well-formed event of another region is dead-lettered as unknown_region).
 */
export function decodeStreamRecord(data: Uint8Array, maxBytes: number, check: EventCheckOptions = {}): DecodedRecord {
  if (data.byteLength > maxBytes) {
    return {
      kind: 'unusable',
      reason: 'oversize',
      detail: `${data.byteLength} bytes, more than the ${maxBytes} allowed`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(data));
  } catch (error) {
    const what = error instanceof SyntaxError ? error.message : `not UTF-8 (${(error as Error).message})`;
    return { kind: 'unusable', reason: 'malformed_json', detail: `not JSON: ${what}` };
  }
  const result = validateEvent(json, { ...check, now: check.now ?? Date.now() });
  if (result.ok) return { kind: 'event', event: result.event };
  const region = result.errors.find((issue) => issue.path === 'region');
  if (region && result.errors.length === 1 && check.declaredRegions) {
    return { kind: 'unusable', reason: 'unknown_region', detail: `region: ${region.message}` };
  }
  return {
    kind: 'unusable',
    reason: 'schema',
    detail: result.errors.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
  };
}
