// Edge validation on the real POST /v1/events route (issue 13, item 6): an occurred_at further in the future than the
// allowed skew (default 5 minutes) and an incident key that cannot be a workflow id (lone surrogate, control
// character, over 200 UTF-8 bytes) are answered 400 naming the field, before anything reaches Temporal.
/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON that the assertions check */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTestApi, type TestApi } from '../support/api-client';
import { RemediationHarness } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
beforeAll(() => ({ env } = stack));

describe('POST /v1/events: edge validation', () => {
  let api: TestApi;
  let harness: RemediationHarness;
  beforeAll(async () => {
    harness = new RemediationHarness(env);
    api = await startTestApi({ temporal: env.client, taskQueue: harness.taskQueue, region: harness.region });
  });
  afterAll(async () => {
    await api?.server.close();
  });

  function post(body: unknown): ReturnType<TestApi['call']> {
    return api.call('POST', '/v1/events', { role: 'sensor', body });
  }

  it('400 naming occurred_at when it is more than 5 minutes ahead; a few minutes of clock drift is accepted', async () => {
    const ahead = harness.event({ occurred_at: new Date(Date.now() + 10 * 60_000).toISOString() });
    const refused = await post(ahead);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_request');
    expect(refused.body.error.message).toMatch(/^occurred_at: is \d+ s in the future .*at most 300 s ahead allowed$/);
    // nothing was started for it
    await expect(env.client.workflow.getHandle(`event/${ahead.incident_key}`).describe()).rejects.toThrow();

    const drifted = harness.event({ occurred_at: new Date(Date.now() + 2 * 60_000).toISOString() });
    const accepted = await post(drifted);
    expect(accepted.status).toBe(202);
    expect(accepted.body.workflow_id).toBe(`event/${drifted.incident_key}`);
  });

  it('400 naming incident_key for a lone surrogate (invalid UTF-8), a control character, or over 200 bytes', async () => {
    const event = harness.event();
    // a lone surrogate can only arrive as a JSON escape: the body itself is valid UTF-8
    const surrogate = await api.call('POST', '/v1/events', {
      role: 'sensor',
      raw: JSON.stringify(event).replace(`"${event.incident_key}"`, '"key-\\ud800-end"'),
    });
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.error.message).toMatch(/^incident_key: has a lone surrogate at character 4: not valid UTF-8/);

    const control = await post({ ...event, incident_key: 'key\u0000end' });
    expect(control.status).toBe(400);
    expect(control.body.error.message).toMatch(/^incident_key: has a control character \(U\+0000\)/);

    const long = await post({ ...event, incident_key: 'é'.repeat(101) });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toBe('incident_key: is 202 bytes as UTF-8; at most 200 allowed');

    const metrics = await api.call('GET', '/metrics', { role: 'none' });
    expect(metrics.text).toMatch(/lazarus_events_rejected_total\{reason="schema"\} [3-9]/);
  });

  it('accepts a 200-byte key with characters outside the BMP: Temporal takes it as a workflow id', async () => {
    const event = harness.event({ incident_key: `${'😀'.repeat(48)}${'k'.repeat(8)}` });
    const accepted = await post(event);
    expect(accepted.status).toBe(202);
    const described = await env.client.workflow.getHandle(`event/${event.incident_key}`).describe();
    expect(described.workflowId).toBe(`event/${event.incident_key}`);
  });
});
