import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { createActivities } from '../../activities';
import { inspectHost } from '../../workflows';
import { launchTestHosts } from '../support/fleet';
import { createTestWorker, uniqueTaskQueue } from '../support/temporal';
import { useTestStack } from '../support/test-stack';
import type { AwsClients } from '../../platform/aws-clients';

describe('inspectHost workflow on the Temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  let aws: AwsClients;
  const stack = useTestStack({ temporal: true, aws: true });
  beforeAll(async () => {
    ({ env, aws } = stack);
    const info = await env.client.workflowService.getSystemInfo({});
    process.stdout.write(`workflow test connected to Temporal server ${info.serverVersion} at the dev server\n`);
  });

  it('runs the describeInstance activity through a worker and returns the host facts', async () => {
    const [instanceId] = await launchTestHosts(aws.ec2, { service: 'search', count: 1 });
    const taskQueue = uniqueTaskQueue('inspect');
    const worker = await createTestWorker(env, { taskQueue, activities: createActivities({ aws }) });

    const facts = await worker.runUntil(
      env.client.workflow.execute(inspectHost, { taskQueue, workflowId: `inspect/${instanceId}`, args: [instanceId] }),
    );

    expect(facts.instanceId).toBe(instanceId);
    expect(facts.tags['lazarus:service']).toBe('search');
    const history = await env.client.workflow.getHandle(`inspect/${instanceId}`).fetchHistory();
    const scheduled = history.events?.filter((e) => e.activityTaskScheduledEventAttributes) ?? [];
    expect(scheduled.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)).toEqual([
      'describeInstance',
    ]);
  });

  it('fails the workflow at once when the host does not exist', async () => {
    const taskQueue = uniqueTaskQueue('inspect');
    const worker = await createTestWorker(env, { taskQueue, activities: createActivities({ aws }) });

    const run = worker.runUntil(
      env.client.workflow.execute(inspectHost, {
        taskQueue,
        workflowId: uniqueTaskQueue('missing'),
        args: ['i-00000000000000000'],
      }),
    );

    await expect(run).rejects.toBeInstanceOf(WorkflowFailedError);
  });
});
