// Per-file access to the shared Temporal dev server, and a worker on a fresh task queue for each test.
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { createWorkerMetrics, type WorkerMetrics } from '../../worker/metrics';
import { stackValue } from './stack-env';

export async function connectTestEnv(): Promise<TestWorkflowEnvironment> {
  return await TestWorkflowEnvironment.createFromExistingServer({
    address: stackValue('temporalAddress'),
    namespace: stackValue('temporalNamespace'),
  });
}

export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

/**
 * A worker that runs the prebuilt bundle of every Lazarus workflow with the given activities, and the workflows'
 * metrics sinks feeding `metrics` (pass a WorkerMetrics to read what the workflows reported; default a fresh one).
 */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  options: Omit<WorkerOptions, 'connection' | 'namespace' | 'workflowBundle' | 'workflowsPath'> & {
    metrics?: WorkerMetrics;
  },
): Promise<Worker> {
  const { metrics = createWorkerMetrics(), ...workerOptions } = options;
  return await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? stackValue('temporalNamespace'),
    workflowBundle: { codePath: stackValue('workflowBundle') },
    sinks: metrics.sinks,
    ...workerOptions,
  });
}
