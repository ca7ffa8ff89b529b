// Declared regions in the workflow: an event of a region services/deployment.yaml does not declare fails and is
// escalated at the region gate, before any governor or control read, and no entity is created for that region; a kill
// switch set in a declared region still stops its events.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Outcome } from '../../core/outcome';
import { remediate } from '../../workflows';
import { setKillSwitchUpdate } from '../../contracts/messages';
import { controlId, regionalGovernorId, remediationWorkflowId, serviceGovernorId } from '../../contracts/workflow-ids';
import type { LazarusEvent } from '../../core/event';
import { RemediationHarness } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
beforeAll(() => ({ env } = stack));

function start(h: RemediationHarness, event: LazarusEvent) {
  return env.client.workflow.start(remediate, {
    taskQueue: h.taskQueue,
    workflowId: remediationWorkflowId(event.incident_key),
    args: [event, { kill_switch_poll_ms: 200 }],
  });
}

async function exists(workflowId: string): Promise<boolean> {
  try {
    await env.client.workflow.getHandle(workflowId).describe();
    return true;
  } catch {
    return false;
  }
}

describe('declared regions', () => {
  it('an event of an undeclared region FAILS at the region gate, is escalated, and creates no entity', async () => {
    const h = new RemediationHarness(env);
    const typo = `${h.region}x`;
    const status = await h.run(async () => await (await start(h, h.event({ region: typo }))).result());
    expect(status.outcome).toBe(Outcome.Failed);
    expect(status.reason).toBe(`region ${typo} is not declared in services/deployment.yaml`);
    expect(status.gates.map((g) => g.gate)).toEqual(['rule', 'region', 'escalate', 'notify']);
    expect(status.gates.find((g) => g.gate === 'region')).toMatchObject({
      verdict: 'fail',
      detail: { region: typo, declared: [h.region] },
    });
    expect(h.calls('escalatePage')).toHaveLength(1);
    expect(h.stepCalls).toEqual([]);
    for (const id of [controlId(typo), regionalGovernorId(typo), serviceGovernorId(h.service)]) {
      expect(await exists(id)).toBe(false);
    }
  });

  it('a kill switch set in a declared region still stops an event of that region', async () => {
    const h = new RemediationHarness(env);
    const status = await h.run(async () => {
      await env.client.workflow.start('control', {
        taskQueue: h.taskQueue,
        workflowId: controlId(h.region),
        args: [{ region: h.region }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      await env.client.workflow.getHandle(controlId(h.region)).executeUpdate(setKillSwitchUpdate, {
        args: [{ scope: 'global', enabled: true, reason: 'region freeze', actor: 'alice' }],
      });
      return await (await start(h, h.event())).result();
    });
    expect(status.outcome).toBe(Outcome.KillSwitch);
    expect(status.gates.find((g) => g.gate === 'region')).toMatchObject({ verdict: 'pass' });
    expect(h.stepCalls).toEqual([]);
  });
});
