/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers (expect.any, ...) are typed any */
import { maxEventDetailsBytes, validateEvent } from '../../../core/config';
import { eventOf } from './config-fixture';

function errorsOf(json: unknown): { path: string; message: string }[] {
  const result = validateEvent(json);
  return result.ok ? [] : result.errors;
}

describe('validateEvent', () => {
  it('accepts a complete event and returns it typed', () => {
    const event = eventOf({ details: { reason: 'load' } });
    expect(validateEvent(event)).toEqual({ ok: true, event });
  });

  it('accepts a service-level event without host and an event type added by configuration', () => {
    expect(validateEvent(eventOf({ host: undefined, host_state_type: undefined, event_type: 'DiskFull' })).ok).toBe(
      true,
    );
  });

  it('names each missing required field', () => {
    const rest: Record<string, unknown> = { ...eventOf() };
    delete rest.service;
    delete rest.occurred_at;
    expect(errorsOf(rest)).toEqual(
      expect.arrayContaining([
        { path: 'service', message: 'required field is missing' },
        { path: 'occurred_at', message: 'required field is missing' },
      ]),
    );
  });

  it('rejects unknown top-level fields', () => {
    expect(errorsOf({ ...eventOf(), severity: 'high' })).toEqual([{ path: 'severity', message: 'unknown field' }]);
  });

  it.each([
    ['source', 'pager'],
    ['environment', 'production'],
    ['host_state_type', 'hard'],
  ])('rejects %s outside its enum', (field, value) => {
    expect(errorsOf({ ...eventOf(), [field]: value })).toEqual([
      expect.objectContaining({ path: field, message: expect.stringContaining('must be one of') }),
    ]);
  });

  it('rejects an occurred_at that is not an ISO 8601 date-time', () => {
    expect(errorsOf({ ...eventOf(), occurred_at: 'yesterday' })).toEqual([
      { path: 'occurred_at', message: 'must match format "date-time"' },
    ]);
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
  ])('rejects an incident_key that is %s', (_label, key) => {
    expect(errorsOf({ ...eventOf(), incident_key: key }).map((error) => error.path)).toEqual(['incident_key']);
  });

  it('rejects an event_type that is not a plain identifier', () => {
    expect(errorsOf({ ...eventOf(), event_type: 'host down!' }).map((error) => error.path)).toEqual(['event_type']);
  });

  it('rejects wrong types', () => {
    expect(
      errorsOf({ ...eventOf(), host: 42, details: 'text' })
        .map((error) => error.path)
        .sort(),
    ).toEqual(['details', 'host']);
  });

  it('rejects details larger than 16 KiB as JSON, saying how large they were', () => {
    const errors = errorsOf(eventOf({ details: { blob: 'x'.repeat(maxEventDetailsBytes) } }));
    expect(errors).toEqual([
      { path: 'details', message: expect.stringMatching(/^is \d+ bytes as JSON; at most 16384/) },
    ]);
  });

  it('rejects something that is not an object at all', () => {
    expect(errorsOf('NagiosHostAlarm')).toEqual([{ path: '<root>', message: 'must be object' }]);
  });
});
