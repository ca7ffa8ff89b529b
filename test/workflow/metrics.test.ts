// The worker's metrics as the workflows report them through sinks, on the real dev server.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type LazarusEvent } from '../../core/event';
import { Outcome } from '../../core/outcome';
import { remediate } from '../../workflows';
import { reportServiceUpdate } from '../../contracts/messages';
import { sample } from '../support/prometheus';
import { RemediationHarness } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';
import { remediationWorkflowId } from '../../contracts/workflow-ids';
import { regionalGovernorId } from '../../contracts/workflow-ids';

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
beforeAll(() => ({ env } = stack));

describe('worker metrics from workflow sinks', () => {
  it('counts each remediation by its final outcome and observes how long it took to decide', async () => {
    const h = new RemediationHarness(env);
    const remediateOnce = (event: LazarusEvent) =>
      env.client.workflow.execute(remediate, {
        taskQueue: h.taskQueue,
        workflowId: remediationWorkflowId(event.incident_key),
        args: [event, {}],
      });

    const [remediated, stale] = await h.run(async () => [
      await remediateOnce(h.event()),
      await remediateOnce(h.event({ occurred_at: new Date(Date.now() - 3_600_000).toISOString() })),
    ]);

    expect([remediated.outcome, stale.outcome]).toEqual([Outcome.Remediated, Outcome.Stale]);
    const text = await h.metrics.registry.metrics();
    expect(sample(text, 'lazarus_decisions_total{outcome="REMEDIATED"}')).toBe(1);
    expect(sample(text, 'lazarus_decisions_total{outcome="STALE"}')).toBe(1);
    expect(sample(text, 'lazarus_decisions_total{outcome="NO_RULE"}')).toBe(0);
    expect(sample(text, 'lazarus_decision_latency_seconds_count{outcome="REMEDIATED"}')).toBe(1);
    expect(sample(text, 'lazarus_decision_latency_seconds_count{outcome="STALE"}')).toBe(1);
    // the remediation ran a quorum and a runbook: it took measurable workflow time, and less than the test did
    const latency = sample(text, 'lazarus_decision_latency_seconds_sum{outcome="REMEDIATED"}')!;
    expect(latency).toBeGreaterThan(0);
    expect(latency).toBeLessThan(60);
  });

  it('counts the regional breaker opening and closing, by region', async () => {
    const h = new RemediationHarness(env);
    const region = `region-${randomUUID().slice(0, 8)}`;
    const report = (service: string, failing: boolean) => ({
      service,
      failing,
      at: Date.now(),
      breaker: { open_threshold: 2, close_threshold: 0 },
    });

    await h.run(async () => {
      const governor = await env.client.workflow.start('regionalGovernor', {
        taskQueue: h.taskQueue,
        workflowId: regionalGovernorId(region),
        args: [{ region }],
      });
      try {
        await governor.executeUpdate(reportServiceUpdate, { args: [report('a', true)] });
        const opened = await governor.executeUpdate(reportServiceUpdate, { args: [report('b', true)] });
        expect(opened.state).toBe('open');
        await governor.executeUpdate(reportServiceUpdate, { args: [report('a', false)] });
        const closed = await governor.executeUpdate(reportServiceUpdate, { args: [report('b', false)] });
        expect(closed.state).toBe('closed');
      } finally {
        await governor.terminate('test over');
      }
    });

    const text = await h.metrics.registry.metrics();
    expect(sample(text, `lazarus_breaker_transitions_total{region="${region}",to="open"}`)).toBe(1);
    expect(sample(text, `lazarus_breaker_transitions_total{region="${region}",to="closed"}`)).toBe(1);
  });
});
