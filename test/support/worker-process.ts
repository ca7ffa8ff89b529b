// A Lazarus worker as its own process (node + the TypeScript source), so a drill can kill -9 it or SIGTERM it and
// start another: the real worker/main.ts entry point (main task queue and its checker nodes), pointed at the test
// stack (Temporal, the AWS emulator, the PagerDuty emulator, the SMTP receiver) and a config tree.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { stackValue } from './stack-env';

const projectRoot = path.resolve(__dirname, '..', '..');

export interface WorkerProcessOptions {
  /** Worker identity (LAZARUS_WORKER_IDENTITY), shown as the worker of the tasks it runs. */
  identity: string;
  taskQueue: string;
  /** Folder holding rules/, profiles/ and services/ (with deployment.yaml naming the checker task queues). */
  configRoot: string;
  /** Extra environment (LAZARUS_WORKER_SHUTDOWN_GRACE_MS, ...). */
  env?: Record<string, string>;
}

export interface WorkerProcess {
  identity: string;
  child: ChildProcess;
  /** Everything it printed. */
  output(): string;
  /** The exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** Sends `signal` (default SIGTERM) unless it has exited, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const [smtpHost, smtpPort] = stackValue('smtpAddress').split(':');
  const child = spawn(
    process.execPath,
    ['-r', path.join(projectRoot, 'test', 'support', 'ts-require.js'), path.join(projectRoot, 'worker', 'main.ts')],
    {
      cwd: projectRoot,
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
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker ${options.identity} not ready in 60 s:\n${output}`)),
      60_000,
    );
    const check = (): void => {
      if (output.includes('lazarus worker: polling')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${options.identity} exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    identity: options.identity,
    child,
    output: () => output,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return await exited;
    },
  };
}
