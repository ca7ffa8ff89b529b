// The control realm and the kill switch's bounds as pure logic: the deployment's control_realm and aws_region, where
// a worker may act, the realm check and region choice of every action, the all-regions kill switch, and a control
// state that fits a Query however operators fill it.
import { ApplicationFailure } from '@temporalio/common';
import { formatConfigIssue } from '../../core/config';
import {
  allRegionsName,
  blockingKillSwitch,
  controlChangeProblem,
  controlLimits,
  emptyControlState,
  recordControlChange,
  type ControlState,
} from '../../core/control';
import { awsRegionOf, checkerNodesOf, controlRealm } from '../../core/resolved-config';
import { actionActivityNames, createControlRealmActivities } from '../../activities/control-realm';
import { workerPlacementProblem, readWorkerProcessSettings } from '../../worker/settings';
import { filesWith, issuesOf, snapshotOf } from './config/config-fixture';

const twoRegions = `regions:
  - { name: us-east-1 }
  - { name: eu-west-1, aws_region: eu-west-1 }
control_realm: us-east-1
`;
const deploymentOf = (yaml: string) => snapshotOf(filesWith({ 'services/deployment.yaml': yaml })).deployment;
const problemsOf = (yaml: string) => issuesOf(filesWith({ 'services/deployment.yaml': yaml })).map(formatConfigIssue);

describe('the control realm in services/deployment.yaml', () => {
  it('is the home region by default, or the declared region control_realm names', () => {
    expect(controlRealm(deploymentOf('region: us-east-1\n'))).toBe('us-east-1');
    expect(
      controlRealm(deploymentOf(`${twoRegions.replace('control_realm: us-east-1', 'control_realm: eu-west-1')}`)),
    ).toBe('eu-west-1');
  });

  it('a region has its own checker nodes and AWS region (default its name)', () => {
    const deployment = deploymentOf(twoRegions);
    expect(checkerNodesOf(deployment, 'eu-west-1').map((n) => n.zone)).toEqual([
      'eu-west-1a',
      'eu-west-1b',
      'eu-west-1c',
    ]);
    expect(checkerNodesOf(deployment, 'us-east-1').map((n) => n.zone)).toEqual([
      'us-east-1a',
      'us-east-1b',
      'us-east-1c',
    ]);
    expect(awsRegionOf(deploymentOf('region: cell-7\naws_region: us-east-1\n'), 'cell-7')).toBe('us-east-1');
    expect(awsRegionOf(deployment, 'us-east-1')).toBe('us-east-1');
  });

  it('refuses a control realm that is not declared, and a region named all-regions', () => {
    expect(problemsOf(`${twoRegions}`.replace('control_realm: us-east-1', 'control_realm: ap-south-1'))).toEqual([
      expect.stringMatching(/control_realm.*"ap-south-1" is not a declared region \(us-east-1, eu-west-1\)/),
    ]);
    expect(problemsOf('region: all-regions\n').join('\n')).toMatch(/"all-regions" cannot be a region/);
  });
});

describe('where a worker may act', () => {
  const deployment = { regions: ['us-east-1', 'eu-west-1'], controlRealm: 'us-east-1' };

  it('a worker of the control realm may decide and act; outside it only decide', () => {
    expect(workerPlacementProblem({ region: 'us-east-1', roles: ['decide', 'act'] }, deployment)).toBeUndefined();
    expect(workerPlacementProblem({ region: 'eu-west-1', roles: ['decide'] }, deployment)).toBeUndefined();
    expect(workerPlacementProblem({ region: 'eu-west-1', roles: ['act'] }, deployment)).toMatch(
      /^LAZARUS_WORKER_ROLES: act: this worker is in region eu-west-1, outside the control realm \(us-east-1/,
    );
    expect(workerPlacementProblem({ region: 'ap-south-1', roles: ['decide'] }, deployment)).toMatch(
      /^LAZARUS_WORKER_REGION: "ap-south-1" is not a region declared/,
    );
  });

  it('reads LAZARUS_WORKER_REGION and LAZARUS_WORKER_ROLES, naming a bad value', () => {
    expect(
      readWorkerProcessSettings({ LAZARUS_WORKER_REGION: 'eu-west-1', LAZARUS_WORKER_ROLES: 'act' }),
    ).toMatchObject({
      region: 'eu-west-1',
      roles: ['act'],
    });
    expect(() => readWorkerProcessSettings({ LAZARUS_WORKER_ROLES: 'decide,fly' })).toThrow(/LAZARUS_WORKER_ROLES/);
    expect(() => readWorkerProcessSettings({ LAZARUS_WORKER_REGION: 'EU West' })).toThrow(/LAZARUS_WORKER_REGION/);
  });
});

describe('an action', () => {
  const calls: Array<{ awsRegion: string; input: unknown }> = [];
  const actionsOn = (workerRegion: string, realm = 'us-east-1') =>
    createControlRealmActivities({
      workerRegion,
      deployment: () =>
        Promise.resolve({
          region: 'us-east-1',
          regions: ['us-east-1', 'eu-west-1'],
          control_realm: realm,
          region_settings: {
            'eu-west-1': { name: 'eu-west-1', aws_region: 'eu-west-1', checker_nodes: [], breaker: {} as never },
          },
        }),
      actuatorsFor: (awsRegion) =>
        Object.fromEntries(
          actionActivityNames.map((name) => [
            name,
            (input: unknown) => {
              calls.push({ awsRegion, input });
              return Promise.resolve({ done: name });
            },
          ]),
        ) as never,
    });
  beforeEach(() => (calls.length = 0));

  it("acts in the event's region (its AWS region), without the region in the activity's own input", async () => {
    await actionsOn('us-east-1').drainHost({ instanceId: 'i-1', region: 'eu-west-1' });
    expect(calls).toEqual([{ awsRegion: 'eu-west-1', input: { instanceId: 'i-1' } }]);
  });

  it('outside the control realm fails without retry and touches nothing', async () => {
    const failure = await actionsOn('eu-west-1')
      .cloneHost({ instanceId: 'i-1', idempotencyKey: 'k', region: 'eu-west-1' })
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ nonRetryable: true, type: 'OutsideControlRealm' });
    expect((failure as Error).message).toMatch(/^Attempted to execute action outside of control realm/);
    // the realm moved in the configuration: the former realm's worker refuses too
    await expect(actionsOn('us-east-1', 'eu-west-1').drainHost({ region: 'us-east-1' })).rejects.toMatchObject({
      type: 'OutsideControlRealm',
    });
    expect(calls).toEqual([]);
  });

  it('refuses a step without a region or with an undeclared one', async () => {
    await expect(actionsOn('us-east-1').drainHost({ instanceId: 'i-1' })).rejects.toMatchObject({
      nonRetryable: true,
      type: 'MissingRegion',
    });
    await expect(actionsOn('us-east-1').drainHost({ instanceId: 'i-1', region: 'us-east-1x' })).rejects.toMatchObject({
      nonRetryable: true,
      type: 'UndeclaredRegion',
    });
    expect(calls).toEqual([]);
  });
});

describe('the kill switch', () => {
  const on = { enabled: true, reason: 'bad deploy', actor: 'ops', at: 1 };

  it('the all-regions switch blocks every region, before the region own', () => {
    const state: ControlState = {
      ...emptyControlState('eu-west-1'),
      all_regions: { kill_switch: { autoscaling: on } },
    };
    expect(blockingKillSwitch(state, 'autoscaling')).toMatchObject({ scope: `${allRegionsName}:autoscaling` });
    expect(blockingKillSwitch(state, 'host_replacement')).toBeUndefined();
    state.kill_switch.global = { ...on, actor: 'regional' };
    expect(blockingKillSwitch(state, 'host_replacement')).toMatchObject({ scope: 'global', actor: 'regional' });
  });

  it('refuses a reason or actor beyond its bound, naming the field', () => {
    expect(controlChangeProblem({ actor: 'ops', reason: 'x'.repeat(controlLimits.reasonMaxChars) })).toBeUndefined();
    expect(controlChangeProblem({ actor: 'ops', reason: 'x'.repeat(controlLimits.reasonMaxChars + 1) })).toMatchObject({
      field: 'reason',
    });
    expect(controlChangeProblem({ actor: 'a'.repeat(controlLimits.actorMaxChars + 1), reason: 'r' })).toMatchObject({
      field: 'actor',
    });
    expect(controlChangeProblem({ actor: 'ops', reason: ' ' })).toMatchObject({ field: 'reason' });
    expect(controlChangeProblem({ actor: 'ops', reason: 'two\nlines' })).toMatchObject({ field: 'reason' });
  });

  it('a state filled to every bound with 3-byte characters stays below the 2 MB a Query may return', () => {
    const state = emptyControlState('us-east-1');
    const wide = (n: number): string => '語'.repeat(n);
    const setting = {
      enabled: true,
      reason: wide(controlLimits.reasonMaxChars),
      actor: wide(controlLimits.actorMaxChars),
      at: Date.now(),
    };
    expect(controlChangeProblem(setting)).toBeUndefined();
    for (let i = 0; i < controlLimits.historyMax * 3; i++) {
      recordControlChange(state, { what: `shadow:service:${wide(controlLimits.scopeMaxChars - 8)}`, setting });
    }
    for (let i = 0; i < controlLimits.shadowScopesMax; i++) {
      state.shadow[`service:${i}${wide(controlLimits.scopeMaxChars - 12)}`] = setting;
    }
    state.kill_switch = { global: setting, host_replacement: setting, autoscaling: setting };
    state.all_regions = { kill_switch: { ...state.kill_switch } };

    const bytes = Buffer.byteLength(JSON.stringify(state));
    process.stdout.write(`control state filled to every bound: ${bytes} bytes as JSON\n`);

    expect(state.history).toHaveLength(controlLimits.historyMax);
    expect(bytes).toBeLessThan(1.5 * 1024 * 1024);
  });
});
