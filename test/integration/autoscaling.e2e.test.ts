// End to end: demand rises on a simulated service and the pool grows through the demand sensor, the real remediate
// workflow (shipped stateless profile, scale_up/scale_down runbooks) and the AWS emulator; demand falls and it shrinks,
// never outside its bounds.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Outcome } from '../../core/outcome';
import { createDemandSensor } from '../../sensors/demand';
import { createActionQueueActivities, createMainQueueActivities } from '../../worker/lazarus-activities';
import { createLazarusWorkers, testWorkerDependencies } from '../support/lazarus-stack';
import { remediate } from '../../workflows';
import { stackValue } from '../support/stack-env';
import { getJson, postJson } from '../support/stand-ins';
import { uniqueTaskQueue } from '../support/temporal';
import { useTestStack } from '../support/test-stack';
import { remediationWorkflowId } from '../../contracts/workflow-ids';
import type { AwsClients } from '../../platform/aws-clients';

const id = randomUUID().slice(0, 8);
const service = `pool-${id}`;
const region = `pool-region-${id}`;
const taskQueue = uniqueTaskQueue('autoscale');

let env: TestWorkflowEnvironment;
let aws: AwsClients;
let configRoot: string;
const stack = useTestStack({
  temporal: true,
  aws: true,
  configTree: () => ({
    region,
    taskQueue,
    services: {
      [service]:
        `name: ${service}\nteam: sre\nprofile: stateless\n` +
        // hosts a few seconds old may be retired here (by default only those past their health_timeout)
        `params:\n  scaling: { min_hosts: 2, max_hosts: 4, max_step: 2, cooldown: 1s, retire_min_age: 0s }\n`,
    },
  }),
});
beforeAll(() => ({ env, aws, configRoot } = stack));

it('grows the pool when demand rises and shrinks it when demand falls, within its bounds', async () => {
  const fleetUrl = stackValue('fleetSimulatorUrl');
  expect((await postJson(`${fleetUrl}/services`, { name: service, hosts: 2 })).status).toBe(201);
  const deps = testWorkerDependencies(env, { aws, taskQueue, configRoot });
  const main = createMainQueueActivities(deps);
  const workers = await createLazarusWorkers(
    env,
    main,
    taskQueue,
    createActionQueueActivities({ ...deps, workerRegion: region }),
  );
  const activeHosts = async (): Promise<number> => (await main.listServiceHosts(service)).length;
  const outcomes: string[] = [];
  const pools: number[] = [];
  const sensor = createDemandSensor({
    services: [{ service, target_per_host: 100, hysteresis: 0.2 }],
    region,
    environment: 'prod',
    readLoad: async (svc) => (await getJson<{ load: number }>(`${fleetUrl}/services/${svc}/load`)).load,
    countActive: activeHosts,
    submit: async (event) => {
      const handle = await env.client.workflow.start(remediate, {
        taskQueue,
        workflowId: remediationWorkflowId(event.incident_key),
        args: [event, {}],
      });
      return { done: handle.result().then((s) => outcomes.push(`${event.event_type}:${s.outcome}`)) };
    },
  });
  const setLoad = (value: number) => postJson(`${fleetUrl}/services/${service}/load`, { value });
  const runs = workers.map((w) => w.run());
  try {
    // demand rises: 400 over 2 hosts wants 4
    await setLoad(400);
    const up = await sensor.tick();
    expect(up[0].decision).toMatchObject({ action: 'ScaleUp', desired: 4 });
    await sensor.idle();
    pools.push(await activeHosts());
    // inside the band: nothing happens
    await setLoad(390);
    expect((await sensor.tick())[0].decision?.action).toBe('none');
    // demand falls: 50 over 4 hosts wants 1, the workflow keeps the minimum of 2
    await new Promise((r) => setTimeout(r, 1100)); // the service's 1 s cooldown
    await setLoad(50);
    const down = await sensor.tick();
    expect(down[0].decision).toMatchObject({ action: 'ScaleDown', desired: 1 });
    await sensor.idle();
    pools.push(await activeHosts());
  } finally {
    for (const w of workers) w.shutdown();
    await Promise.all(runs);
  }
  expect(outcomes).toEqual([`ScaleUp:${Outcome.Remediated}`, `ScaleDown:${Outcome.Remediated}`]);
  expect(pools).toEqual([4, 2]);
});
