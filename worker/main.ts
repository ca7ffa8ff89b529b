// The Lazarus worker process: by its roles (worker/settings.ts), a deciding worker of its region (workflows and the
// main queue's activities, the region's checker nodes) and, in the control realm, the actions on the realm's own task
// queue. Shuts down on SIGTERM/SIGINT.
import fs from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { smtpPlaintextAuthProblem } from '../activities/notify';
import { createPagerClient } from '../activities/pager';
import { readRuntimeConfig, type RuntimeConfig } from '../core';
import { workflowBundlePath, workflowsPath } from '../platform/workflow-bundle';
import { clientConnectionOptions, nativeConnectionOptions } from '../platform/temporal-connection';
import { temporalDataConverter } from '../platform/payload-codec';
import {
  createActionQueueActivities,
  createMainQueueActivities,
  createNodeCheckerActivities,
  regionHostLister,
} from './lazarus-activities';
import { createWorkerMetrics, readWorkerMetricsEndpoint } from './metrics';
import { serveMetrics, type RunningMetricsServer } from '../platform/metrics-server';
import { createAwsClients, createRegionalAwsClients, destroyAwsClients } from '../platform/aws-clients';
import { createSnapshotCache } from '../platform/config-files';
import { readWorkerProcessSettings, workerPlacementProblem, type WorkerRole } from './settings';
import { actionTaskQueue, entityTaskQueue } from '../contracts/task-queues';
import { awsRegionOf, checkerNodesOf, controlRealm, declaredRegions } from '../core/resolved-config';
import { createDrillActivities } from '../activities/drill';
import { drillTaskQueue } from '../contracts/workflow-ids';

export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = readRuntimeConfig(env);
  const metricsEndpoint = readWorkerMetricsEndpoint(env);
  const settings = readWorkerProcessSettings(env);
  // SMTP credentials never travel without TLS unless explicitly allowed: refused here, before anything connects.
  const smtp = config.smtp
    ? { ...config.smtp, allowPlaintextAuth: settings.smtpAllowPlaintextAuth ?? false }
    : undefined;
  const smtpProblem = smtp && smtpPlaintextAuthProblem(smtp);
  if (smtpProblem) throw new Error(smtpProblem);
  // LAZARUS_PAYLOAD_KEY: payloads this worker writes are encrypted, and it reads encrypted ones (platform/payload-codec).
  const converter = temporalDataConverter(env);
  // SIGTERM/SIGINT: stop polling, let in-flight tasks finish for the grace time, then cancel what still runs (the
  // long-running step activities hand their progress back and the workflow gives them to another worker).
  Runtime.install({
    logger: new DefaultLogger(env.LAZARUS_LOG_LEVEL === 'debug' ? 'DEBUG' : 'INFO'),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
  });
  const connection = await NativeConnection.connect(nativeConnectionOptions(config.temporal));
  const aws = createAwsClients(config.aws);
  const regionalAws = createRegionalAwsClients(config.aws);
  const bundle = settings.workflowBundle ?? (fs.existsSync(workflowBundlePath) ? workflowBundlePath : undefined);
  const workflowSource: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = bundle
    ? { workflowBundle: { codePath: bundle } }
    : { workflowsPath };
  const shutdown: Pick<WorkerOptions, 'shutdownGraceTime' | 'identity'> = {
    shutdownGraceTime: settings.shutdownGraceMs,
    ...(settings.identity ? { identity: settings.identity } : {}),
  };
  const clientConnection = await Connection.connect(clientConnectionOptions(config.temporal));
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace, ...converter });
  // Where rules/, profiles/ and services/ live; checked (and its checker nodes read) before polling starts.
  const configRoot = env.LAZARUS_CONFIG_ROOT ?? process.cwd();
  const metrics = createWorkerMetrics({ defaultMetrics: true });
  let metricsServer: RunningMetricsServer | undefined;
  try {
    // first, so a taken port fails the start before any worker exists
    metricsServer = await serveMetrics(metrics.registry, metricsEndpoint);
    const snapshot = await createSnapshotCache({ configRoot })();
    const { deployment } = snapshot;
    // Where this worker is and what it does: a region's deciding worker, the control realm's acting worker, or both.
    const region = settings.region ?? deployment.region;
    const realm = controlRealm(deployment);
    const roles: WorkerRole[] = settings.roles ?? (region === realm ? ['decide', 'act'] : ['decide']);
    const placementProblem = workerPlacementProblem(
      { region, roles },
      { regions: declaredRegions(deployment), controlRealm: realm },
    );
    if (placementProblem) throw new Error(placementProblem);
    const deps = {
      aws,
      awsFor: (awsRegion: string) => regionalAws.forRegion(awsRegion),
      pager: pagerClient(config),
      awsOptions: {
        forensicsMode: config.actuators.forensicsMode,
        isolationSecurityGroupId: config.actuators.isolationSecurityGroupId,
      },
      notify: {
        temporalUiUrl: config.actuators.temporalUiUrl,
        namespace: config.temporal.namespace,
        ...(smtp ? { smtp } : {}),
      },
      client,
      taskQueue: config.temporal.taskQueue,
      entityTaskQueue: entityTaskQueue(config.temporal.taskQueue),
      configRoot,
    };
    const main = createMainQueueActivities(deps);
    const drill = createDrillActivities({
      client,
      taskQueue: drillTaskQueue(config.temporal.taskQueue),
      liveMatch: (event) => main.resolveEvent(event),
      censusService: (request) => main.censusService(request),
    });
    const deciding = roles.includes('decide');
    const acting = roles.includes('act');
    const actionQueue = actionTaskQueue(config.temporal.taskQueue);
    // The checker nodes of this worker's region it hosts: all of them locally; in production one per node/zone
    // (LAZARUS_CHECKER_NODES). They read the fleet through their region's AWS API.
    const wanted = (env.LAZARUS_CHECKER_NODES ?? 'all').split(',').map((n) => n.trim());
    const nodes = deciding
      ? checkerNodesOf(deployment, region).filter((n) => wanted.includes('all') || wanted.includes(n.name))
      : [];
    const hosts = regionHostLister(deps, awsRegionOf(deployment, region));
    const slots = {
      ...(settings.workflowTaskSlots ? { maxConcurrentWorkflowTaskExecutions: settings.workflowTaskSlots } : {}),
      ...(settings.localActivitySlots ? { maxConcurrentLocalActivityExecutions: settings.localActivitySlots } : {}),
    };
    // a worker running the workflow bundle on `taskQueue` with these activities and sinks
    const workflowWorker = (
      taskQueue: string,
      activities: object,
      sinks: typeof metrics.sinks,
      sticky = true,
    ): Promise<Worker> =>
      Worker.create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue,
        ...workflowSource,
        activities,
        sinks,
        ...converter,
        ...(sticky ? { stickyQueueScheduleToStartTimeout: settings.stickyTimeoutMs } : {}),
        ...slots,
        ...shutdown,
      });
    const workers = [
      ...(deciding
        ? [
            await workflowWorker(config.temporal.taskQueue, main, metrics.sinks),
            // the entities (governors, control, rule quarantine) on their own queue and slots: remediations reach them
            // from local activities that hold their workflow task (contracts/task-queues.ts entityTaskQueue)
            await workflowWorker(entityTaskQueue(config.temporal.taskQueue), main, metrics.sinks),
            // replay drills: the same workflows on their own queue with dry-run activities (activities/drill.ts),
            // and no metrics sinks, so a drill never counts as a decision (and no sticky-queue setting of their own)
            await workflowWorker(drillTaskQueue(config.temporal.taskQueue), drill, drillSinks, false),
          ]
        : []),
      ...(await Promise.all(
        nodes.map((node) =>
          Worker.create({
            connection,
            namespace: config.temporal.namespace,
            taskQueue: node.task_queue,
            activities: createNodeCheckerActivities(node, hosts),
            ...converter,
            ...shutdown,
          }),
        ),
      )),
      // the actions: only a worker of the control realm registers them, on the realm's own queue
      ...(acting
        ? [
            await Worker.create({
              connection,
              namespace: config.temporal.namespace,
              taskQueue: actionQueue,
              activities: createActionQueueActivities({ ...deps, workerRegion: region }),
              ...converter,
              ...shutdown,
            }),
          ]
        : []),
    ];
    const queues = [
      ...(deciding
        ? [`"${config.temporal.taskQueue}"`, `"${entityTaskQueue(config.temporal.taskQueue)}" (entities)`]
        : []),
      ...(acting ? [`"${actionQueue}" (actions, control realm ${realm})`] : []),
    ];
    process.stdout.write(
      `lazarus worker: polling task queue ${queues.join(' and ')} on ${config.temporal.address} ` +
        `(namespace ${config.temporal.namespace}, config ${configRoot} version ${snapshot.version.slice(0, 12)}); ` +
        `region ${region}, roles ${roles.join(',')}; ` +
        `checker nodes: ${nodes.map((n) => `${n.name} (${n.zone})`).join(', ') || 'none'}; ` +
        `metrics on http://${metricsEndpoint.host}:${metricsServer.port}/metrics; ` +
        `shutdown grace ${settings.shutdownGraceMs} ms` +
        `${converter.dataConverter ? '; payloads encrypted (LAZARUS_PAYLOAD_KEY)' : ''}\n`,
    );
    // resolve after a shutdown signal once in-flight tasks are done
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    await metricsServer?.close();
    destroyAwsClients(aws);
    regionalAws.destroy();
    await clientConnection.close();
    await connection.close();
  }
}

const ignored = { fn: (): void => undefined };
const drillSinks = { lazarusMetrics: { decision: ignored, breakerTransition: ignored, ruleQuarantine: ignored } };

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
