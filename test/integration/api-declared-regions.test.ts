// The REST API knows the declared regions (services/deployment.yaml): an event or a kill-switch/shadow change naming
// another region is a 400 naming `region`, and no control/<typo> entity is created.
/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON that the assertions check */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { controlId } from '../../contracts/workflow-ids';
import { startTestApi, type TestApi } from '../support/api-client';
import { RemediationHarness } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
beforeAll(() => ({ env } = stack));

async function exists(workflowId: string): Promise<boolean> {
  try {
    await env.client.workflow.getHandle(workflowId).describe();
    return true;
  } catch {
    return false;
  }
}

describe('REST API: declared regions', () => {
  let api: TestApi;
  let h: RemediationHarness;
  beforeAll(async () => {
    h = new RemediationHarness(env);
    api = await startTestApi({
      temporal: env.client,
      taskQueue: h.taskQueue,
      region: h.region,
      declaredRegions: [h.region, 'eu-west-1'],
    });
  });
  afterAll(async () => {
    await api?.server.close();
  });

  it('POST /v1/events of an undeclared region: 400 naming region; nothing is started', async () => {
    const event = h.event({ region: 'us-east-1x' });
    const refused = await api.call('POST', '/v1/events', { role: 'sensor', body: event });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_request');
    expect(refused.body.error.message).toMatch(
      /^region: "us-east-1x" is not a region declared in services\/deployment\.yaml/,
    );
    expect(await exists(`event/${event.incident_key}`)).toBe(false);
    const metrics = await api.call('GET', '/metrics', { role: 'none' });
    expect(metrics.text).toMatch(/lazarus_events_rejected_total\{reason="unknown_region"\} [1-9]/);
  });

  it('refuses a kill switch, a shadow change or a control read for an undeclared region, creating nothing', async () => {
    const put = { scope: 'global', enabled: true, reason: 'typo test' };
    for (const path of ['/v1/killswitch', '/v1/shadow']) {
      const refused = await api.call('PUT', `${path}?region=us-east-1x`, { role: 'operator', body: put });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(/^region: /);
    }
    const read = await api.call('GET', '/v1/killswitch?region=us-east-1x', { role: 'viewer' });
    expect(read.status).toBe(400);
    expect(read.body.error.message).toMatch(/^region: /);
    expect(await exists(controlId('us-east-1x'))).toBe(false);
  });

  it('a declared region is served: a kill switch set there is read back', async () => {
    const put = { scope: 'global', enabled: true, reason: 'freeze for the test' };
    const read = await h.run(async () => {
      const set = await api.call('PUT', `/v1/killswitch?region=${h.region}`, { role: 'operator', body: put });
      expect(set.status).toBe(200);
      return await api.call('GET', `/v1/killswitch?region=${h.region}`, { role: 'viewer' });
    });
    expect(read.body).toMatchObject({ region: h.region, kill_switch: { global: { enabled: true } } });
  });
});
