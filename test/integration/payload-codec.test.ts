// The payload codec on the real dev server: a workflow run by a worker and client with LAZARUS_PAYLOAD_KEY keeps
// only `binary/encrypted` payloads in its stored history (no plaintext), its result still reads back through the
// codec, and the codec endpoint decodes the stored payloads for the `temporal` CLI (--codec-endpoint) and the Web UI
// (CORS, bearer token).
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { projectRoot } from '../../devstack/paths';
import { serveCodec, type RunningCodecServer } from '../../platform/codec-server';
import { AesGcmPayloadCodec, readPayloadCodecSettings, temporalDataConverter } from '../../platform/payload-codec';
import { inspectHost } from '../../workflows';
import { stackValue } from '../support/stack-env';
import { connectTestEnv, createTestWorker, uniqueTaskQueue } from '../support/temporal';

const keyEnv = { LAZARUS_PAYLOAD_KEY: randomBytes(32).toString('base64'), LAZARUS_PAYLOAD_KEY_ID: 'test-key' };
const marker = `PLAINTEXT-MARKER-${randomUUID()}`;
const instanceId = `i-${marker}`;
const authToken = randomUUID();
let env: TestWorkflowEnvironment;
let codecServer: RunningCodecServer;
const workflowId = `codec-test/${randomUUID()}`;

beforeAll(async () => {
  env = await connectTestEnv();
  codecServer = await serveCodec({
    codec: new AesGcmPayloadCodec(readPayloadCodecSettings(keyEnv)!),
    port: 0,
    authToken,
  });
  const taskQueue = uniqueTaskQueue('codec');
  const worker = await createTestWorker(env, {
    taskQueue,
    // a stand-in for the EC2 activity: its result carries the marker too
    activities: { describeInstance: (id: string) => Promise.resolve({ instanceId: id, note: marker }) },
    ...temporalDataConverter(keyEnv),
  });
  const client = new Client({ connection: env.connection, namespace: env.namespace, ...temporalDataConverter(keyEnv) });
  const result = await worker.runUntil(
    client.workflow.execute(inspectHost, { taskQueue, workflowId, args: [instanceId] }),
  );
  // through the codec, the result reads back as it was written
  expect(result).toEqual({ instanceId, note: marker });
});

afterAll(async () => {
  await codecServer?.close();
  await env?.teardown();
});

function payloadsOf(history: temporal.api.history.v1.IHistory): temporal.api.common.v1.IPayload[] {
  const found: temporal.api.common.v1.IPayload[] = [];
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return;
    if (Array.isArray(value)) return value.forEach(walk);
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.payloads)) found.push(...(record.payloads as temporal.api.common.v1.IPayload[]));
    Object.values(record).forEach(walk);
  };
  walk(history);
  return found;
}

it('stores only encrypted payloads: no plaintext anywhere in the history', async () => {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const payloads = payloadsOf(history);
  // workflow input, activity input, activity result, workflow result
  expect(payloads.length).toBeGreaterThanOrEqual(4);
  for (const p of payloads) {
    expect(Buffer.from(p.metadata!.encoding).toString()).toBe('binary/encrypted');
    expect(Buffer.from(p.metadata!['encryption-key-id']).toString()).toBe('test-key');
  }
  const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
  expect(bytes.includes(marker)).toBe(false);
  expect(bytes.includes('json/plain')).toBe(false);
});

it('the codec endpoint decodes the stored payloads, for holders of its token only', async () => {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const input = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
  const body = JSON.stringify({
    payloads: [
      {
        metadata: Object.fromEntries(
          Object.entries(input.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(input.data!).toString('base64'),
      },
    ],
  });
  const post = (headers: Record<string, string>): Promise<Response> =>
    fetch(`${codecServer.url}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': env.namespace ?? 'default', ...headers },
      body,
    });
  expect((await post({})).status).toBe(401);
  expect((await post({ authorization: 'Bearer wrong' })).status).toBe(401);
  const answer = await post({ authorization: `Bearer ${authToken}`, origin: 'http://localhost:8233' });
  expect(answer.status).toBe(200);
  expect(answer.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
  const decoded = (await answer.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
  expect(Buffer.from(decoded.payloads[0].metadata.encoding, 'base64').toString()).toBe('json/plain');
  expect(JSON.parse(Buffer.from(decoded.payloads[0].data, 'base64').toString())).toBe(instanceId);

  // the Web UI's preflight: allowed for its origin, refused for another
  const preflight = (origin: string): Promise<Response> =>
    fetch(`${codecServer.url}/decode`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
  const ok = await preflight('http://localhost:8233');
  expect(ok.status).toBe(204);
  expect(ok.headers.get('access-control-allow-headers')).toContain('x-namespace');
  expect((await preflight('http://evil.example')).status).toBe(403);
});

it('the temporal CLI shows the decrypted history through --codec-endpoint, and not without it', async () => {
  const run = promisify(execFile);
  const cli = path.join(projectRoot, '.venv', 'bin', 'temporal');
  const args = [
    'workflow',
    'show',
    '-w',
    workflowId,
    '--address',
    stackValue('temporalAddress'),
    '--namespace',
    env.namespace ?? 'default',
    '-o',
    'json',
  ];
  // `-o json` prints payloads as stored proto JSON: metadata and data in base64
  const b64 = (text: string): string => Buffer.from(text).toString('base64');
  const firstInput = (stdout: string): { metadata: Record<string, string>; data: string } =>
    (
      JSON.parse(stdout) as {
        events: Array<{ workflowExecutionStartedEventAttributes?: { input: { payloads: never[] } } }>;
      }
    ).events[0].workflowExecutionStartedEventAttributes!.input.payloads[0];
  const plain = await run(cli, args);
  expect(firstInput(plain.stdout).metadata.encoding).toBe(b64('binary/encrypted'));
  expect(plain.stdout).not.toContain(b64(JSON.stringify(instanceId)));
  const decoded = await run(cli, [...args, '--codec-endpoint', codecServer.url, '--codec-auth', `Bearer ${authToken}`]);
  const input = firstInput(decoded.stdout);
  expect(input.metadata.encoding).toBe(b64('json/plain'));
  expect(JSON.parse(Buffer.from(input.data, 'base64').toString())).toBe(instanceId);
});
