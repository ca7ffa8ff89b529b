// The setup integration and workflow test files share, as one call: useTestStack registers the beforeAll/afterAll
// pair that connects to Temporal, makes AWS emulator clients, writes a config tree, runs a RemediationHarness's
// workers and starts the REST API, and tears down whatever was set up, in a fixed order, even after a failed setup.
import fs from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { destroyAwsClients, type AwsClients } from '../../platform/aws-clients';
import { startTestApi, type TestApi } from './api-client';
import { testAwsClients } from './aws';
import { writeConfigTree } from './lazarus-stack';
import { RemediationHarness } from './remediation-harness';
import { connectTestEnv } from './temporal';

export interface TestStackOptions {
  /** `env`: a TestWorkflowEnvironment on the run's Temporal dev server. */
  temporal?: boolean;
  /** `aws`: AWS clients on the run's emulator. */
  aws?: boolean;
  /** `configRoot`: a config tree written from these options (called in beforeAll), removed at teardown. */
  configTree?: () => Parameters<typeof writeConfigTree>[0];
  /** `harness`: a RemediationHarness whose workers run from beforeAll to afterAll (needs temporal). */
  harness?: boolean;
  /** `api`: the REST API on the harness's task queue and region (needs harness). */
  api?: boolean;
}

/** Everything useTestStack can set up; each field is filled before the file's tests run if its option asks. */
export interface TestStackResources {
  env: TestWorkflowEnvironment;
  aws: AwsClients;
  configRoot: string;
  harness: RemediationHarness;
  api: TestApi;
}

/** The fields `Options` asks for. */
export type TestStack<Options extends TestStackOptions> = Pick<
  TestStackResources,
  | (Options extends { temporal: true } ? 'env' : never)
  | (Options extends { aws: true } ? 'aws' : never)
  | (Options extends { configTree: () => unknown } ? 'configRoot' : never)
  | (Options extends { harness: true } ? 'harness' : never)
  | (Options extends { api: true } ? 'api' : never)
>;

/**
 * Registers, in the calling describe block (or file), a beforeAll that sets up what `options` asks for, in the order
 * env, aws, configRoot, harness, api, harness workers, and an afterAll that stops the harness workers, closes the
 * API, destroys the AWS clients, removes the config tree and tears down the environment. Teardown skips only what
 * was never set up, runs every step even when one fails, and then throws what failed. Hooks a file registers after
 * this call run after these (jest runs afterAll hooks in the order they were declared).
 */
export function useTestStack<const Options extends TestStackOptions>(options: Options): TestStack<Options> {
  if (options.harness && !options.temporal) throw new Error('useTestStack: harness needs temporal: true');
  if (options.api && !options.harness) throw new Error('useTestStack: api needs harness: true');
  const stack: Partial<TestStackResources> = {};
  let harnessWorkers: { stop: () => void; done: Promise<unknown> } | undefined;

  beforeAll(async () => {
    if (options.temporal) stack.env = await connectTestEnv();
    if (options.aws) stack.aws = testAwsClients();
    if (options.configTree) stack.configRoot = writeConfigTree(options.configTree());
    if (options.harness) stack.harness = new RemediationHarness(stack.env!);
    if (options.api) {
      const harness = stack.harness!;
      stack.api = await startTestApi({
        temporal: stack.env!.client,
        taskQueue: harness.taskQueue,
        region: harness.region,
        allRegionsControlId: harness.allRegionsControlId,
      });
    }
    if (stack.harness) {
      await stack.harness.start();
      let stop!: () => void;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      harnessWorkers = { stop, done: stack.harness.run(() => stopped) };
    }
  });

  afterAll(async () => {
    const failures: unknown[] = [];
    const attempt = async (teardownStep: () => unknown): Promise<void> => {
      try {
        await teardownStep();
      } catch (error) {
        failures.push(error);
      }
    };
    const { api, aws, configRoot, env } = stack;
    const workers = harnessWorkers;
    if (workers) {
      await attempt(async () => {
        workers.stop();
        await workers.done;
      });
    }
    if (api) await attempt(() => api.server.close());
    if (aws) await attempt(() => destroyAwsClients(aws));
    if (configRoot) await attempt(() => fs.rmSync(configRoot, { recursive: true, force: true }));
    if (env) await attempt(() => env.teardown());
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, 'useTestStack: teardown failed');
  });

  return stack as TestStack<Options>;
}
