import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { explainEventLive } from '../../api/explain';
import type { ApiDependencies } from '../../api/dependencies';
import { setKillSwitchUpdate } from '../../contracts/messages';
import { controlId, regionalGovernorId, serviceGovernorId } from '../../contracts/workflow-ids';
import type { LiveExplanation } from '../../workflows/explain';
import { RemediationHarness } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
beforeAll(() => ({ env } = stack));

describe('explain --live', () => {
  it('names the kill switch (who set it, why) as the first gate that would stop the event, and acts on nothing', async () => {
    const h = new RemediationHarness(env);
    const deps: ApiDependencies = { temporal: env.client, taskQueue: h.taskQueue, region: h.region };
    await h.run(async () => {
      const clear = (await explainEventLive(deps, h.event())) as LiveExplanation;
      expect(clear.first_stop).toBeUndefined();
      expect(clear.gates.find((g) => g.gate === 'quorum')?.verdict).toBe('pass');
      expect(clear.would_run?.steps.map((s) => s.activity)).toEqual(['drainHost', 'cloneHost']);

      await env.client.workflow.start('control', {
        taskQueue: h.taskQueue,
        workflowId: controlId(h.region),
        args: [{ region: h.region }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      await env.client.workflow.getHandle(controlId(h.region)).executeUpdate(setKillSwitchUpdate, {
        args: [{ scope: 'global', enabled: true, reason: 'bad AMI rollout', actor: 'operator:alice' }],
      });
      const blocked = (await explainEventLive(deps, h.event())) as LiveExplanation;
      expect(blocked.first_stop?.gate).toBe('kill_switch');
      expect(blocked.first_stop?.outcome).toBe('KILL_SWITCH');
      expect(blocked.first_stop?.reason).toContain('operator:alice');
      expect(blocked.first_stop?.reason).toContain('bad AMI rollout');
    });
    // nothing acted, paged or counted: no step, no page, no governor created
    expect(h.stepCalls).toEqual([]);
    expect(h.pages).toEqual([]);
    for (const id of [serviceGovernorId(h.service), regionalGovernorId(h.region)]) {
      await expect(env.client.workflow.getHandle(id).describe()).rejects.toThrow(/not found/i);
    }
  });
});
