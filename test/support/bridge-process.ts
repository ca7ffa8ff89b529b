// A Kinesis bridge as its own process (node + the TypeScript source), so a test can stop it, kill -9 it and start
// another: the real ingest/bridge/main.ts entry point, pointed at the test stack.
import { startSourceProcess, type SourceProcess } from './source-process';
import { stackValue } from './stack-env';

export interface BridgeProcessOptions {
  identity: string;
  stream: string;
  bridgeQueue: string;
  remediationQueue: string;
  /** Extra LAZARUS_BRIDGE_* settings. */
  env?: Record<string, string>;
}

export interface BridgeProcess extends SourceProcess {
  identity: string;
}

export async function startBridgeProcess(options: BridgeProcessOptions): Promise<BridgeProcess> {
  const started = await startSourceProcess({
    name: `bridge ${options.identity}`,
    entry: 'ingest/bridge/main.ts',
    readyLine: 'lazarus bridge',
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
  });
  return { identity: options.identity, ...started };
}
