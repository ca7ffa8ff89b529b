// The Lazarus worker process: registers workflows and activities on the task queue, shuts down on SIGTERM/SIGINT.
import fs from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createAwsClients, destroyAwsClients } from '../activities/aws';
import { createPagerClient } from '../activities/pager';
import { readRuntimeConfig, type RuntimeConfig } from '../core';
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
      activities: createActivities({
        aws,
        pager: pagerClient(config),
        awsOptions: {
          forensicsMode: config.actuators.forensicsMode,
          isolationSecurityGroupId: config.actuators.isolationSecurityGroupId,
        },
        notify: {
          temporalUiUrl: config.actuators.temporalUiUrl,
          namespace: config.temporal.namespace,
          ...(config.smtp ? { smtp: config.smtp } : {}),
        },
      }),
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

function pagerClient(config: RuntimeConfig): ReturnType<typeof createPagerClient> {
  const { caPath, ...pd } = config.pagerduty;
  // A private CA (the local emulator's self-signed certificate) is trusted for the Events API only.
  const httpsAgent = caPath ? new HttpsAgent({ ca: fs.readFileSync(caPath, 'utf8'), keepAlive: true }) : undefined;
  return createPagerClient({ ...pd, ...(httpsAgent ? { httpsAgent } : {}) });
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
