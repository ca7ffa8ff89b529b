import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type LazarusEvent } from '../../core/event';
import { Outcome } from '../../core/outcome';
import { remediate, type RemediateOptions } from '../../workflows';
import type { RemediationStatus } from '../../contracts/trace';
import { failingStep, RemediationHarness, step, type HarnessOptions } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';
import { remediationWorkflowId } from '../../contracts/workflow-ids';

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
beforeAll(() => ({ env } = stack));

async function remediateOnce(
  harness: RemediationHarness,
  event: LazarusEvent = harness.event(),
  options: RemediateOptions = {},
): Promise<RemediationStatus> {
  return await env.client.workflow.execute(remediate, {
    taskQueue: harness.taskQueue,
    workflowId: remediationWorkflowId(event.incident_key),
    args: [event, options],
  });
}

function harnessWith(options: HarnessOptions = {}): RemediationHarness {
  return new RemediationHarness(env, options);
}

describe('remediate: the happy path', () => {
  it('acknowledges, runs the runbook in order, resolves the page: REMEDIATED', async () => {
    const h = harnessWith();
    const event = h.event();

    const status = await h.run(() => remediateOnce(h, event));

    expect(status.outcome).toBe(Outcome.Remediated);
    expect(h.stepCalls.map((c) => c.activity)).toEqual(['drainHost', 'cloneHost']);
    expect(h.stepCalls[0].input).toEqual({ instanceId: h.sickHost });
    expect(h.calls('acknowledgePage')).toEqual([event.incident_key]);
    expect(h.calls('resolvePage')).toEqual([event.incident_key]);
    expect(h.calls('escalatePage')).toEqual([]);
    expect(h.notices()).toEqual(['acknowledged', 'remediated']);
    // no escalation wrote on the page: these notifications note it themselves
    expect(h.notifications.map((n) => n.notesPage)).toEqual([true, true]);
    expect(status.gates.map((g) => `${g.gate}:${g.verdict}`)).toEqual(
      expect.arrayContaining([
        'rule:pass',
        'stale:pass',
        'governor:pass',
        'quorum:pass',
        'lock:pass',
        'kill_switch:pass',
      ]),
    );
    expect(status.steps.map((s) => [s.id, s.status, s.attempts.length])).toEqual([
      ['drain', 'succeeded', 1],
      ['clone', 'succeeded', 1],
    ]);
  });

  it('starts one remediation when the same event is delivered twice', async () => {
    const h = harnessWith();
    const event = h.event();
    await h.run(async () => {
      const first = await env.client.workflow.start(remediate, {
        taskQueue: h.taskQueue,
        workflowId: remediationWorkflowId(event.incident_key),
        args: [event, {}],
      });
      const second = await env.client.workflow.start(remediate, {
        taskQueue: h.taskQueue,
        workflowId: remediationWorkflowId(event.incident_key),
        args: [event, {}],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      expect(second.firstExecutionRunId).toBe(first.firstExecutionRunId);
      await first.result();
    });
    expect(h.calls('acknowledgePage')).toEqual([event.incident_key]);
  });

  it('sets the search attributes so remediations can be found by outcome', async () => {
    const h = harnessWith();
    const event = h.event();
    await h.run(() => remediateOnce(h, event));
    const description = await env.client.workflow.getHandle(remediationWorkflowId(event.incident_key)).describe();
    expect(description.searchAttributes).toMatchObject({
      LazarusService: [h.service],
      LazarusHost: [h.sickHost],
      LazarusRegion: [h.region],
      LazarusEventType: ['HealthcheckDown'],
      LazarusRule: ['replace-unhealthy-host'],
      LazarusOutcome: ['REMEDIATED'],
    });
  });
});

describe('remediate: decisions that escalate', () => {
  it('NO_RULE: escalates when no rule matches', async () => {
    const h = harnessWith({ noRule: true });
    const status = await h.run(() => remediateOnce(h));
    expect(status.outcome).toBe(Outcome.NoRule);
    expect(h.calls('escalatePage')).toHaveLength(1);
    expect(h.stepCalls).toEqual([]);
  });

  it('STALE: escalates an event older than the max age without acting', async () => {
    const h = harnessWith();
    const status = await h.run(() =>
      remediateOnce(h, h.event({ occurred_at: new Date(Date.now() - 3_600_000).toISOString() })),
    );
    expect(status.outcome).toBe(Outcome.Stale);
    expect(h.calls('acknowledgePage')).toEqual([]);
    expect(h.calls('escalatePage')).toHaveLength(1);
  });

  it('RATE_LIMITED: the event over the threshold in the window is not acted on, but counted', async () => {
    const h = harnessWith({
      service: { rate_limit: { threshold: 2, window_ms: 60_000 } },
      rule: { preconditions: [] },
    });
    const outcomes = await h.run(async () => {
      const results: string[] = [];
      for (let i = 1; i <= 3; i++) {
        results.push((await remediateOnce(h, h.event({ host: h.hosts[i].instanceId }))).outcome!);
      }
      return results;
    });
    expect(outcomes).toEqual([Outcome.Remediated, Outcome.Remediated, Outcome.RateLimited]);
  });

  it('PRECONDITION_FAILED with 1 of 3 nodes passing; REMEDIATED with 2 of 3', async () => {
    const oneOfThree = harnessWith({
      health: (zone, host) => (zone === 'zone-a' && host.instanceId.endsWith('-0') ? 'unhealthy' : 'healthy'),
    });
    const failed = await oneOfThree.run(() => remediateOnce(oneOfThree));
    expect(failed.outcome).toBe(Outcome.PreconditionFailed);
    const quorum = failed.gates.find((g) => g.gate === 'quorum')!;
    // decided as soon as two nodes said no: the passing node's answer may not have arrived yet
    expect(quorum.detail).toMatchObject({ verdict: 'failed', needed: 2 });
    expect((quorum.detail as { passes: number }).passes).toBeLessThan(2);

    const twoOfThree = harnessWith({
      health: (zone, host) => (zone !== 'zone-c' && host.instanceId.endsWith('-0') ? 'unhealthy' : 'healthy'),
    });
    const passed = await twoOfThree.run(() => remediateOnce(twoOfThree));
    expect(passed.outcome).toBe(Outcome.Remediated);
  });

  it('PRECONDITION_FAILED when peers are unhealthy too (a downstream outage, not a host fault)', async () => {
    const h = harnessWith({ health: () => 'unhealthy' });
    const status = await h.run(() => remediateOnce(h));
    expect(status.outcome).toBe(Outcome.PreconditionFailed);
    const answers = (
      status.gates.find((g) => g.gate === 'quorum')!.detail as {
        answers: Array<{ checks: Array<{ check: string; passed: boolean }> }>;
      }
    ).answers;
    expect(answers[0].checks.find((c) => c.check === 'PeerCheck')!.passed).toBe(false);
  });

  it('QUORUM_TIMEOUT when a silent node leaves the quorum unreached; 2 answering nodes still suffice', async () => {
    const silent = harnessWith({
      checkerZones: ['zone-a', 'zone-b'],
      quorumDeadlineMs: 1500,
      health: (zone, host) => (zone === 'zone-a' && host.instanceId.endsWith('-0') ? 'unhealthy' : 'healthy'),
    });
    const timedOut = await silent.run(() => remediateOnce(silent));
    expect(timedOut.outcome).toBe(Outcome.QuorumTimeout);
    const answers = (
      timedOut.gates.find((g) => g.gate === 'quorum')!.detail as { answers: Array<{ node: string; status: string }> }
    ).answers;
    expect(answers.find((a) => a.node === 'node-zone-c')!.status).toBe('silent');

    const twoNodes = harnessWith({ checkerZones: ['zone-a', 'zone-b'], quorumDeadlineMs: 1500 });
    expect((await twoNodes.run(() => remediateOnce(twoNodes))).outcome).toBe(Outcome.Remediated);
  });
});

describe('remediate: the runbook', () => {
  it('STEP_FAILED: retries, then compensates completed steps in reverse order and escalates', async () => {
    const h = harnessWith({
      steps: [
        step('drain', 'drainHost', [], {
          compensate: { activity: 'restoreHost', input: { instanceId: '${event.host}' } },
        }),
        step('clone', 'cloneHost', ['drain'], {
          compensate: { activity: 'terminateHost', input: { instanceId: '${steps.clone.output.instanceId}' } },
        }),
        step('verify', 'waitHealthy', ['clone'], { input: { instanceId: '${steps.clone.output.instanceId}' } }),
      ],
      stepBehaviour: {
        cloneHost: async () => Promise.resolve({ instanceId: 'i-new' }),
        waitHealthy: failingStep('replacement never became healthy', false),
      },
    });
    const status = await h.run(() => remediateOnce(h));
    expect(status.outcome).toBe(Outcome.StepFailed);
    expect(status.reason).toContain('verify');
    expect(h.stepCalls.map((c) => c.activity)).toEqual([
      'drainHost',
      'cloneHost',
      'waitHealthy',
      'waitHealthy',
      'terminateHost',
      'restoreHost',
    ]);
    expect(h.stepCalls.find((c) => c.activity === 'terminateHost')!.input).toEqual({ instanceId: 'i-new' });
    expect(status.steps.find((s) => s.id === 'verify')!.attempts).toHaveLength(2);
    expect(h.calls('escalatePage')).toHaveLength(1);
    expect(h.calls('resolvePage')).toEqual([]);
  });

  it('runs steps with no path between them in parallel', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = async (): Promise<Record<string, unknown>> => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 300));
      inFlight--;
      return {};
    };
    const h = harnessWith({
      steps: [
        step('drain', 'drainHost'),
        step('clone', 'cloneHost'),
        step('forensics', 'keepForensics', ['drain', 'clone']),
      ],
      stepBehaviour: { drainHost: slow, cloneHost: slow },
    });
    const status = await h.run(() => remediateOnce(h));
    expect(status.outcome).toBe(Outcome.Remediated);
    expect(maxInFlight).toBe(2);
    expect(h.stepCalls.map((c) => c.activity).pop()).toBe('keepForensics');
  });

  it('TIMED_OUT: the workflow_timeout cancels the runbook and compensates', async () => {
    const h = harnessWith({
      rule: {},
      steps: [
        step('drain', 'drainHost', [], {
          compensate: { activity: 'restoreHost', input: { instanceId: '${event.host}' } },
        }),
        // a 1 s heartbeat timeout (the least a step may set): the stand-in's heartbeats go out every 0.8 s, so the
        // cancel reaches the 5 s clone within a second instead of when it returns
        step('clone', 'cloneHost', ['drain'], { input: { instanceId: '${event.host}', heartbeatTimeoutMs: 1000 } }),
      ],
      stepBehaviour: { cloneHost: () => new Promise((r) => setTimeout(() => r({}), 5000)) },
    });
    const original = h.match.bind(h);
    h.match = (event) => {
      const m = original(event);
      m.rule!.runbook.workflow_timeout_ms = 1000;
      return m;
    };
    const status = await h.run(() => remediateOnce(h));
    expect(status.outcome).toBe(Outcome.TimedOut);
    expect(h.stepCalls.map((c) => c.activity)).toContain('restoreHost');
  });
});
