// A Kinesis bridge as its own process (node + the TypeScript source), so a test can stop it, kill -9 it and start
// another: the real ingest/bridge/main.ts entry point, pointed at the test stack.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { stackValue } from './stack-env';

const projectRoot = path.resolve(__dirname, '..', '..');

export interface BridgeProcessOptions {
  identity: string;
  stream: string;
  bridgeQueue: string;
  remediationQueue: string;
  /** Extra LAZARUS_BRIDGE_* settings. */
  env?: Record<string, string>;
}

export interface BridgeProcess {
  identity: string;
  child: ChildProcess;
  /** Everything it printed. */
  output(): string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startBridgeProcess(options: BridgeProcessOptions): Promise<BridgeProcess> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      path.join(projectRoot, 'test', 'support', 'ts-require.js'),
      path.join(projectRoot, 'ingest', 'bridge', 'main.ts'),
    ],
    {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH,
        TEMPORAL_ADDRESS: stackValue('temporalAddress'),
        TEMPORAL_NAMESPACE: stackValue('temporalNamespace'),
        LAZARUS_AWS_ENDPOINT: stackValue('awsEndpoint'),
        AWS_REGION: 'us-east-1',
        LAZARUS_WORKFLOW_BUNDLE: stackValue('workflowBundle'),
        LAZARUS_EVENT_STREAM: options.stream,
        LAZARUS_TASK_QUEUE: options.remediationQueue,
        LAZARUS_BRIDGE_TASK_QUEUE: options.bridgeQueue,
        LAZARUS_BRIDGE_IDENTITY: options.identity,
        LAZARUS_BRIDGE_METRICS_PORT: '0',
        LAZARUS_BRIDGE_HEARTBEAT_TIMEOUT_MS: '2000',
        LAZARUS_BRIDGE_IDLE_POLL_MS: '200',
        LAZARUS_BRIDGE_DISCOVERY_INTERVAL_MS: '500',
        LAZARUS_BRIDGE_MAX_RETRY_BACKOFF_MS: '500',
        NODE_NO_WARNINGS: '1',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`bridge ${options.identity} not ready in 60 s:\n${output}`)),
      60_000,
    );
    const check = (): void => {
      if (output.includes('lazarus bridge')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`bridge ${options.identity} exited with ${code} before it was ready:\n${output}`));
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
