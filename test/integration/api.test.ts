// The REST API against the real dev server (remediations run by RemediationHarness workers) and moto's Kinesis.
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON that the assertions check; jest matchers are typed any */
import { randomUUID } from 'node:crypto';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createAwsClients } from '../../platform/aws-clients';
import { routes } from '../../api';
import { reportServiceUpdate } from '../../contracts/messages';
import { startTestApi, type TestApi } from '../support/api-client';
import { testAwsClients } from '../support/aws';
import { sample } from '../support/prometheus';
import { RemediationHarness, step } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';
import { until } from '../support/wait';
import { regionalGovernorId } from '../../contracts/workflow-ids';

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
beforeAll(() => ({ env } = stack));

async function withApi<T>(
  h: RemediationHarness,
  fn: (api: TestApi) => Promise<T>,
  options: Parameters<typeof startTestApi>[1] = {},
): Promise<T> {
  const api = await startTestApi({ temporal: env.client, taskQueue: h.taskQueue, region: h.region }, options);
  try {
    return await fn(api);
  } finally {
    await api.server.close();
  }
}

describe('REST API: access and input', () => {
  let api: TestApi;
  const h = () => new RemediationHarness(env);
  beforeAll(async () => {
    const harness = h();
    api = await startTestApi({ temporal: env.client, taskQueue: harness.taskQueue, region: harness.region });
  });
  afterAll(async () => {
    await api?.server.close();
  });

  it('serves /healthz, /metrics and an OpenAPI document of every route without a token', async () => {
    expect(await api.call('GET', '/healthz', { role: 'none' })).toMatchObject({ status: 200, body: { ok: true } });
    const metrics = await api.call('GET', '/metrics', { role: 'none' });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('lazarus_events_received_total');
    const doc = await api.call('GET', '/openapi.json', { role: 'none' });
    expect(doc.body.openapi).toMatch(/^3\./);
    for (const route of routes) expect(doc.body.paths[route.path][route.method.toLowerCase()]).toBeDefined();
  });

  it('401 without a token or with an unknown one, in the error shape and without a stack', async () => {
    const none = await api.call('GET', '/v1/events', { role: 'none' });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({
      error: { code: 'unauthenticated', message: expect.any(String) },
      request_id: none.headers.get('x-request-id'),
    });
    expect(none.text).not.toMatch(/at .*\.ts:\d+/);
    expect((await api.call('GET', '/v1/events', { token: 'not-a-token' })).status).toBe(401);
  });

  it('403 when the role does not allow the route; operator may do what viewer and sensor do', async () => {
    const event = new RemediationHarness(env).event();
    expect((await api.call('POST', '/v1/events', { role: 'viewer', body: event })).status).toBe(403);
    expect((await api.call('GET', '/v1/events', { role: 'sensor' })).status).toBe(403);
    expect((await api.call('GET', '/v1/killswitch', { role: 'sensor' })).status).toBe(403);
    const put = { scope: 'global', enabled: false, reason: 'test' };
    expect((await api.call('PUT', '/v1/killswitch', { role: 'viewer', body: put })).body.error.code).toBe('forbidden');
    expect((await api.call('POST', '/v1/events/x/pause', { role: 'viewer', body: {} })).status).toBe(403);
    expect((await api.call('GET', '/v1/events?limit=1', { role: 'viewer' })).status).toBe(200);
    expect((await api.call('GET', '/v1/events?limit=1', { role: 'operator' })).status).toBe(200);
  });

  it('400 naming the field of a schema error; 400 for invalid JSON and a bad limit', async () => {
    const event = { ...new RemediationHarness(env).event(), environment: 'qa' };
    const bad = await api.call('POST', '/v1/events', { role: 'sensor', body: event });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    expect(bad.body.error.message).toMatch(/^environment: /);
    const notJson = await api.call('POST', '/v1/events', { role: 'sensor', raw: '{"incident_key": ' });
    expect(notJson.status).toBe(400);
    expect((await api.call('GET', '/v1/events?limit=0', { role: 'viewer' })).body.error.message).toMatch(/^limit: /);
    const metrics = await api.call('GET', '/metrics', { role: 'none' });
    expect(metrics.text).toMatch(/lazarus_events_rejected_total\{reason="schema"\} [1-9]/);
  });

  it('413 for a body over 64 KiB, 415 for a body that is not JSON', async () => {
    const big = await api.call('POST', '/v1/events', { role: 'sensor', raw: `{"x":"${'a'.repeat(70 * 1024)}"}` });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    const text = await api.call('POST', '/v1/events', { role: 'sensor', raw: 'hello', contentType: 'text/plain' });
    expect(text.status).toBe(415);
  });

  it('404 for an unknown incident key and an unknown route, 405 for a wrong method', async () => {
    const unknown = await api.call('GET', `/v1/events/nope-${randomUUID()}`, { role: 'viewer' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    expect((await api.call('GET', '/v2/nothing', { role: 'viewer' })).status).toBe(404);
    expect((await api.call('DELETE', '/v1/killswitch', { role: 'operator' })).status).toBe(405);
  });

  it('sensor payloads go through the adapters; ignored ones answer 202 { ignored }, unusable ones a dead letter', async () => {
    const recovery = { NOTIFICATIONTYPE: 'RECOVERY', HOSTNAME: 'web-1', HOSTSTATE: 'UP' };
    const ignored = await api.call('POST', '/v1/sensors/nagios', { role: 'sensor', body: recovery });
    expect(ignored).toMatchObject({ status: 202, body: { ignored: expect.stringContaining('RECOVERY') } });
    const malformed = { NOTIFICATIONTYPE: 'PROBLEM', HOSTNAME: 'web-1', HOSTSTATE: 'DOWN', HOSTSTATETYPE: 'MAYBE' };
    // a vendor drops a 4xx answer, and the alert with it: kept as a dead letter naming the field instead
    const kept = await api.call('POST', '/v1/sensors/nagios', { role: 'sensor', body: malformed });
    expect(kept).toMatchObject({
      status: 202,
      body: { dead_letter: expect.stringMatching(/^sensor:nagios:/), reason: 'invalid_field', field: 'HOSTSTATETYPE' },
    });
    const problem = {
      ...malformed,
      HOSTNAME: 'i-0abc1234def567890',
      HOSTSTATETYPE: 'HARD',
      HOSTPROBLEMID: randomUUID(),
    };
    const sick = { ...problem, _HOSTSERVICE: 'web', _HOSTENVIRONMENT: 'prod' };
    const accepted = await api.call('POST', '/v1/sensors/nagios', { role: 'sensor', body: sick });
    expect(accepted.status).toBe(202);
    expect(accepted.body.events).toEqual([
      expect.objectContaining({ incident_key: `nagios/i-0abc1234def567890/host/${problem.HOSTPROBLEMID}` }),
    ]);
    const workflowId = String(accepted.body.events[0].workflow_id);
    const described = await env.client.workflow.getHandle(workflowId).describe();
    expect(described.type).toBe('remediate');
    await env.client.workflow.getHandle(workflowId).terminate('test over');
  });
});

describe('REST API: remediations', () => {
  it('a submitted event starts a remediation that completes and shows its outcome and trace; a repeat is a duplicate', async () => {
    const h = new RemediationHarness(env);
    const event = h.event();
    await h.run(() =>
      withApi(h, async (api) => {
        const submitted = await api.call('POST', '/v1/events', { role: 'sensor', body: event });
        expect(submitted.status).toBe(202);
        expect(submitted.body).toMatchObject({
          incident_key: event.incident_key,
          sequence_number: null,
          duplicate: false,
        });
        const again = await api.call('POST', '/v1/events', { role: 'sensor', body: event });
        expect(again.body.duplicate).toBe(true);

        const path = `/v1/events/${encodeURIComponent(event.incident_key)}`;
        const shown = await until(
          () => api.call('GET', path, { role: 'viewer' }),
          // the outcome is in the trace a moment before the workflow closes (resolve, notify): wait for the close
          (r) => r.body.status === 'COMPLETED',
        );
        expect(shown.body).toMatchObject({
          incident_key: event.incident_key,
          outcome: 'REMEDIATED',
          status: 'COMPLETED',
        });
        expect(shown.body.trace.gates.map((g: { gate: string }) => g.gate)).toEqual(
          expect.arrayContaining(['rule', 'quorum']),
        );

        const listed = await until(
          () => api.call('GET', `/v1/events?service=${h.service}&outcome=REMEDIATED`, { role: 'viewer' }),
          (r) => r.body.events?.length === 1,
        );
        expect(listed.body.events[0]).toMatchObject({
          incident_key: event.incident_key,
          service: h.service,
          host: h.sickHost,
        });

        const governor = await api.call('GET', `/v1/governor?service=${h.service}`, { role: 'viewer' });
        expect(governor.status).toBe(200);
        expect(governor.body.services[0]).toMatchObject({ service: h.service });
        expect(governor.body.services[0].events.length).toBeGreaterThanOrEqual(1);

        const metrics = await api.call('GET', '/metrics', { role: 'none' });
        expect(metrics.text).toMatch(/lazarus_workflows_started_total 1/);
        expect(metrics.text).toMatch(/lazarus_event_duplicates_total 1/);
        expect(metrics.text).toMatch(/lazarus_events_received_total\{source="api"\} 2/);
      }),
    );
  });

  it('pause and cancel reach the running remediation, recorded with the operator as actor', async () => {
    let release!: () => void;
    let enter!: () => void;
    const entered = new Promise<void>((r) => (enter = r));
    const gate = new Promise<void>((r) => (release = r));
    const h = new RemediationHarness(env, {
      steps: [step('drain', 'drainHost'), step('clone', 'cloneHost', ['drain'])],
      stepBehaviour: {
        cloneHost: async () => {
          enter();
          await gate;
          return {};
        },
      },
    });
    const event = h.event();
    const key = encodeURIComponent(event.incident_key);
    await h.run(() =>
      withApi(h, async (api) => {
        expect((await api.call('POST', '/v1/events', { role: 'sensor', body: event })).status).toBe(202);
        await entered;
        const paused = await api.call('POST', `/v1/events/${key}/pause`, { body: { reason: 'looking at it' } });
        expect(paused).toMatchObject({
          status: 202,
          body: { action: 'pause', actor: expect.stringMatching(/^operator:/) },
        });
        const shown = await until(
          () => api.call('GET', `/v1/events/${key}`, { role: 'viewer' }),
          (r) => r.body.trace?.paused !== undefined,
        );
        expect(shown.body.status).toBe('RUNNING');
        expect(shown.body.outcome).toBeUndefined();
        expect(shown.body.trace.paused).toMatchObject({ reason: 'looking at it', actor: paused.body.actor });

        expect((await api.call('POST', `/v1/events/${key}/resume`)).status).toBe(202);
        expect((await api.call('POST', `/v1/events/${key}/cancel`, { body: { reason: 'wrong host' } })).status).toBe(
          202,
        );
        const done = await until(
          () => api.call('GET', `/v1/events/${key}`, { role: 'viewer' }),
          (r) => r.body.outcome !== undefined,
        );
        release();
        expect(done.body.outcome).toBe('CANCELLED');
        expect(done.body.reason).toContain('operator:');
      }),
    );
  });

  it('kill switch: PUT records who and why, GET reads it back; shadow likewise; bad scope is a 400', async () => {
    const h = new RemediationHarness(env);
    await h.run(() =>
      withApi(h, async (api) => {
        const before = await api.call('GET', '/v1/killswitch', { role: 'viewer' });
        expect(before.body).toMatchObject({ region: h.region, kill_switch: {} });
        const put = await api.call('PUT', '/v1/killswitch', {
          body: { scope: 'host_replacement', enabled: true, reason: 'bad deploy' },
        });
        expect(put.status).toBe(200);
        const after = await api.call('GET', '/v1/killswitch', { role: 'viewer' });
        expect(after.body.kill_switch.host_replacement).toMatchObject({
          enabled: true,
          reason: 'bad deploy',
          actor: expect.stringMatching(/^operator:/),
        });
        const shadow = await api.call('PUT', '/v1/shadow', {
          body: { scope: `service:${h.service}`, enabled: true, reason: 'trial' },
        });
        expect(shadow.body.shadow[`service:${h.service}`]).toMatchObject({ enabled: true });
        const bad = await api.call('PUT', '/v1/killswitch', {
          body: { scope: 'everything', enabled: true, reason: 'x' },
        });
        expect(bad.status).toBe(400);
        expect(bad.body.error.message).toMatch(/^scope: /);
      }),
    );
  });
});

describe("REST API: the region's state on /metrics", () => {
  it('shows the kill switch by scope as operators set it, and the breaker open with its failing services', async () => {
    const h = new RemediationHarness(env);
    const killSwitch = (scope: string) => `lazarus_killswitch_enabled{region="${h.region}",scope="${scope}"}`;
    const breakerOpen = `lazarus_breaker_open{region="${h.region}"}`;
    const failingServices = `lazarus_breaker_failing_services{region="${h.region}"}`;
    await h.run(async () => {
      await withApi(h, async (api) => {
        const scrape = async () => (await api.call('GET', '/metrics', { role: 'none' })).text;
        // nothing set yet in this region: every scope off, the breaker closed
        const initial = await scrape();
        expect(
          [killSwitch('global'), killSwitch('host_replacement'), killSwitch('autoscaling')].map((k) =>
            sample(initial, k),
          ),
        ).toEqual([0, 0, 0]);
        expect([sample(initial, breakerOpen), sample(initial, failingServices)]).toEqual([0, 0]);

        const put = (enabled: boolean) =>
          api.call('PUT', '/v1/killswitch', { body: { scope: 'global', enabled, reason: 'metrics test' } });
        expect((await put(true)).status).toBe(200);
        const on = await scrape();
        expect(sample(on, killSwitch('global'))).toBe(1);
        expect(sample(on, killSwitch('host_replacement'))).toBe(0);
        expect((await put(false)).status).toBe(200);
        expect(sample(await scrape(), killSwitch('global'))).toBe(0);
      });

      // An API whose cached read lasts 1 s (5 s by default), so the wait below for its expiry is short.
      await withApi(
        h,
        async (api) => {
          const scrape = async () => (await api.call('GET', '/metrics', { role: 'none' })).text;
          // the read now cached: the breaker closed
          expect(sample(await scrape(), breakerOpen)).toBe(0);
          // two services of the region start failing, reaching the breaker's open threshold
          const governor = await env.client.workflow.start('regionalGovernor', {
            taskQueue: h.taskQueue,
            workflowId: regionalGovernorId(h.region),
            args: [{ region: h.region }],
          });
          try {
            for (const service of ['a', 'b']) {
              await governor.executeUpdate(reportServiceUpdate, {
                args: [{ service, failing: true, at: Date.now(), breaker: { open_threshold: 2, close_threshold: 0 } }],
              });
            }
            // the gauges come from a cached read (a kill switch change through the API forgets it, above; a breaker
            // change made elsewhere shows once the cached read has expired)
            const open = await until(scrape, (text) => sample(text, breakerOpen) === 1);
            expect([sample(open, breakerOpen), sample(open, failingServices)]).toEqual([1, 2]);
          } finally {
            await governor.terminate('test over');
          }
        },
        { metricsCacheMs: 1000 },
      );
    });
  });
});

describe('REST API: Kinesis and unreachable dependencies', () => {
  it('with a stream configured, POST /v1/events puts the event on it with the service as partition key', async () => {
    const aws = testAwsClients();
    const streamName = `api-${randomUUID().slice(0, 8)}`;
    await aws.kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 1 }));
    await waitUntilStreamExists({ client: aws.kinesis, maxWaitTime: 30 }, { StreamName: streamName });
    const h = new RemediationHarness(env);
    const api = await startTestApi({
      temporal: env.client,
      taskQueue: h.taskQueue,
      region: h.region,
      kinesis: { client: aws.kinesis, streamName },
    });
    try {
      const event = h.event();
      const submitted = await api.call('POST', '/v1/events', { role: 'sensor', body: event });
      expect(submitted.status).toBe(202);
      expect(submitted.body.sequence_number).toMatch(/^\d+$/);
      const shards = await aws.kinesis.send(new ListShardsCommand({ StreamName: streamName }));
      const iterator = await aws.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: shards.Shards![0].ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const records = await aws.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }));
      expect(records.Records).toHaveLength(1);
      expect(records.Records![0].PartitionKey).toBe(h.service);
      expect(JSON.parse(Buffer.from(records.Records![0].Data!).toString('utf8'))).toEqual(event);
    } finally {
      await api.server.close();
    }
  });

  it('503 with a clear message when Temporal or Kinesis cannot be reached, counted; the server keeps serving', async () => {
    // No client retry interceptor: its retry timers would outlive this test and hit the closed channel in
    // whichever test file runs next in this jest worker ("Channel has been shut down").
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1s', interceptors: [] });
    const deadKinesis = createAwsClients({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1' }, { maxAttempts: 1 });
    const h = new RemediationHarness(env);
    const api = await startTestApi({
      temporal: new Client({ connection }),
      taskQueue: h.taskQueue,
      region: h.region,
      kinesis: { client: deadKinesis.kinesis, streamName: 'nowhere' },
    });
    try {
      const list = await api.call('GET', '/v1/events', { role: 'viewer' });
      expect(list.status).toBe(503);
      expect(list.body.error).toMatchObject({
        code: 'dependency_unavailable',
        message: expect.stringMatching(/^temporal unavailable: /),
      });
      const put = await api.call('POST', '/v1/events', { role: 'sensor', body: h.event() });
      expect(put.status).toBe(503);
      expect(put.body.error.message).toMatch(/^kinesis unavailable: stream nowhere/);
      expect((await api.call('GET', '/healthz', { role: 'none' })).status).toBe(200);
      const metrics = await api.call('GET', '/metrics', { role: 'none' });
      expect(metrics.status).toBe(200);
      expect(metrics.text).toMatch(/lazarus_api_dependency_errors_total\{dependency="temporal"\} 1/);
      expect(metrics.text).toMatch(/lazarus_api_dependency_errors_total\{dependency="kinesis"\} 1/);
      // the breaker and kill switch gauges are left out of a scrape Temporal does not answer, which is counted
      const started = Date.now();
      const next = await api.call('GET', '/metrics', { role: 'none' });
      expect(Date.now() - started).toBeLessThan(4000);
      expect(next.status).toBe(200);
      expect(next.text).not.toMatch(/^lazarus_(killswitch_enabled|breaker_open|breaker_failing_services)\{/m);
      expect(next.text).toMatch(/lazarus_api_dependency_errors_total\{dependency="temporal"\} 2/);
    } finally {
      await api.server.close();
      deadKinesis.kinesis.destroy();
      await connection.close().catch(() => undefined);
    }
  });
});
