// Every way a remediation can stop ends in one recorded outcome that a person hears of, with what was done undone and
// the lock released: a dependency out of retries, an error in the runbook run itself, `temporal workflow cancel`,
// PagerDuty unreachable while escalating. Each case ends with a new event taking the same lock.
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { type LazarusEvent } from '../../core/event';
import { Outcome } from '../../core/outcome';
import { remediate, type RemediateOptions } from '../../workflows';
import type { RemediationStatus } from '../../contracts/trace';
import { remediationWorkflowId } from '../../contracts/workflow-ids';
import { RemediationHarness, step, type HarnessOptions } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';
import { until } from '../support/wait';

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
beforeAll(() => ({ env } = stack));

const compensatedDrain = step('drain', 'drainHost', [], {
  compensate: { activity: 'restoreHost', input: { instanceId: '${event.host}' } },
});

function harnessWith(options: HarnessOptions = {}): RemediationHarness {
  return new RemediationHarness(env, { steps: [compensatedDrain, step('clone', 'cloneHost', ['drain'])], ...options });
}

async function remediateOnce(
  h: RemediationHarness,
  event: LazarusEvent = h.event(),
  options: RemediateOptions = {},
): Promise<RemediationStatus> {
  return await env.client.workflow.execute(remediate, {
    taskQueue: h.taskQueue,
    workflowId: remediationWorkflowId(event.incident_key),
    args: [event, options],
  });
}

/** The lock is free again: a later event for the same host runs its runbook to the end. */
async function expectLockFree(h: RemediationHarness, event: LazarusEvent = h.event()): Promise<void> {
  const next = await remediateOnce(h, event);
  expect(next.outcome).toBe(Outcome.Remediated);
}

/** A clone stand-in whose first call waits until the test releases it; later calls return at once. */
function heldFirstClone(): { behaviour: () => Promise<Record<string, unknown>>; release: () => void } {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let first = true;
  return {
    behaviour: async () => {
      if (first) {
        first = false;
        await released;
      }
      return { instanceId: 'i-new' };
    },
    release: () => release(),
  };
}

/** Starts the remediation and returns once its runbook's clone step is running. */
async function startUntilCloneRuns(
  h: RemediationHarness,
  event: LazarusEvent,
): Promise<WorkflowHandle<typeof remediate>> {
  const handle = await env.client.workflow.start(remediate, {
    taskQueue: h.taskQueue,
    workflowId: remediationWorkflowId(event.incident_key),
    args: [event, {}],
  });
  await until(
    async () => Promise.resolve(h.stepCalls.some((c) => c.activity === 'cloneHost')),
    (started) => started,
  );
  return handle;
}

describe('remediate: failures end in an outcome that a person hears of', () => {
  it('FAILED when a dependency is out of retries (the governor), escalated; nothing ran', async () => {
    const h = harnessWith({
      activityOverrides: {
        governorAdmit: async () => {
          await Promise.resolve();
          throw ApplicationFailure.nonRetryable('governor unavailable', 'TestFailure');
        },
      },
    });
    const event = h.event();

    const status = await h.run(() => remediateOnce(h, event));

    expect(status.outcome).toBe(Outcome.Failed);
    expect(status.reason).toContain('governor unavailable');
    expect(h.calls('escalatePage')).toEqual([event.incident_key]);
    expect(h.notices()).toEqual(['escalated']);
    expect(h.stepCalls).toEqual([]);
  });

  it('FAILED when the configuration cannot be read, and the page is still escalated by its incident key', async () => {
    const h = harnessWith({
      activityOverrides: {
        resolveEvent: async () => {
          await Promise.resolve();
          throw ApplicationFailure.nonRetryable('configuration under /etc/lazarus is invalid', 'ConfigInvalid');
        },
      },
    });
    const event = h.event();

    const status = await h.run(() => remediateOnce(h, event));

    expect(status.outcome).toBe(Outcome.Failed);
    expect(status.reason).toContain('configuration under /etc/lazarus is invalid');
    expect(h.calls('escalatePage')).toEqual([event.incident_key]);
  });

  it('FAILED when the runbook run itself errs (a step input the event cannot supply), compensated, lock released', async () => {
    // An AWS scheduled event without the detail the clone step's input references.
    const h = harnessWith({
      rule: { preconditions: [], lock: 'service' },
      steps: [
        compensatedDrain,
        step('clone', 'cloneHost', ['drain'], { input: { instanceId: '${event.details.instance}' } }),
      ],
    });
    const event = h.event({ event_type: 'AWSScheduledEvent', details: {} });

    await h.run(async () => {
      const status = await remediateOnce(h, event);

      expect(status.outcome).toBe(Outcome.Failed);
      expect(status.reason).toMatch(/runbook .* failed: .*event\.details\.instance/);
      expect(status.steps.find((s) => s.id === 'drain')?.compensation?.status).toBe('succeeded');
      expect(h.calls('escalatePage')).toEqual([event.incident_key]);

      await expectLockFree(h, h.event({ event_type: 'AWSScheduledEvent', details: { instance: h.sickHost } }));
    });
  });

  it('CANCELLED by `temporal workflow cancel` mid-runbook: the finished step is undone, escalated, lock released', async () => {
    const clone = heldFirstClone();
    const h = harnessWith({
      // a stand-in that does not heartbeat: a short heartbeat timeout lets the cancel through at once
      steps: [
        compensatedDrain,
        step('clone', 'cloneHost', ['drain'], { input: { instanceId: '${event.host}', heartbeatTimeoutMs: 1000 } }),
      ],
      stepBehaviour: { cloneHost: clone.behaviour },
    });
    const event = h.event();

    await h.run(async () => {
      const handle = await startUntilCloneRuns(h, event);

      await handle.cancel();
      const status = await handle.result();
      clone.release();

      expect(status.outcome).toBe(Outcome.Cancelled);
      expect(status.reason).toContain('workflow cancellation');
      expect(h.stepCalls.map((c) => c.activity)).toContain('restoreHost');
      expect(h.calls('escalatePage')).toEqual([event.incident_key]);
      expect((await handle.describe()).status.name).toBe('COMPLETED');

      await expectLockFree(h);
    });
  });

  it('FAILED when the runbook child is terminated (`temporal workflow terminate lock/...`), escalated, lock released', async () => {
    const clone = heldFirstClone();
    const h = harnessWith({
      stepBehaviour: { cloneHost: clone.behaviour },
    });
    const event = h.event();

    await h.run(async () => {
      const handle = await startUntilCloneRuns(h, event);

      await env.client.workflow.getHandle(`lock/host/${h.sickHost}`).terminate('operator terminated the runbook');
      const status = await handle.result();
      clone.release();

      expect(status.outcome).toBe(Outcome.Failed);
      expect(status.reason).toContain('runbook run failed');
      expect(h.calls('escalatePage')).toEqual([event.incident_key]);

      await expectLockFree(h);
    });
  });

  it('TIMED_OUT when the runbook outlives its workflow_timeout: compensated, escalated, lock released', async () => {
    const h = harnessWith({
      rule: {
        runbook: {
          name: 'replace_host',
          workflow_timeout_ms: 1000,
          steps: [
            compensatedDrain,
            step('clone', 'cloneHost', ['drain'], { input: { instanceId: '${event.host}', heartbeatTimeoutMs: 1000 } }),
          ],
        },
      },
      // only the first clone outlives the timeout
      stepBehaviour: {
        cloneHost: async (_input, attempt) =>
          attempt === 1
            ? new Promise((resolve) => setTimeout(() => resolve({ instanceId: 'i-late' }), 3000))
            : { instanceId: 'i-new' },
      },
    });

    await h.run(async () => {
      const event = h.event();
      const status = await remediateOnce(h, event);

      expect(status.outcome).toBe(Outcome.TimedOut);
      expect(h.stepCalls.map((c) => c.activity)).toContain('restoreHost');
      expect(h.calls('escalatePage')).toEqual([event.incident_key]);

      await expectLockFree(h);
    });
  });

  it('keeps what a failed attempt had done in workflow state: the retry resumes from it, a half-done step is undone', async () => {
    const drained = { targetGroupArns: ['arn:tg/web'] };
    const halfDone = (message: string, nonRetryable: boolean): ApplicationFailure =>
      ApplicationFailure.create({
        message,
        type: 'AwsUnavailable',
        nonRetryable,
        details: [{ lazarus_progress: drained }],
      });
    const h = harnessWith({
      steps: [
        step('drain', 'drainHost', [], {
          compensate: {
            activity: 'restoreHost',
            input: { instanceId: '${event.host}', targetGroupArns: '${steps.drain.output.targetGroupArns}' },
          },
          retry: { maximum_attempts: 2, initial_interval_ms: 50, backoff_coefficient: 2, maximum_interval_ms: 200 },
        }),
        step('clone', 'cloneHost', ['drain']),
      ],
      // both attempts fail after the host left its target group
      stepBehaviour: {
        drainHost: async (_input, attempt) =>
          Promise.reject(halfDone(`DescribeTargetHealth: 503 (${attempt})`, attempt > 1)),
      },
    });

    const status = await h.run(() => remediateOnce(h));

    expect(status.outcome).toBe(Outcome.StepFailed);
    const drains = h.stepCalls.filter((c) => c.activity === 'drainHost');
    expect(drains[0].input.resumeFrom).toBeUndefined();
    expect(drains[1].input.resumeFrom).toEqual(drained);
    expect(status.steps.find((s) => s.id === 'drain')?.progress).toEqual(drained);
    const restore = h.stepCalls.find((c) => c.activity === 'restoreHost');
    expect(restore?.input).toEqual({ instanceId: h.sickHost, targetGroupArns: ['arn:tg/web'] });
    expect(status.steps.find((s) => s.id === 'drain')?.compensation?.status).toBe('succeeded');
  });

  it('names what is left to clean up when a compensation keeps failing', async () => {
    const h = harnessWith({
      stepBehaviour: {
        cloneHost: async () => Promise.reject(ApplicationFailure.nonRetryable('no capacity')),
        restoreHost: async () => Promise.reject(new Error('ELB unavailable')),
      },
    });

    const status = await h.run(() => remediateOnce(h, h.event(), { compensation_retry_ms: 1500 }));

    expect(status.outcome).toBe(Outcome.StepFailed);
    expect(status.reason).toMatch(/left to clean up: drain \(restoreHost failed: .*ELB unavailable/);
    expect(h.stepCalls.filter((c) => c.activity === 'restoreHost').length).toBeGreaterThan(1);
    expect(h.calls('escalatePage')).toHaveLength(1);
  });

  it('NO_RULE for a service Lazarus does not know, never paged: a page is triggered on the default route', async () => {
    const h = harnessWith({
      defaultRoutingKey: 'R0UT1NGKEYDEFAULT',
      activityOverrides: {
        resolveEvent: async (event: LazarusEvent) => {
          await Promise.resolve();
          return { ...h.match(event), service: undefined, rule: undefined };
        },
        escalatePage: async () => {
          await Promise.resolve();
          throw ApplicationFailure.nonRetryable('no PagerDuty incident has incident key', 'PagerIncidentNotFound');
        },
      },
    });
    const event = h.event({ service: 'not-onboarded' });

    const status = await h.run(() => remediateOnce(h, event));

    expect(status.outcome).toBe(Outcome.NoRule);
    expect(h.pages.filter((p) => p.call === 'triggerPage')).toEqual([
      { call: 'triggerPage', key: event.incident_key, detail: 'R0UT1NGKEYDEFAULT' },
    ]);
    expect(status.gates.filter((g) => g.gate === 'escalate').map((g) => [g.verdict, g.detail.triggered])).toEqual([
      ['pass', true],
    ]);
  });

  it('keeps escalating while PagerDuty is down, and tells the other channels at once', async () => {
    let escalations = 0;
    const h = harnessWith({
      stepBehaviour: { cloneHost: async () => Promise.reject(ApplicationFailure.nonRetryable('no capacity')) },
      activityOverrides: {
        escalatePage: async (input: { incidentKey: string }) => {
          escalations += 1;
          await Promise.resolve();
          // down for the first (bounded) try of 4 attempts and two durable retries
          if (escalations <= 6) throw new Error('connect ECONNREFUSED 127.0.0.1:4567');
          return { incidentId: 'P1', escalationLevel: 2, raised: true, incidentKey: input.incidentKey };
        },
      },
    });

    const status = await h.run(() =>
      remediateOnce(h, h.event(), { page_retry_ms: 60_000, page_retry_max_interval_ms: 200 }),
    );

    expect(status.outcome).toBe(Outcome.StepFailed);
    expect(escalations).toBe(7);
    expect(h.notices()).toEqual(['acknowledged', 'pager_unreachable', 'escalated']);
    const escalate = status.gates.filter((g) => g.gate === 'escalate').map((g) => g.verdict);
    expect(escalate).toEqual(['error', 'pass']);
  });

  it('hands what a failed escalation did to its durable retry, so the level is never raised twice', async () => {
    const inputs: Array<Record<string, unknown>> = [];
    const h = harnessWith({
      stepBehaviour: { cloneHost: async () => Promise.reject(ApplicationFailure.nonRetryable('no capacity')) },
      activityOverrides: {
        escalatePage: async (input: Record<string, unknown>) => {
          inputs.push(input);
          await Promise.resolve();
          // the bounded tries raised the level, then PagerDuty went away before the note: their failure says so
          if (inputs.length <= 4) {
            throw ApplicationFailure.create({
              message: 'connect ECONNREFUSED 127.0.0.1:4567',
              details: [{ escalation_progress: { incidentId: 'P1', raisedTo: 2, raised: true } }],
            });
          }
          return { incidentId: 'P1', escalationLevel: 2, raised: true };
        },
      },
    });

    const status = await h.run(() =>
      remediateOnce(h, h.event(), { page_retry_ms: 60_000, page_retry_max_interval_ms: 200 }),
    );

    expect(status.outcome).toBe(Outcome.StepFailed);
    expect(inputs).toHaveLength(5);
    expect(inputs.slice(0, 4).map((i) => i.resumeFrom)).toEqual([undefined, undefined, undefined, undefined]);
    expect(inputs[4].resumeFrom).toEqual({ incidentId: 'P1', raisedTo: 2, raised: true });
  });
});
