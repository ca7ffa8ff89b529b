/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers (expect.any, ...) are typed any */
import {
  checkEvent,
  defaultMaxFutureSkewMs,
  maxEventDetailsBytes,
  maxIncidentKeyBytes,
  readMaxFutureSkewMs,
  validateEvent,
} from '../../../core/config';
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
    ['201 characters', 'k'.repeat(201)],
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

  it('accepts an incident key of exactly 200 UTF-8 bytes, characters outside the BMP included', () => {
    const key = '😀'.repeat(49) + 'abcd'; // 49 × 4 bytes + 4 = 200
    expect(validateEvent(eventOf({ incident_key: key })).ok).toBe(true);
    expect(validateEvent(eventOf({ incident_key: 'k'.repeat(maxIncidentKeyBytes) })).ok).toBe(true);
  });

  it('rejects an incident key over 200 bytes as UTF-8 though under 200 characters, saying how many bytes', () => {
    const key = 'é'.repeat(101); // 101 characters, 202 bytes
    expect(errorsOf({ ...eventOf(), incident_key: key })).toEqual([
      { path: 'incident_key', message: 'is 202 bytes as UTF-8; at most 200 allowed' },
    ]);
  });

  it.each([
    ['a lone high surrogate', 'key-\ud83d-end'],
    ['a lone low surrogate', 'key-\ude00'],
    ['a high surrogate at the end', 'key-\ud83d'],
  ])('rejects an incident key with %s: not valid UTF-8, so not a valid workflow id', (_label, key) => {
    expect(errorsOf({ ...eventOf(), incident_key: key })).toEqual([
      { path: 'incident_key', message: expect.stringMatching(/lone surrogate.*not valid UTF-8/) },
    ]);
  });

  it.each([
    ['NUL', '\u0000'],
    ['a line feed', '\n'],
    ['a tab', '\t'],
    ['DEL', '\u007f'],
    ['a C1 control', '\u0085'],
  ])('rejects an incident key with %s', (_label, control) => {
    expect(errorsOf({ ...eventOf(), incident_key: `a${control}b` })).toEqual([
      {
        path: 'incident_key',
        message: expect.stringMatching(/^has a control character \(U\+00[0-9a-f]{2}\) at character 1$/),
      },
    ]);
  });

  it('does not check occurred_at against a clock unless given one (offline tools, adapters)', () => {
    expect(validateEvent(eventOf({ occurred_at: '2999-01-01T00:00:00Z' })).ok).toBe(true);
  });
});

describe('checkEvent (the edges: POST /v1/events, the bridge, a replay)', () => {
  const now = Date.parse('2026-11-22T01:00:00Z');
  const at = (offsetMs: number): string => new Date(now + offsetMs).toISOString();

  it('accepts an occurred_at up to the skew (default 5 minutes) ahead of the clock, and any time in the past', () => {
    expect(defaultMaxFutureSkewMs).toBe(300_000);
    for (const offset of [-86_400_000, 0, 299_000, 300_000]) {
      expect(checkEvent(eventOf({ occurred_at: at(offset) }), { now }).ok).toBe(true);
    }
  });

  it('rejects an occurred_at further ahead than the skew, naming occurred_at and the clock', () => {
    expect(checkEvent(eventOf({ occurred_at: at(301_000) }), { now })).toEqual({
      ok: false,
      field: 'occurred_at',
      problem: "is 301 s in the future (receiver's clock 2026-11-22T01:00:00.000Z); at most 300 s ahead allowed",
    });
  });

  it('takes the skew from its caller, and the clock as a Date or epoch ms', () => {
    const event = eventOf({ occurred_at: at(90_000) });
    expect(checkEvent(event, { now, maxFutureSkewMs: 60_000 })).toMatchObject({ ok: false, field: 'occurred_at' });
    expect(checkEvent(event, { now: new Date(now), maxFutureSkewMs: 120_000 }).ok).toBe(true);
  });

  it('checks against the current time when no clock is given', () => {
    expect(checkEvent(eventOf({ occurred_at: new Date(Date.now() + 3_600_000).toISOString() }))).toMatchObject({
      ok: false,
      field: 'occurred_at',
    });
    expect(checkEvent(eventOf({ occurred_at: new Date().toISOString() })).ok).toBe(true);
  });

  it('names incident_key first when the key is bad, and lists the other problems too', () => {
    const checked = checkEvent(eventOf({ incident_key: 'a\u0000b', occurred_at: at(3_600_000) }), { now });
    expect(checked).toMatchObject({ ok: false, field: 'incident_key' });
    expect(!checked.ok && checked.problem).toMatch(/control character.*; also occurred_at: is 3600 s in the future/);
  });
});

describe('readMaxFutureSkewMs', () => {
  it('reads LAZARUS_EVENT_MAX_FUTURE_SKEW_MS, default 5 minutes, and names the variable of a bad value', () => {
    expect(readMaxFutureSkewMs({})).toBe(300_000);
    expect(readMaxFutureSkewMs({ LAZARUS_EVENT_MAX_FUTURE_SKEW_MS: ' 60000 ' })).toBe(60_000);
    expect(readMaxFutureSkewMs({ LAZARUS_EVENT_MAX_FUTURE_SKEW_MS: '0' })).toBe(0);
    for (const bad of ['-1', '5m', '1.5']) {
      expect(() => readMaxFutureSkewMs({ LAZARUS_EVENT_MAX_FUTURE_SKEW_MS: bad })).toThrow(
        /^LAZARUS_EVENT_MAX_FUTURE_SKEW_MS: expected a whole number of milliseconds >= 0/,
      );
    }
  });
});
