// An escalation, a page note and a notification are local activities, and a local activity runs again when its
// workflow task is retried: each must still reach the on-call once. Here every such call's workflow task fails once
// right after the call did its work (a workflow interceptor bundled for this file), so Temporal retries the task and
// the workflow asks for the call again.
import { bundleWorkflowCode } from '@temporalio/worker';
import type { ActivityInboundCallsInterceptor, ActivityExecuteInput, Next } from '@temporalio/worker';
import type { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Outcome } from '../../core/outcome';
import { remediate } from '../../workflows';
import { setKillSwitchUpdate } from '../../contracts/messages';
import { controlId, remediationWorkflowId } from '../../contracts/workflow-ids';
import { failWorkflowTaskOnceKey } from '../support/fail-task-once.workflow-interceptor';
import { RemediationHarness } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
let code: string;
beforeAll(async () => {
  ({ env } = stack);
  const quiet = (): void => undefined;
  ({ code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    workflowInterceptorModules: [require.resolve('../support/fail-task-once.workflow-interceptor')],
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet },
  }));
});

const telling = new Set(['escalatePage', 'addPageNote', 'notify']);

/**
 * Marks the answer of the first telling local activity of each workflow run, so that its workflow task fails once
 * (a second failure in a row would make the server wait before retrying). `seen` collects what was marked.
 */
function markFirstAnswers(seen: Map<string, string>) {
  return (ctx: Context): { inbound: ActivityInboundCallsInterceptor } => ({
    inbound: {
      async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
        const { info } = ctx;
        const result = await next(input);
        const run = info.workflowExecution?.runId ?? '';
        if (!info.isLocal || !telling.has(info.activityType) || seen.has(run)) return result;
        seen.set(run, info.activityType);
        return { ...(result as object), [failWorkflowTaskOnceKey]: true };
      },
    },
  });
}

it('tells the on-call once when the workflow task that escalated, noted or notified is retried', async () => {
  const marked = new Map<string, string>();
  const h = new RemediationHarness(env, {
    service: { ack_window_ms: 20_000 },
    mainWorker: {
      workflowBundle: { code },
      // the retried task comes back at once rather than after the sticky queue's 10 s
      stickyQueueScheduleToStartTimeout: '500 ms',
      interceptors: { activity: [markFirstAnswers(marked)] },
    },
  });
  const start = (event = h.event()) =>
    env.client.workflow.start(remediate, {
      taskQueue: h.taskQueue,
      workflowId: remediationWorkflowId(event.incident_key),
      args: [event, { kill_switch_poll_ms: 200 }],
    });
  const [remediated, late, blocked] = await h.run(async () => {
    // REMEDIATED: first tells the team it acknowledged; LATE: a note on its page; KILL_SWITCH: an escalation
    const remediatedStatus = await (await start()).result();
    const lateStatus = await (
      await start(h.event({ occurred_at: new Date(Date.now() - 30_000).toISOString() }))
    ).result();
    const control = await env.client.workflow.start('control', {
      taskQueue: h.taskQueue,
      workflowId: controlId(h.region),
      args: [{ region: h.region }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    await control.executeUpdate(setKillSwitchUpdate, {
      args: [{ scope: 'host_replacement', enabled: true, reason: 'retried task drill', actor: 'erin' } as never],
    });
    return [remediatedStatus, lateStatus, await (await start()).result()];
  });

  expect(remediated.outcome).toBe(Outcome.Remediated);
  expect(late.outcome).toBe(Outcome.Late);
  expect(blocked.outcome).toBe(Outcome.KillSwitch);
  // each of the three calls was asked for again after its workflow task failed, and reached the stand-in once
  expect([...marked.values()].sort()).toEqual(['addPageNote', 'escalatePage', 'notify']);
  for (const status of [remediated, late, blocked]) {
    const history = await env.client.workflow.getHandle(status.workflow_id).fetchHistory();
    const failedTasks = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length;
    expect(failedTasks).toBeGreaterThanOrEqual(1);
  }
  expect(h.calls('addPageNote')).toEqual([late.incident_key]);
  expect(h.calls('escalatePage')).toEqual([blocked.incident_key]);
  const notices = h.pages.filter((p) => p.call === 'notify').map((p) => `${p.key} ${String(p.detail)}`);
  expect(notices).toEqual([
    `${remediated.incident_key} acknowledged`,
    `${remediated.incident_key} remediated`,
    `${late.incident_key} escalated`,
    `${blocked.incident_key} kill_switch_blocked`,
  ]);
});
