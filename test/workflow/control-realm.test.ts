// The control realm on the real dev server: runbook steps reach only the realm's own task queue (the harness serves
// them there alone) with the event's region; an action that finds itself outside the realm fails without retry and
// the remediation escalates; the realm's all-regions kill switch stops a remediation in any region.
import { WithStartWorkflowOperation } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { actionActivityNames, createControlRealmActivities } from '../../activities/control-realm';
import { allRegionsName } from '../../core/control';
import { Outcome } from '../../core/outcome';
import { setKillSwitchUpdate } from '../../contracts/messages';
import { remediationWorkflowId } from '../../contracts/workflow-ids';
import { remediate } from '../../workflows';
import { RemediationHarness } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
beforeAll(() => ({ env } = stack));

/** Runs the harness's workers while `before` and then one remediation run. */
async function remediateOnce(h: RemediationHarness, before: () => Promise<unknown> = () => Promise.resolve()) {
  const event = h.event();
  const status = await h.run(async () => {
    await before();
    return await env.client.workflow.execute(remediate, {
      taskQueue: h.taskQueue,
      workflowId: remediationWorkflowId(event.incident_key),
      args: [event, {}],
    });
  });
  return { event, status };
}

describe('the control realm', () => {
  it("runs every step on the realm's queue with the event's region", async () => {
    const h = new RemediationHarness(env);

    const { status } = await remediateOnce(h);

    expect(status.outcome).toBe(Outcome.Remediated);
    expect(h.stepCalls.map((c) => [c.activity, c.region])).toEqual([
      ['drainHost', h.region],
      ['cloneHost', h.region],
    ]);
  });

  it('an action outside the control realm fails without retry, touches nothing, and the page is escalated', async () => {
    const touched: string[] = [];
    const h: RemediationHarness = new RemediationHarness(env, {
      // the real realm check, on a worker that believes it is in another region than the realm
      actionActivities: createControlRealmActivities({
        workerRegion: 'somewhere-else',
        deployment: () => Promise.resolve(h.match(h.event()).deployment),
        actuatorsFor: () =>
          Object.fromEntries(
            actionActivityNames.map((name) => [name, () => Promise.resolve(void touched.push(name))]),
          ) as never,
      }),
    });

    const { event, status } = await remediateOnce(h);

    expect(status.outcome).toBe(Outcome.StepFailed);
    expect(status.reason).toMatch(/^step drain failed: Attempted to execute action outside of control realm/);
    expect(status.steps[0]).toMatchObject({ status: 'failed', attempts: [{ error_type: 'OutsideControlRealm' }] });
    expect(touched).toEqual([]);
    expect(h.calls('escalatePage')).toEqual([event.incident_key]);
  });

  it('the all-regions kill switch stops a remediation of any region, naming who set it and why', async () => {
    const h = new RemediationHarness(env);
    const switchOn = () =>
      env.client.workflow.executeUpdateWithStart(setKillSwitchUpdate, {
        args: [{ scope: 'global', enabled: true, reason: 'bad remediation release, every region', actor: 'alice' }],
        startWorkflowOperation: new WithStartWorkflowOperation('control', {
          workflowId: h.allRegionsControlId,
          taskQueue: h.taskQueue,
          args: [{ region: allRegionsName }],
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      });

    const { event, status } = await remediateOnce(h, switchOn);

    expect(status.outcome).toBe(Outcome.KillSwitch);
    expect(status.reason).toBe(
      'kill switch all-regions:global is on (set by alice: bad remediation release, every region)',
    );
    expect(h.stepCalls).toEqual([]);
    expect(h.calls('escalatePage')).toEqual([event.incident_key]);
  });
});
