// Reading a dead letter's payload back and checking it for a replay, and the dead-letter API's parameter parsing
// (pure, no server).
import { deadLetterPayloadText, eventFromStoredPayload } from '../../ingest/bridge/model/dead-letter-replay';
import {
  checkDeadLetterId,
  deadLetterVisibilityQuery,
  parseDeadLetterFilter,
  parseReplayRequest,
} from '../../api/dead-letters';
import { InvalidRequestError } from '../../api/errors';

const event = {
  incident_key: 'nagios/i-0abc1234def567890/host/42',
  event_type: 'HealthcheckDown',
  source: 'nagios',
  service: 'web',
  host: 'i-0abc1234def567890',
  region: 'us-east-1',
  environment: 'prod',
  occurred_at: '2026-11-22T02:00:00Z',
};
const base64 = (payload: string | Buffer): string =>
  (typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload).toString('base64');

describe('dead-letter payloads', () => {
  it('reads UTF-8 text as text, and bytes that are not text (invalid UTF-8, control characters) as nothing', () => {
    expect(deadLetterPayloadText(base64('{"service": "wéb"}\n'))).toBe('{"service": "wéb"}\n');
    expect(deadLetterPayloadText(base64(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff])))).toBeUndefined();
    expect(deadLetterPayloadText(base64('ok\u0000then binary'))).toBeUndefined();
    expect(deadLetterPayloadText('')).toBe('');
  });

  it('a stored payload that is a valid event replays as that event', () => {
    expect(eventFromStoredPayload(base64(JSON.stringify(event)), 65536)).toEqual({ ok: true, event });
  });

  it('names the field of a schema error, listing the others too', () => {
    const bad = { ...event, environment: 'qa', occurred_at: 'yesterday' };
    const checked = eventFromStoredPayload(base64(JSON.stringify(bad)), 65536);
    expect(checked).toEqual({ ok: false, field: expect.any(String) as string, problem: expect.any(String) as string });
    if (checked.ok) return;
    expect([checked.field, checked.problem]).toEqual([
      expect.stringMatching(/^(environment|occurred_at)$/),
      expect.stringContaining('; also '),
    ]);
  });

  it('refuses a payload that is not JSON, not UTF-8, or larger than an API body, as <payload>', () => {
    expect(eventFromStoredPayload(base64('{"incident_key": '), 65536)).toEqual({
      ok: false,
      field: '<payload>',
      problem: expect.stringMatching(/^not valid JSON: /) as string,
    });
    expect(eventFromStoredPayload(base64(Buffer.from([0xff, 0xfe])), 65536)).toMatchObject({
      ok: false,
      field: '<payload>',
      problem: expect.stringMatching(/^not valid JSON: not UTF-8/) as string,
    });
    expect(eventFromStoredPayload(base64(JSON.stringify(event)), 100)).toMatchObject({
      ok: false,
      field: '<payload>',
      problem: expect.stringMatching(/^\d+ bytes, more than the 100 an event may have/) as string,
    });
  });
});

describe('dead-letter API parameters', () => {
  it('lists pending by default, at most 50', () => {
    expect(parseDeadLetterFilter(new URLSearchParams())).toEqual({ status: 'pending', limit: 50 });
    expect(parseDeadLetterFilter(new URLSearchParams('reason=schema&status=all&limit=5'))).toEqual({
      reason: 'schema',
      status: 'all',
      limit: 5,
    });
  });

  it.each([
    ['reason=sloppy', 'reason'],
    ['status=done', 'status'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=ten', 'limit'],
  ])('rejects %s naming %s', (query, field) => {
    expect(() => parseDeadLetterFilter(new URLSearchParams(query))).toThrow(
      expect.objectContaining({ field }) as InvalidRequestError,
    );
  });

  it('asks visibility for running entries when pending, closed ones for replayed and expired', () => {
    expect(deadLetterVisibilityQuery('pending')).toBe(`WorkflowType='deadLetter' AND ExecutionStatus='Running'`);
    expect(deadLetterVisibilityQuery('replayed')).toBe(`WorkflowType='deadLetter' AND ExecutionStatus!='Running'`);
    expect(deadLetterVisibilityQuery('expired')).toBe(deadLetterVisibilityQuery('replayed'));
    expect(deadLetterVisibilityQuery('all')).toBe(`WorkflowType='deadLetter'`);
  });

  it('takes an optional { payload } body and nothing else', () => {
    expect(parseReplayRequest(undefined)).toEqual({});
    expect(parseReplayRequest({})).toEqual({});
    expect(parseReplayRequest({ payload: event })).toEqual({ corrected: event });
    expect(parseReplayRequest({ payload: null })).toEqual({ corrected: null });
    expect(() => parseReplayRequest({ payload: event, force: true })).toThrow(/^force: unknown field/);
    expect(() => parseReplayRequest([event])).toThrow(InvalidRequestError);
  });

  it('accepts stream.shard.sequence ids and refuses anything that could leave the path', () => {
    const id = 'events.shardId-000000000000.49590338271490256608559692538361571095921575989136588898';
    expect(checkDeadLetterId(id)).toBe(id);
    expect(() => checkDeadLetterId('a b')).toThrow(InvalidRequestError);
    expect(() => checkDeadLetterId("x' OR 1=1")).toThrow(InvalidRequestError);
  });
});
