// The Lazarus worker process: registers workflows and activities on the task queue, shuts down on SIGTERM/SIGINT.
import fs from 'node:fs';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createAwsClients, destroyAwsClients } from '../activities/aws';
import { readRuntimeConfig } from '../core';
import { workflowBundlePath, workflowsPath } from './bundle';
import { nativeConnectionOptions } from './connection';

export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = readRuntimeConfig(env);
  Runtime.install({
    logger: new DefaultLogger(env.LAZARUS_LOG_LEVEL === 'debug' ? 'DEBUG' : 'INFO'),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
  });
  const connection = await NativeConnection.connect(nativeConnectionOptions(config.temporal));
  const aws = createAwsClients(config.aws);
  const workflowSource: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = fs.existsSync(workflowBundlePath)
    ? { workflowBundle: { codePath: workflowBundlePath } }
    : { workflowsPath };
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      ...workflowSource,
      activities: createActivities({ aws }),
    });
    process.stdout.write(
      `lazarus worker: polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address} ` +
        `(namespace ${config.temporal.namespace})\n`,
    );
    await worker.run(); // resolves after a shutdown signal once in-flight tasks are done
  } finally {
    destroyAwsClients(aws);
    await connection.close();
  }
}

if (require.main === module) {
  runWorker().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`lazarus worker: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
