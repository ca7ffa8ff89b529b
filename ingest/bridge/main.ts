// The Kinesis bridge process (one per Lazarus node): polls the bridge task queue for the bridge workflows and the
// shard readers, makes sure the stream's bridge workflow runs, and serves its metrics. Which process reads which
// shard is Temporal's business: run as many as you like, each shard has one owner at a time.
import fs from 'node:fs';
import os from 'node:os';
import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { readRuntimeConfig } from '../../core';
import { declaredRegions } from '../../core/resolved-config';
import { createSnapshotCache } from '../../platform/config-files';
import { readMaxFutureSkewMs } from '../../core/config/event-validation';
import { createBridgeActivities, createBridgeMetrics } from '.';
import { workflowBundlePath, workflowsPath } from '../../platform/workflow-bundle';
import { clientConnectionOptions, nativeConnectionOptions } from '../../platform/temporal-connection';
import { serveMetrics } from '../../platform/metrics-server';
import { temporalDataConverter } from '../../platform/payload-codec';
import { createAwsClients, destroyAwsClients } from '../../platform/aws-clients';
import { bridgeWorkflowId, readBridgeSettings, type StreamBridgeInput } from './model';

export async function runBridge(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = readRuntimeConfig(env);
  const stream = env.LAZARUS_EVENT_STREAM?.trim();
  if (!stream)
    throw new Error('LAZARUS_EVENT_STREAM is not set: the bridge needs the name of the Kinesis stream to read');
  const settings = readBridgeSettings(env, config.temporal.taskQueue);
  const maxFutureSkewMs = readMaxFutureSkewMs(env);
  // The regions Lazarus serves, from services/deployment.yaml under LAZARUS_CONFIG_ROOT (default: the working
  // directory), read once at start: a record for another region is dead-lettered, as the API answers it 400.
  const configRoot = env.LAZARUS_CONFIG_ROOT ?? process.cwd();
  const regions = declaredRegions((await createSnapshotCache({ configRoot })()).deployment);
  const identity = env.LAZARUS_BRIDGE_IDENTITY?.trim() || `bridge@${os.hostname()}:${process.pid}`;
  Runtime.install({
    logger: new DefaultLogger(env.LAZARUS_LOG_LEVEL === 'debug' ? 'DEBUG' : 'WARN'),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
  });
  const bundle = env.LAZARUS_WORKFLOW_BUNDLE?.trim() || (fs.existsSync(workflowBundlePath) ? workflowBundlePath : '');
  const workflowSource: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = bundle
    ? { workflowBundle: { codePath: bundle } }
    : { workflowsPath };
  const connection = await NativeConnection.connect(nativeConnectionOptions(config.temporal));
  const clientConnection = await Connection.connect(clientConnectionOptions(config.temporal));
  const converter = temporalDataConverter(env);
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace, ...converter });
  const aws = createAwsClients(config.aws);
  const metrics = createBridgeMetrics({ defaultMetrics: true });
  const metricsPort = Number(env.LAZARUS_BRIDGE_METRICS_PORT ?? 9465);
  const metricsServer = await serveMetrics(metrics.registry, { port: metricsPort });
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: settings.task_queue,
      identity,
      ...workflowSource,
      ...converter,
      activities: createBridgeActivities({
        kinesis: aws.kinesis,
        temporal: client,
        metrics,
        identity,
        settings,
        maxFutureSkewMs,
        declaredRegions: regions,
      }),
      // A reader hands its checkpoint back when the process stops; do not wait long for it.
      shutdownGraceTime: '5s',
      // One outstanding activity poll: a process that hangs (rather than dies) keeps its open polls, and each one
      // the server answers is a reader attempt lost until its heartbeat timeout. With one, a hung process delays a
      // takeover by at most one heartbeat timeout; readers are long-lived, so one poll picks them up fast enough.
      // (maxConcurrentActivityTaskPolls is ignored by this SDK version; the poller behavior is what applies.)
      activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 1 },
    });
    const input: StreamBridgeInput = { stream, settings };
    try {
      await client.workflow.start('streamBridge', {
        taskQueue: settings.task_queue,
        workflowId: bridgeWorkflowId(stream),
        args: [input],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    process.stdout.write(
      `lazarus bridge ${identity}: reading stream "${stream}" for task queue "${settings.task_queue}" on ` +
        `${config.temporal.address} (remediations on "${settings.remediation_task_queue}"); ` +
        `metrics on http://127.0.0.1:${metricsServer.port}/metrics\n`,
    );
    await worker.run();
  } finally {
    await metricsServer.close();
    destroyAwsClients(aws);
    await clientConnection.close();
    await connection.close();
  }
}

if (require.main === module) {
  runBridge().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`lazarus bridge: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
