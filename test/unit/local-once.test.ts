// activities/local-once.ts: what a local activity that reaches a person did is given again, not done again, when the
// same local activity (same run, same activity id) runs again; anything else runs every time.
import { MockActivityEnvironment } from '@temporalio/testing';
import { oncePerLocalActivity } from '../../activities/local-once';

const localRun = (activityId: string, runId = 'run-1') =>
  new MockActivityEnvironment({
    isLocal: true,
    activityId,
    activityType: 'notify',
    workflowExecution: { workflowId: 'event/x', runId },
  });

it('runs the work once for the same local activity, also while the first run is still going', async () => {
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const work = async () => {
    calls += 1;
    await gate;
    return { sent: calls };
  };
  const first = localRun('7').run(() => oncePerLocalActivity(work));
  const second = localRun('7').run(() => oncePerLocalActivity(work));
  release();
  expect(await first).toEqual({ sent: 1 });
  expect(await second).toEqual({ sent: 1 });
  expect(await localRun('7').run(() => oncePerLocalActivity(work))).toEqual({ sent: 1 });
  expect(calls).toBe(1);
  // another activity of the run, or the same id in another run, is other work
  await localRun('8').run(() => oncePerLocalActivity(work));
  await localRun('7', 'run-2').run(() => oncePerLocalActivity(work));
  expect(calls).toBe(3);
});

it('keeps no failure: the next run of the activity tries again', async () => {
  let calls = 0;
  const work = async () => {
    calls += 1;
    if (calls === 1) throw new Error('Slack answered 500');
    return Promise.resolve('sent');
  };
  await expect(localRun('9').run(() => oncePerLocalActivity(work))).rejects.toThrow('Slack answered 500');
  await expect(localRun('9').run(() => oncePerLocalActivity(work))).resolves.toBe('sent');
  expect(calls).toBe(2);
});

it('runs every time outside a local activity (an ordinary activity, a script)', async () => {
  let calls = 0;
  const work = async () => Promise.resolve((calls += 1));
  const ordinary = () =>
    new MockActivityEnvironment({
      isLocal: false,
      activityId: '7',
      workflowExecution: { workflowId: 'w', runId: 'r' },
    });
  await ordinary().run(() => oncePerLocalActivity(work));
  await ordinary().run(() => oncePerLocalActivity(work));
  await oncePerLocalActivity(work);
  expect(calls).toBe(3);
});
