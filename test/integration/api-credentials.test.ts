// API credentials on the real server (dev Temporal, moto's Kinesis): development tokens only when enabled and only on
// loopback, refusal to start with one line, sensor tokens limited to sources and event types, paths decoded after
// authentication, the per-token rate limit, errors that name the dependency and a request id (never an address or
// ARN), and /metrics served from its cache while Temporal is unreachable.
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON that the assertions check */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApiMetrics, loadTokens, startApiServer } from '../../api';
import { sha256Hex } from '../../platform/content-hash';
import { startTestApi, type TestApi } from '../support/api-client';
import { testAwsClients } from '../support/aws';
import { sample } from '../support/prometheus';
import { RemediationHarness } from '../support/remediation-harness';
import { projectRoot, startSourceProcess } from '../support/source-process';
import { stackValue } from '../support/stack-env';
import { useTestStack } from '../support/test-stack';

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
beforeAll(() => ({ env } = stack));

const deps = (region = `cred-${randomUUID().slice(0, 8)}`) => ({
  temporal: env.client,
  taskQueue: `cred-${randomUUID()}`,
  region,
});

/** `node api/main.ts` (from source) with only `extra` and PATH in its environment: its exit code and stderr. */
async function runApiMain(extra: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['-r', path.join(projectRoot, 'test', 'support', 'ts-require.js'), path.join(projectRoot, 'api', 'main.ts')],
    {
      cwd: projectRoot,
      env: { PATH: process.env.PATH, LAZARUS_API_PORT: '0', ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  // Node's own warnings (e.g. the AWS SDK's about the Node version) are not the API's
  const ours = stderr
    .split('\n')
    .filter((line) => line.startsWith('lazarus api:'))
    .join('\n');
  return { code, stderr: ours };
}

describe('API credentials: starting', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazarus-api-cred-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses to start, with one line and exit 1: no token, a missing or unreadable file, dev tokens on 0.0.0.0', async () => {
    const missing = path.join(dir, 'nope.yaml');
    const [none, missingFile, unreadable, exposed] = await Promise.all([
      runApiMain({}),
      runApiMain({ LAZARUS_API_TOKENS_FILE: missing }),
      runApiMain({ LAZARUS_API_TOKENS_FILE: dir }),
      runApiMain({ LAZARUS_API_DEV_TOKENS: '1', LAZARUS_API_HOST: '0.0.0.0' }),
    ]);
    expect(none).toEqual({
      code: 1,
      stderr:
        'lazarus api: API tokens from the environment: no token configured: set LAZARUS_API_TOKENS or ' +
        'LAZARUS_API_TOKENS_FILE, or LAZARUS_API_DEV_TOKENS=1 for local development on a loopback address (docs/api.md)',
    });
    expect(missingFile).toEqual({
      code: 1,
      stderr: `lazarus api: API tokens from ${missing}: the file does not exist`,
    });
    expect(unreadable).toEqual({ code: 1, stderr: `lazarus api: API tokens from ${dir}: cannot read it (EISDIR)` });
    expect(exposed.code).toBe(1);
    expect(exposed.stderr).toMatch(
      /^lazarus api: API tokens from LAZARUS_API_DEV_TOKENS: the development tokens are allowed only on a loopback address \(127\.0\.0\.1, ::1, localhost\), not 0\.0\.0\.0: [^\n]+$/,
    );
  }, 60_000);

  it('starts with the development tokens when enabled on loopback, and says so', async () => {
    const api = await startSourceProcess({
      name: 'api',
      entry: 'api/main.ts',
      env: {
        PATH: process.env.PATH,
        LAZARUS_API_PORT: '0',
        LAZARUS_API_DEV_TOKENS: '1',
        TEMPORAL_ADDRESS: stackValue('temporalAddress'),
      },
      readyLine: 'listening on',
    });
    try {
      expect(api.output()).toContain('lazarus api: development tokens enabled (LAZARUS_API_DEV_TOKENS)');
      const url = /listening on (http:\/\/\S+)/.exec(api.output())![1];
      const answer = await fetch(`${url}/v1/events/x/pause`, {
        method: 'POST',
        headers: { authorization: 'Bearer dev-viewer-token' },
      });
      expect(answer.status).toBe(403);
    } finally {
      await api.stop();
    }
  }, 60_000);

  it('startApiServer itself refuses development tokens on an address other machines reach', async () => {
    await expect(
      startApiServer({
        deps: deps(),
        tokens: loadTokens({ LAZARUS_API_DEV_TOKENS: '1' }),
        metrics: createApiMetrics(),
        port: 0,
        host: '0.0.0.0',
      }),
    ).rejects.toThrow(/development tokens are allowed only on a loopback address/);
  });
});

describe('API credentials: requests', () => {
  const operatorToken = `op-${randomUUID()}`;
  const nagiosToken = `nagios-${randomUUID()}`;
  const scalerToken = `scaler-${randomUUID()}`;
  let api: TestApi;
  beforeAll(async () => {
    const tokens = loadTokens({
      LAZARUS_API_TOKENS: JSON.stringify({
        [sha256Hex(operatorToken)]: 'operator',
        [sha256Hex(nagiosToken)]: { role: 'sensor', sources: ['nagios'] },
        [sha256Hex(scalerToken)]: { role: 'sensor', event_types: ['ScaleUp', 'ScaleDown'] },
      }),
    });
    api = await startTestApi(deps(), { tokens });
  });
  afterAll(async () => {
    await api?.server.close();
  });

  it('the development tokens are refused when they are not enabled; a configured token works', async () => {
    for (const role of ['sensor', 'viewer', 'operator'] as const) {
      const answer = await api.call('GET', '/v1/events?limit=1', { role });
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('unauthenticated');
    }
    expect((await api.call('GET', '/v1/events?limit=1', { token: operatorToken })).status).toBe(200);
  });

  it('a malformed path: 401 without a token, 400 naming the parameter with one, never 500', async () => {
    for (const [method, target] of [
      ['GET', '/v1/events/%E0%A4%A'],
      ['POST', '/v1/events/%zz/pause'],
      ['GET', '/v1/deadletters/%'],
    ] as const) {
      const anonymous = await api.call(method, target, { role: 'none' });
      expect(anonymous.status).toBe(401);
      const known = await api.call(method, target, {
        token: operatorToken,
        ...(method === 'POST' ? { body: {} } : {}),
      });
      expect(known.status).toBe(400);
      expect(known.body.error.message).toMatch(/^(incident_key|id): malformed percent-encoding in the path$/);
    }
  });

  it('a sensor token limited to a source is refused for another source, with 403 naming why', async () => {
    const h = new RemediationHarness(env);
    const event = h.event();
    const fromApi = await api.call('POST', '/v1/events', { token: nagiosToken, body: { ...event, source: 'api' } });
    expect(fromApi.status).toBe(403);
    expect(fromApi.body.error).toMatchObject({
      code: 'forbidden',
      message: 'source: this token may submit events of source nagios only, not api',
    });
    const datadog = {
      id: randomUUID(),
      alert_id: '91234567',
      alert_transition: 'Triggered',
      alert_type: 'error',
      title: 'health check failing',
      date: String(Date.now()),
      hostname: 'i-0a1b2c3d4e5f67890',
      tags: 'env:production,host:i-0a1b2c3d4e5f67890,region:us-east-1,service:checkout',
    };
    const viaDatadog = await api.call('POST', '/v1/sensors/datadog', { token: nagiosToken, body: datadog });
    expect(viaDatadog.status).toBe(403);
    expect(viaDatadog.body.error.message).toBe(
      'source: this token may submit events of source nagios only, not datadog',
    );
    const scaled = await api.call('POST', '/v1/events', { token: scalerToken, body: event });
    expect(scaled.status).toBe(403);
    expect(scaled.body.error.message).toBe(
      `event_type: this token may submit event types ScaleUp, ScaleDown only, not ${event.event_type}`,
    );
    // its own source is accepted
    const problem = {
      NOTIFICATIONTYPE: 'PROBLEM',
      HOSTNAME: 'i-0abc1234def567890',
      HOSTSTATE: 'DOWN',
      HOSTSTATETYPE: 'HARD',
      HOSTPROBLEMID: randomUUID(),
      _HOSTSERVICE: 'web',
      _HOSTENVIRONMENT: 'prod',
    };
    const accepted = await api.call('POST', '/v1/sensors/nagios', { token: nagiosToken, body: problem });
    expect(accepted.status).toBe(202);
    await env.client.workflow.getHandle(String(accepted.body.events[0].workflow_id)).terminate('test over');
  });
});

describe('API credentials: rate limit', () => {
  it('429 with Retry-After once a token has used its burst; other tokens go on; it refills', async () => {
    const api = await startTestApi(deps(), { rateLimit: { perSecond: 1, burst: 3 } });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await api.call('GET', '/v1/events?limit=1', { role: 'viewer' })).status);
      expect(statuses).toEqual([200, 200, 200]);
      const limited = await api.call('GET', '/v1/events?limit=1', { role: 'viewer' });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('1');
      expect(limited.body).toEqual({
        error: {
          code: 'rate_limited',
          message: 'this token exceeded 1 requests per second (burst 3); retry after 1 s',
        },
        request_id: limited.headers.get('x-request-id'),
      });
      expect((await api.call('GET', '/v1/events?limit=1', { role: 'operator' })).status).toBe(200);
      // public routes are not limited
      expect((await api.call('GET', '/healthz', { role: 'none' })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await api.call('GET', '/v1/events?limit=1', { role: 'viewer' })).status).toBe(200);
    } finally {
      await api.server.close();
    }
  });
});

describe('API credentials: errors and the request id', () => {
  it('a 503 names the dependency and the request id; the address and ARN go only to the server log', async () => {
    const logged: Array<Record<string, unknown>> = [];
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1s', interceptors: [] });
    const aws = testAwsClients();
    const streamName = `missing-${randomUUID().slice(0, 8)}`;
    const api = await startTestApi(
      { ...deps(), temporal: new Client({ connection }), kinesis: { client: aws.kinesis, streamName } },
      { log: (entry) => logged.push(entry) },
    );
    try {
      const list = await api.call('GET', '/v1/events', { role: 'viewer', headers: { 'x-request-id': 'trace-42' } });
      expect(list.status).toBe(503);
      expect(list.headers.get('x-request-id')).toBe('trace-42');
      expect(list.body).toEqual({
        error: { code: 'dependency_unavailable', message: expect.stringMatching(/^temporal unavailable: /) },
        request_id: 'trace-42',
      });
      expect(list.text).not.toMatch(/127\.0\.0\.1|:1\b|ECONNREFUSED/);
      const temporalLog = logged.find((entry) => entry.request_id === 'trace-42');
      expect(temporalLog).toMatchObject({ dependency: 'temporal', detail: expect.any(String) });

      const put = await api.call('POST', '/v1/events', { role: 'sensor', body: new RemediationHarness(env).event() });
      expect(put.status).toBe(503);
      const requestId = put.headers.get('x-request-id');
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(put.body).toEqual({
        error: {
          code: 'dependency_unavailable',
          message: `kinesis unavailable: stream ${streamName} did not take the event (details in the server log under this request_id)`,
        },
        request_id: requestId,
      });
      expect(put.text).not.toMatch(/arn:aws|\d{12}|127\.0\.0\.1/);
      const kinesisLog = logged.find((entry) => entry.request_id === requestId);
      expect(kinesisLog).toMatchObject({ dependency: 'kinesis', detail: expect.stringContaining(streamName) });
      expect(String(kinesisLog!.detail).length).toBeGreaterThan(`stream ${streamName}: `.length);
    } finally {
      await api.server.close();
      await connection.close().catch(() => undefined);
      aws.kinesis.destroy();
    }
  });

  it('every answer has an x-request-id, and every error body the same request_id', async () => {
    const api = await startTestApi(deps());
    try {
      const ok = await api.call('GET', '/healthz', { role: 'none' });
      expect(ok.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      for (const answer of [
        await api.call('GET', '/v2/nothing', { role: 'viewer' }),
        await api.call('GET', '/v1/events?limit=0', { role: 'viewer' }),
        await api.call('GET', '/v1/events', { role: 'none' }),
      ]) {
        expect(answer.body.error.code).toEqual(expect.any(String));
        expect(answer.body.request_id).toBe(answer.headers.get('x-request-id'));
      }
    } finally {
      await api.server.close();
    }
  });
});

describe('API credentials: /metrics from its cache', () => {
  it('within the cache time, /metrics answers from the last read while Temporal is unreachable; then leaves them out', async () => {
    // Temporal behind a proxy this test can cut
    const [temporalHost, temporalPort] = stackValue('temporalAddress').split(':');
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((inbound) => {
      const outbound = net.connect(Number(temporalPort), temporalHost);
      for (const socket of [inbound, outbound]) {
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => sockets.delete(socket));
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyAddress = `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    const connection = await Connection.connect({ address: proxyAddress, connectTimeout: '1s', interceptors: [] });
    const region = `cache-${randomUUID().slice(0, 8)}`;
    const temporal = new Client({ connection, namespace: stackValue('temporalNamespace') });
    const cacheMs = 4000;
    const api = await startTestApi({ ...deps(region), temporal }, { metricsCacheMs: cacheMs });
    const killSwitch = `lazarus_killswitch_enabled{region="${region}",scope="global"}`;
    const breakerOpen = `lazarus_breaker_open{region="${region}"}`;
    const temporalErrors = 'lazarus_api_dependency_errors_total{dependency="temporal"}';
    try {
      const scrape = async () => (await api.call('GET', '/metrics', { role: 'none' })).text;
      const first = await scrape();
      const readAt = Date.now();
      expect([sample(first, killSwitch), sample(first, breakerOpen)]).toEqual([0, 0]);

      // Temporal becomes unreachable: the proxy refuses and drops every connection
      proxy.close();
      for (const socket of sockets) socket.destroy();

      const started = Date.now();
      const cached = await scrape();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(Date.now() - readAt).toBeLessThan(cacheMs);
      expect([sample(cached, killSwitch), sample(cached, breakerOpen)]).toEqual([0, 0]);
      expect(sample(cached, temporalErrors) ?? 0).toBe(0);

      await new Promise((resolve) => setTimeout(resolve, cacheMs - (Date.now() - readAt) + 100));
      const expired = await scrape();
      expect(sample(expired, killSwitch)).toBeUndefined();
      expect(sample(expired, breakerOpen)).toBeUndefined();
      const counted = await scrape(); // the failed read is cached too: counted once, not on every scrape
      expect(sample(counted, temporalErrors)).toBe(1);
      expect(sample(await scrape(), temporalErrors)).toBe(1);
    } finally {
      await api.server.close();
      proxy.close();
      for (const socket of sockets) socket.destroy();
      await connection.close().catch(() => undefined);
    }
  }, 30_000);
});
