import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type LazarusEvent } from '../../core/event';
import { Outcome } from '../../core/outcome';
import type { ResolvedRule } from '../../core/resolved-config';
import { remediate } from '../../workflows';
import { setKillSwitchUpdate, setShadowUpdate } from '../../contracts/messages';
import { RemediationHarness, step, type HarnessOptions } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';
import { remediationWorkflowId } from '../../contracts/workflow-ids';
import { controlId } from '../../contracts/workflow-ids';

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
beforeAll(() => ({ env } = stack));

const scaleUpRule: Partial<ResolvedRule> = {
  name: 'scale_up',
  preconditions: [],
  lock: 'service',
  category: 'autoscaling',
  runbook: {
    name: 'scale_up',
    workflow_timeout_ms: 60_000,
    steps: [
      step('launch', 'launchFromTemplate', [], {
        input: { service: '${event.service}', count: '${event.details.delta}', idempotencyKey: '${remediation.id}' },
      }),
    ],
  },
};

function scaling(options: HarnessOptions = {}, limits = { min_hosts: 2, max_hosts: 6, max_step: 2, cooldown_ms: 0 }) {
  return new RemediationHarness(env, { rule: scaleUpRule, service: { scaling: limits }, ...options });
}

function scaleEvent(
  h: RemediationHarness,
  type: 'ScaleUp' | 'ScaleDown',
  details: Record<string, unknown>,
): LazarusEvent {
  const event = h.event({ event_type: type, details });
  delete event.host; // a service-level event
  return event;
}

function start(h: RemediationHarness, event: LazarusEvent) {
  return env.client.workflow.start(remediate, {
    taskQueue: h.taskQueue,
    workflowId: remediationWorkflowId(event.incident_key),
    args: [event, { kill_switch_poll_ms: 200 }],
  });
}

const launchedCounts = (h: RemediationHarness): unknown[] =>
  h.stepCalls.filter((c) => c.activity === 'launchFromTemplate').map((c) => c.input.count);

describe('scaling', () => {
  it('scales up within bounds, and starts the cooldown', async () => {
    const h = scaling({}, { min_hosts: 2, max_hosts: 6, max_step: 2, cooldown_ms: 60_000 });
    const [first, second] = await h.run(async () => {
      const a = await (await start(h, scaleEvent(h, 'ScaleUp', { delta: 1, reason: 'cpu 85%' }))).result();
      const b = await (await start(h, scaleEvent(h, 'ScaleUp', { delta: 1, reason: 'cpu 90%' }))).result();
      return [a, b];
    });
    expect(first.outcome).toBe(Outcome.Remediated);
    expect(launchedCounts(h)).toEqual([1]);
    expect(second.outcome).toBe(Outcome.RateLimited);
    expect(second.reason).toContain('cooldown');
  });

  it('clips a plan by the step and at the maximum, and the trace says so', async () => {
    const byStep = scaling();
    const status = await byStep.run(async () =>
      (await start(byStep, scaleEvent(byStep, 'ScaleUp', { delta: 40 }))).result(),
    );
    expect(status.outcome).toBe(Outcome.Remediated);
    expect(launchedCounts(byStep)).toEqual([2]);
    const plan = status.gates.find((g) => g.gate === 'scaling')!.detail as { plan: { clipped_by: string[] } };
    expect(plan.plan.clipped_by).toEqual(['max_step 2 (asked 40)']);

    const atMax = scaling({ hostCount: 5 });
    await atMax.run(async () => (await start(atMax, scaleEvent(atMax, 'ScaleUp', { delta: 2 }))).result());
    expect(launchedCounts(atMax)).toEqual([1]);
  });

  it('refuses and escalates a plan of the wrong sign', async () => {
    const h = scaling();
    const status = await h.run(async () => (await start(h, scaleEvent(h, 'ScaleDown', { target: 40 }))).result());
    expect(status.outcome).toBe(Outcome.PreconditionFailed);
    expect(status.reason).toContain('refused');
    expect(h.stepCalls).toEqual([]);
    expect(h.calls('escalatePage')).toHaveLength(1);
  });

  it('takes one action for two concurrent scale events of a service', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inLaunch = new Promise<void>((r) => (entered = r));
    const h = scaling({
      stepBehaviour: {
        launchFromTemplate: async () => {
          entered();
          await gate;
          return { instanceIds: [] };
        },
      },
    });
    const [first, second] = await h.run(async () => {
      const a = await start(h, scaleEvent(h, 'ScaleUp', { delta: 1 }));
      await inLaunch;
      const b = await (await start(h, scaleEvent(h, 'ScaleUp', { delta: 1 }))).result();
      release();
      return [await a.result(), b];
    });
    expect(first.outcome).toBe(Outcome.Remediated);
    expect(second.outcome).toBe(Outcome.Locked);
    expect(launchedCounts(h)).toHaveLength(1);
  });

  it('refuses to scale down while a host of the service is being replaced', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inDrain = new Promise<void>((r) => (entered = r));
    const h = scaling({
      stepBehaviour: {
        drainHost: async () => {
          entered();
          await gate;
          return {};
        },
      },
    });
    const original = h.match.bind(h);
    h.match = (event) => {
      const m = original(event);
      if (event.event_type === 'HealthcheckDown') {
        m.rule = { ...m.rule!, name: 'replace', lock: 'host', category: 'host_replacement', preconditions: [] };
        m.rule.runbook = { name: 'replace_host', workflow_timeout_ms: 60_000, steps: [step('drain', 'drainHost')] };
      }
      return m;
    };
    const scaleDown = await h.run(async () => {
      const replacement = await start(h, h.event());
      await inDrain;
      // visibility is eventually consistent: wait until the running replacement can be listed
      const query = `WorkflowType='remediate' AND ExecutionStatus='Running' AND LazarusService='${h.service}'`;
      for (let i = 0; i < 100 && (await env.client.workflow.count(query)).count === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const result = await (await start(h, scaleEvent(h, 'ScaleDown', { delta: -1 }))).result();
      release();
      await replacement.result();
      return result;
    });
    expect(scaleDown.outcome).toBe(Outcome.Locked);
    expect(scaleDown.reason).toContain('being remediated');
    expect(h.stepCalls.map((c) => c.activity)).toEqual(['drainHost']);
  });

  it('is blocked by the autoscaling kill switch, and only records in shadow mode', async () => {
    const blocked = scaling();
    const status = await blocked.run(async () => {
      await env.client.workflow.start('control', {
        taskQueue: blocked.taskQueue,
        workflowId: controlId(blocked.region),
        args: [{ region: blocked.region }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      await env.client.workflow.getHandle(controlId(blocked.region)).executeUpdate(setKillSwitchUpdate, {
        args: [{ scope: 'autoscaling', enabled: true, reason: 'scaled up instead of down', actor: 'sre' }],
      });
      return await (await start(blocked, scaleEvent(blocked, 'ScaleUp', { delta: 1 }))).result();
    });
    expect(status.outcome).toBe(Outcome.KillSwitch);
    expect(blocked.stepCalls).toEqual([]);

    const shadow = scaling();
    const shadowed = await shadow.run(async () => {
      await env.client.workflow.start('control', {
        taskQueue: shadow.taskQueue,
        workflowId: controlId(shadow.region),
        args: [{ region: shadow.region }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      await env.client.workflow.getHandle(controlId(shadow.region)).executeUpdate(setShadowUpdate, {
        args: [{ scope: 'global', enabled: true, reason: 'trial', actor: 'sre' }],
      });
      return await (await start(shadow, scaleEvent(shadow, 'ScaleUp', { delta: 1 }))).result();
    });
    expect(shadowed.outcome).toBe(Outcome.Shadow);
    expect(shadow.stepCalls).toEqual([]);
  });
});
