// A Lazarus worker as its own process (node + the TypeScript source), so a drill can kill -9 it or SIGTERM it and
// start another: the real worker/main.ts entry point (main task queue and its checker nodes), pointed at the test
// stack (Temporal, the AWS emulator, the PagerDuty emulator, the SMTP receiver) and a config tree.
import { startSourceProcess, type SourceProcess } from './source-process';
import { stackValue } from './stack-env';

export interface WorkerProcessOptions {
  /** Worker identity (LAZARUS_WORKER_IDENTITY), shown as the worker of the tasks it runs. */
  identity: string;
  taskQueue: string;
  /** Folder holding rules/, profiles/ and services/ (with deployment.yaml naming the checker task queues). */
  configRoot: string;
  /** Extra environment (LAZARUS_WORKER_SHUTDOWN_GRACE_MS, ...). */
  env?: Record<string, string>;
  /** How long it may take to be ready (default 60 s). */
  readyTimeoutMs?: number;
}

export interface WorkerProcess extends SourceProcess {
  identity: string;
}

export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const [smtpHost, smtpPort] = stackValue('smtpAddress').split(':');
  const started = await startSourceProcess({
    name: `worker ${options.identity}`,
    entry: 'worker/main.ts',
    readyLine: 'lazarus worker: polling',
    ...(options.readyTimeoutMs ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: stackValue('temporalAddress'),
      TEMPORAL_NAMESPACE: stackValue('temporalNamespace'),
      LAZARUS_TASK_QUEUE: options.taskQueue,
      LAZARUS_CONFIG_ROOT: options.configRoot,
      LAZARUS_AWS_ENDPOINT: stackValue('awsEndpoint'),
      AWS_REGION: 'us-east-1',
      LAZARUS_WORKFLOW_BUNDLE: stackValue('workflowBundle'),
      LAZARUS_WORKER_IDENTITY: options.identity,
      LAZARUS_WORKER_METRICS_PORT: '0',
      LAZARUS_PAGERDUTY_EVENTS_SERVER: stackValue('pagerDutyEventsServer'),
      LAZARUS_PAGERDUTY_API_URL: stackValue('pagerDutyRestUrl'),
      LAZARUS_PAGERDUTY_CA: stackValue('pagerDutyCaFile'),
      PAGERDUTY_API_TOKEN: 'lazarus-test',
      LAZARUS_PAGERDUTY_FROM: 'lazarus@example.com',
      LAZARUS_SMTP_HOST: smtpHost,
      LAZARUS_SMTP_PORT: smtpPort,
      LAZARUS_SMTP_IGNORE_TLS: 'true',
      LAZARUS_TEMPORAL_UI_URL: 'http://localhost:8233',
      NODE_NO_WARNINGS: '1',
      ...options.env,
    },
  });
  return { identity: options.identity, ...started };
}
