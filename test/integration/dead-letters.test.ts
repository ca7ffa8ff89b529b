// Dead letters for operators: recorded as the Kinesis bridge records them (recordDeadLetter), then listed, shown and
// replayed through the REST API and the `lazarus deadletters` CLI, against the real dev server; the deadLetter and
// remediate workflows run on RemediationHarness workers.
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON that the assertions check; jest matchers are typed any */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { runCli } from '../../cli/main';
import {
  deadLetterId,
  type DeadLetterEntry,
  type DeadLetterReason,
  type StreamPosition,
} from '../../contracts/dead-letter';
import { recordDeadLetter } from '../../ingest/bridge/activities/dead-letters';
import type { TestApi } from '../support/api-client';
import type { RemediationHarness } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';
import { until } from '../support/wait';

let env: TestWorkflowEnvironment;
let h: RemediationHarness;
let api: TestApi;
const stack = useTestStack({ temporal: true, harness: true, api: true });
beforeAll(() => ({ env, harness: h, api } = stack));

const stream = `events-${randomUUID().slice(0, 8)}`;
let sequence = 0;

/** Dead-letter `payload` the way the bridge does for a record of this test's stream. */
async function deadLetter(
  reason: DeadLetterReason,
  payload: string | Buffer,
  detail: string,
  retentionMs?: number,
): Promise<DeadLetterEntry> {
  sequence += 1;
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const source = {
    stream,
    shard_id: 'shardId-000000000000',
    sequence_number: `4959033827149025660855969253836157109592157598913658${String(sequence).padStart(4, '0')}`,
    partition_key: h.service,
    arrived_at: new Date().toISOString(),
  };
  const entry: DeadLetterEntry = {
    id: deadLetterId(source),
    reason,
    detail,
    source,
    payload_base64: bytes.toString('base64'),
    size_bytes: bytes.byteLength,
    dead_lettered_at: new Date(Date.now() + sequence).toISOString(),
  };
  const recorded = await recordDeadLetter(
    { client: env.client, taskQueue: h.taskQueue, ...(retentionMs ? { retentionMs } : {}) },
    entry,
  );
  expect(recorded).toBe(true);
  return entry;
}

/** One dead letter per reason the bridge has, each with the payload that reason comes from. */
async function oneOfEach(): Promise<Record<'malformed' | 'schema' | 'oversize', DeadLetterEntry>> {
  const truncated = JSON.stringify(h.event()).slice(0, 40);
  const badEnvironment = { ...h.event(), environment: 'qa' };
  const huge = { ...h.event(), details: { note: 'x'.repeat(70 * 1024) } };
  return {
    malformed: await deadLetter('malformed_json', truncated, 'not JSON: Unexpected end of JSON input'),
    schema: await deadLetter('schema', JSON.stringify(badEnvironment), 'environment: must be one of: dev, stage, prod'),
    oversize: await deadLetter(
      'oversize',
      JSON.stringify(huge),
      `${Buffer.byteLength(JSON.stringify(huge))} bytes, more than the 65536 allowed`,
    ),
  };
}

/** Let a started remediation finish before the test ends (workers stop after the file; its host lock frees). */
async function finished(incidentKey: string): Promise<string> {
  const done = await until(
    () => api.call('GET', `/v1/events/${encodeURIComponent(incidentKey)}`, { role: 'viewer' }),
    (r) => r.body.status === 'COMPLETED',
  );
  return String(done.body.outcome);
}

const listPath = (query: string): string => `/v1/deadletters${query ? `?${query}` : ''}`;
const ids = (body: unknown): string[] =>
  (body as { dead_letters: Array<{ id: string }> }).dead_letters.map((d) => d.id);

describe('REST API: dead letters', () => {
  it('lists pending dead letters newest first with what the memo says, filtered by reason and status', async () => {
    const letters = await oneOfEach();
    const all = [letters.malformed.id, letters.schema.id, letters.oversize.id];

    const pending = await until(
      () => api.call('GET', listPath('limit=500')),
      (r) => all.every((id) => ids(r.body).includes(id)),
    );
    expect(pending.status).toBe(200);
    const mine = pending.body.dead_letters.filter((d: { stream?: string }) => d.stream === stream);
    expect(mine.map((d: { id: string }) => d.id)).toEqual([...all].reverse());
    expect(mine[1]).toEqual({
      id: letters.schema.id,
      workflow_id: `deadletter/${letters.schema.id}`,
      status: 'pending',
      workflow_status: 'RUNNING',
      reason: 'schema',
      detail: letters.schema.detail,
      stream,
      shard_id: 'shardId-000000000000',
      sequence_number: (letters.schema.source as StreamPosition).sequence_number,
      size_bytes: letters.schema.size_bytes,
      dead_lettered_at: letters.schema.dead_lettered_at,
    });

    const schemaOnly = await api.call('GET', listPath('reason=schema&limit=500'));
    expect(ids(schemaOnly.body)).toContain(letters.schema.id);
    expect(ids(schemaOnly.body)).not.toContain(letters.malformed.id);
    expect(schemaOnly.body.dead_letters.every((d: { reason: string }) => d.reason === 'schema')).toBe(true);

    expect(ids((await api.call('GET', listPath('status=replayed&limit=500'))).body)).not.toContain(letters.schema.id);
    expect(ids((await api.call('GET', listPath('status=all&limit=500'))).body)).toEqual(expect.arrayContaining(all));
    expect((await api.call('GET', listPath('limit=1'))).body.dead_letters).toHaveLength(1);

    const badReason = await api.call('GET', listPath('reason=sloppy'));
    expect(badReason.status).toBe(400);
    expect(badReason.body.error.message).toMatch(/^reason: expected one of malformed_json, schema, oversize/);
    expect((await api.call('GET', listPath('status=gone'))).body.error.message).toMatch(/^status: /);
    expect((await api.call('GET', listPath('limit=0'))).body.error.message).toMatch(/^limit: /);
  });

  it('an unreplayed dead letter expires after its retention: listed as expired, and a replay is a 409', async () => {
    const entry = await deadLetter('schema', JSON.stringify({ ...h.event(), environment: 'qa' }), 'environment', 300);
    const expired = await until(
      () => api.call('GET', listPath('status=expired&limit=500')),
      (r) => ids(r.body).includes(entry.id),
    );
    expect(expired.body.dead_letters.find((d: { id: string }) => d.id === entry.id)).toMatchObject({
      status: 'expired',
      workflow_status: 'COMPLETED',
      reason: 'schema',
      closed_at: expect.any(String),
    });
    expect(ids((await api.call('GET', listPath('limit=500'))).body)).not.toContain(entry.id);
    const replay = await api.call('POST', `/v1/deadletters/${entry.id}/replay`);
    expect(replay.status).toBe(409);
    expect(replay.body.error).toEqual({ code: 'conflict', message: expect.stringContaining('is expired') });
  });

  it('shows one dead letter with its payload as base64 and, when it is text, as text; 404 for an unknown id', async () => {
    const letters = await oneOfEach();
    const binary = await deadLetter('malformed_json', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff]), 'not UTF-8');

    const shown = await api.call('GET', `/v1/deadletters/${letters.schema.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual({
      ...letters.schema,
      workflow_id: `deadletter/${letters.schema.id}`,
      status: 'pending',
      workflow_status: 'RUNNING',
      payload_text: Buffer.from(letters.schema.payload_base64, 'base64').toString('utf8'),
    });
    const gzip = await api.call('GET', `/v1/deadletters/${binary.id}`);
    expect(gzip.body.payload_base64).toBe(binary.payload_base64);
    expect(gzip.body.payload_text).toBeUndefined();

    const unknown = await api.call('GET', `/v1/deadletters/${stream}.shardId-000000000000.1`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    expect((await api.call('GET', '/v1/deadletters/bad%20id')).status).toBe(400);
  });

  it('replay: a still-invalid payload is a 422 naming the field and stays pending; a corrected one starts the remediation and marks it replayed; again is a 409', async () => {
    const letters = await oneOfEach();
    const replayPath = `/v1/deadletters/${letters.schema.id}/replay`;

    const stored = await api.call('POST', replayPath);
    expect(stored.status).toBe(422);
    expect(stored.body.error).toEqual({
      code: 'still_invalid',
      message: expect.stringMatching(/^environment: must be one of: dev, stage, prod/),
    });
    const stillWrong = { ...h.event(), occurred_at: 'yesterday' };
    const wrongFix = await api.call('POST', replayPath, { body: { payload: stillWrong } });
    expect(wrongFix.status).toBe(422);
    expect(wrongFix.body.error.message).toMatch(/^occurred_at: /);
    expect((await api.call('GET', `/v1/deadletters/${letters.schema.id}`)).body.status).toBe('pending');

    const notJson = await api.call('POST', `/v1/deadletters/${letters.malformed.id}/replay`);
    expect(notJson.body.error).toEqual({
      code: 'still_invalid',
      message: expect.stringMatching(/^<payload>: not valid JSON: /),
    });
    const tooBig = await api.call('POST', `/v1/deadletters/${letters.oversize.id}/replay`, { body: {} });
    expect(tooBig.status).toBe(422);
    expect(tooBig.body.error.message).toMatch(/^<payload>: \d+ bytes, more than the 65536/);
    const unknownField = await api.call('POST', replayPath, { body: { event: {} } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.message).toMatch(/^event: unknown field/);

    const fixed = { ...h.event(), environment: 'prod' };
    const replayed = await api.call('POST', replayPath, { body: { payload: fixed } });
    expect(replayed.status).toBe(200);
    expect(replayed.body).toEqual({
      incident_key: fixed.incident_key,
      sequence_number: null,
      workflow_id: `event/${fixed.incident_key}`,
      duplicate: false,
      dead_letter: {
        id: letters.schema.id,
        status: 'replayed',
        replay: {
          actor: expect.stringMatching(/^operator:[0-9a-f]{8}$/),
          at: expect.any(String),
          incident_key: fixed.incident_key,
          workflow_id: `event/${fixed.incident_key}`,
          corrected: true,
        },
      },
    });
    const remediation = await env.client.workflow.getHandle(String(replayed.body.workflow_id)).describe();
    expect(remediation.type).toBe('remediate');
    expect(await finished(fixed.incident_key)).toBe('REMEDIATED');

    const after = await api.call('GET', `/v1/deadletters/${letters.schema.id}`);
    expect(after.body).toMatchObject({
      status: 'replayed',
      workflow_status: 'COMPLETED',
      replay: replayed.body.dead_letter.replay,
    });
    const listed = await until(
      () => api.call('GET', listPath('status=replayed&reason=schema&limit=500')),
      (r) => ids(r.body).includes(letters.schema.id),
    );
    expect(listed.body.dead_letters.find((d: { id: string }) => d.id === letters.schema.id).replay).toEqual(
      replayed.body.dead_letter.replay,
    );

    const again = await api.call('POST', replayPath, { body: { payload: fixed } });
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({ code: 'conflict', message: expect.stringContaining('is replayed') });
    const metrics = await api.call('GET', '/metrics', { role: 'none' });
    expect(metrics.text).toMatch(/lazarus_deadletters_replayed_total\{corrected="true"\} 1/);
  });

  it('a stored payload that has become valid is replayed as it is (corrected: false)', async () => {
    const event = h.event();
    const entry = await deadLetter('schema', JSON.stringify(event), 'a field the schema of that day refused');
    const replayed = await api.call('POST', `/v1/deadletters/${entry.id}/replay`);
    expect(replayed.status).toBe(200);
    expect(replayed.body).toMatchObject({
      incident_key: event.incident_key,
      dead_letter: { status: 'replayed', replay: { corrected: false, incident_key: event.incident_key } },
    });
    expect(await finished(event.incident_key)).toBe('REMEDIATED');
  });

  it('needs an operator: 401 without a token, 403 for sensor and viewer, 200 for operator', async () => {
    const { schema } = await oneOfEach();
    const routes: Array<[string, string]> = [
      ['GET', '/v1/deadletters'],
      ['GET', `/v1/deadletters/${schema.id}`],
      ['POST', `/v1/deadletters/${schema.id}/replay`],
    ];
    for (const [method, route] of routes) {
      const none = await api.call(method, route, { role: 'none' });
      expect(none.status).toBe(401);
      expect(none.body.error.code).toBe('unauthenticated');
      for (const role of ['sensor', 'viewer'] as const) {
        const denied = await api.call(method, route, { role });
        expect(denied.status).toBe(403);
        expect(denied.body.error.message).toMatch(/needs operator$/);
      }
    }
    expect((await api.call('GET', '/v1/deadletters', { role: 'operator' })).status).toBe(200);
    expect((await api.call('GET', `/v1/deadletters/${schema.id}`, { role: 'operator' })).status).toBe(200);
  });
});

describe('lazarus deadletters', () => {
  async function lazarus(
    args: string[],
    token: string | null = 'dev-operator-token',
  ): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCli([...args, '--url', api.server.url, ...(token ? ['--token', token] : [])], {
      stdout: (t) => void (out += t),
      stderr: (t) => void (err += t),
      cwd: os.tmpdir(),
      now: () => Date.now(),
    });
    return { code, out, err };
  }

  it('list shows a table and --json the API answer; show prints the payload; replay submits a corrected file', async () => {
    const letters = await oneOfEach();
    const table = await until(
      () => lazarus(['deadletters', 'list', '--limit', '500']),
      (r) => r.out.includes(letters.oversize.id),
    );
    expect(table.code).toBe(0);
    const lines = table.out.split('\n');
    expect(lines[0]).toMatch(/^DEAD-LETTERED\s+ID\s+REASON\s+STREAM\/SHARD\s+SIZE\s+STATUS\s+DETAIL$/);
    const schemaLine = lines.find((line) => line.includes(letters.schema.id));
    expect(schemaLine).toMatch(
      new RegExp(
        `schema\\s+${stream}/shardId-000000000000\\s+${letters.schema.size_bytes} B\\s+pending\\s+environment:`,
      ),
    );
    const json = await lazarus(['deadletters', 'list', '--reason', 'oversize', '--status', 'all', '--json']);
    const parsed = JSON.parse(json.out) as { dead_letters: Array<{ id: string; reason: string }> };
    expect(parsed.dead_letters.map((d) => d.id)).toContain(letters.oversize.id);
    expect(parsed.dead_letters.every((d) => d.reason === 'oversize')).toBe(true);

    const shown = await lazarus(['deadletters', 'show', letters.schema.id]);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/status\s+pending/);
    expect(shown.out).toMatch(/reason\s+schema/);
    expect(shown.out).toContain(`sequence ${(letters.schema.source as StreamPosition).sequence_number}`);
    expect(shown.out).toContain('"environment": "qa"');
    expect(shown.out).toContain(`lazarus deadletters replay ${letters.schema.id}`);
    const shownJson = JSON.parse((await lazarus(['deadletters', 'show', letters.schema.id, '--json'])).out) as {
      payload_base64: string;
    };
    expect(shownJson.payload_base64).toBe(letters.schema.payload_base64);

    const stored = await lazarus(['deadletters', 'replay', letters.schema.id]);
    expect(stored.code).toBe(1);
    expect(stored.err).toMatch(/environment: must be one of: dev, stage, prod.*\(422\)/);
    expect(stored.err).toContain('stays pending');

    const fixed = { ...h.event(), environment: 'prod' };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lazarus-dl-')), 'fixed.json');
    fs.writeFileSync(file, JSON.stringify(fixed));
    const replayed = await lazarus(['deadletters', 'replay', letters.schema.id, '--payload', file]);
    expect(replayed).toMatchObject({
      code: 0,
      out: `replayed ${letters.schema.id} as incident ${fixed.incident_key}: remediation started\nfollow it: lazarus events show ${fixed.incident_key}\n`,
    });
    expect(await finished(fixed.incident_key)).toBe('REMEDIATED');
    const replayedShow = await lazarus(['deadletters', 'show', letters.schema.id]);
    expect(replayedShow.out).toMatch(
      new RegExp(`status\\s+replayed: replayed by operator:\\w+ at .* as incident ${fixed.incident_key}`),
    );
    expect(replayedShow.out).toContain('with a corrected payload');

    const again = await lazarus(['deadletters', 'replay', letters.schema.id, '--payload', file]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/is replayed, not pending.*\(409\)/);
  });

  it('exit codes: 4 for an unknown id, 3 for a viewer token, 2 for bad usage or an unreadable --payload', async () => {
    expect((await lazarus(['deadletters', 'show', `${stream}.shardId-000000000000.9`])).code).toBe(4);
    expect((await lazarus(['deadletters', 'list'], 'dev-viewer-token')).code).toBe(3);
    expect((await lazarus(['deadletters', 'list'], null)).code).toBe(3);
    expect((await lazarus(['deadletters', 'replay'])).code).toBe(2);
    expect((await lazarus(['deadletters', 'show', 'x', '--reason', 'schema'])).code).toBe(2);
    const missing = await lazarus(['deadletters', 'replay', 'x', '--payload', '/nonexistent/fix.json']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--payload: cannot read /nonexistent/fix.json');
    const help = await lazarus(['deadletters', '--help']);
    expect(help.out).toContain('Usage: lazarus deadletters');
    expect(help.out).toContain('Examples:');
  });
});
