// What the ELB activities report when they fail half-way, against a stand-in ELBv2 client (the emulator drains and
// reports health at once, so these states cannot be played there): the failure carries the attempt's progress, for
// the runbook to keep in workflow state, resume from and compensate.
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { AwsFailureType, createElbActivities } from '../../activities/aws';
import { stepProgressDetailKey } from '../../core/activity-catalog';

const arn = 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/1';

/** An ELBv2 client whose answers the test chooses, by command name. */
function elbStandIn(
  answer: (command: string, input: Record<string, unknown>) => unknown,
): ElasticLoadBalancingV2Client {
  return {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      await Promise.resolve();
      return answer(command.constructor.name, command.input);
    },
  } as unknown as ElasticLoadBalancingV2Client;
}

async function failureOf(run: Promise<unknown>): Promise<ApplicationFailure> {
  const failure = await run.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toBeInstanceOf(ApplicationFailure);
  return failure as ApplicationFailure;
}

describe('ELB activities stopped half-way report what they had done', () => {
  it('registerHost fails naming the group where the host did not turn healthy, with the groups it registered in', async () => {
    const elb = elbStandIn((command) => {
      if (command === 'DescribeTargetHealthCommand') {
        return { TargetHealthDescriptions: [{ Target: { Id: 'i-new' }, TargetHealth: { State: 'unhealthy' } }] };
      }
      return {};
    });
    const activities = createElbActivities({ elb, drainPollMs: 20 });

    const failure = await failureOf(
      new MockActivityEnvironment().run(activities.registerHost, {
        instanceId: 'i-new',
        targetGroupArns: [arn],
        healthyTimeoutMs: 100,
      }),
    );

    expect(failure.type).toBe(AwsFailureType.TargetNotHealthy);
    expect(failure.message).toContain(`${arn} (unhealthy)`);
    expect(failure.nonRetryable).toBeFalsy();
    expect(failure.details).toEqual([
      { [stepProgressDetailKey]: { registered: [arn], states: { [arn]: 'unhealthy' } } },
    ]);
  });

  it('drainHost that fails after taking the host out keeps the target groups in its failure', async () => {
    let deregistered = false;
    const elb = elbStandIn((command) => {
      if (command === 'DescribeTargetGroupsCommand') return { TargetGroups: [{ TargetGroupArn: arn }] };
      if (command === 'DeregisterTargetsCommand') {
        deregistered = true;
        return {};
      }
      if (command === 'DescribeTargetHealthCommand') {
        if (deregistered)
          throw Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable', $fault: 'server' });
        return { TargetHealthDescriptions: [{ Target: { Id: 'i-sick' }, TargetHealth: { State: 'healthy' } }] };
      }
      return {};
    });
    const activities = createElbActivities({ elb, drainPollMs: 20 });

    const failure = await failureOf(new MockActivityEnvironment().run(activities.drainHost, { instanceId: 'i-sick' }));

    expect(failure.type).toBe(AwsFailureType.Unavailable);
    const progress = (failure.details ?? []).map((d) => (d as Record<string, unknown>)[stepProgressDetailKey]);
    expect(progress).toContainEqual(expect.objectContaining({ targetGroupArns: [arn] }));
  });
});
