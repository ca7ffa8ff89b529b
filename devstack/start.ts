// `npm start`: the whole local system (Temporal dev server + Web UI, AWS emulator, PagerDuty emulator, Slack and
// SMTP receivers, fleet simulator, Lazarus worker) in one command. Waits for each part to be ready, prints where
// everything is, and stops every part on Ctrl-C.
import fs from 'node:fs';
import {
  CreateStreamCommand,
  ResourceInUseException,
  waitUntilStreamExists,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import path from 'node:path';
import { createAwsClients, destroyAwsClients } from '../platform/aws-clients';
import { DevConfigError, PortInUseError, ServiceStartError } from './errors';
import { startFleetSimulator } from './fleet-simulator';
import { startMoto } from './moto';
import { startNotifyReceivers } from './notify-receivers';
import { startPagerDutyEmulator } from './pagerduty-emulator';
import { projectRoot, stateDir } from './paths';
import { assertPortFree, spawnService, type RunningService } from './service-process';
import { loadTemporalDevConfig, startTemporalDevServer } from './temporal-dev';

const awsPort = Number(process.env.LAZARUS_AWS_PORT ?? 4566);
const awsRegion = process.env.AWS_REGION ?? 'us-east-1';
const port = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const pagerEventsPort = port('LAZARUS_PAGERDUTY_EVENTS_PORT', 4567);
const pagerApiPort = port('LAZARUS_PAGERDUTY_API_PORT', 4568);
const receiverPort = port('LAZARUS_RECEIVER_PORT', 4569);
const smtpPort = port('LAZARUS_SMTP_PORT', 2525);
const fleetPort = port('LAZARUS_FLEET_PORT', 4570);
const fleetBootDelayMs = port('LAZARUS_FLEET_BOOT_DELAY_MS', 5000);
const pagerAckTimeoutMs = port('LAZARUS_PAGERDUTY_ACK_TIMEOUT_MS', 60_000);
const apiPort = port('LAZARUS_API_PORT', 8080);
const bridgeMetricsPort = port('LAZARUS_BRIDGE_METRICS_PORT', 9465);
// The event stream sensors write to and the bridge reads; created in the emulator at start.
const eventStream = process.env.LAZARUS_EVENT_STREAM?.trim() || 'lazarus-events';
const eventStreamShards = port('LAZARUS_EVENT_STREAM_SHARDS', 2);
const workerMetricsPort = port('LAZARUS_WORKER_METRICS_PORT', 9464);

async function main(): Promise<void> {
  const config = loadTemporalDevConfig();
  // Check every port before starting anything, so a second `npm start` fails at once and touches nothing.
  await assertPortFree('Temporal gRPC frontend', config.ip, config.port);
  if (config.ui_port != null) await assertPortFree('Temporal Web UI', config.ip, config.ui_port);
  await assertPortFree('AWS emulator (moto)', '127.0.0.1', awsPort);
  await assertPortFree('PagerDuty emulator (Events API)', '127.0.0.1', pagerEventsPort);
  await assertPortFree('PagerDuty emulator (REST API)', '127.0.0.1', pagerApiPort);
  await assertPortFree('Slack webhook receiver', '127.0.0.1', receiverPort);
  await assertPortFree('SMTP receiver', '127.0.0.1', smtpPort);
  await assertPortFree('fleet simulator', '127.0.0.1', fleetPort);
  await assertPortFree('Lazarus REST API', '127.0.0.1', apiPort);
  await assertPortFree('Lazarus bridge metrics', '127.0.0.1', bridgeMetricsPort);
  await assertPortFree('Lazarus worker metrics', '127.0.0.1', workerMetricsPort);

  const running: RunningService[] = [];
  // Stand-ins that run inside this process, stopped after the child processes.
  const inProcess: Array<() => Promise<void>> = [];
  let stopping = false;
  const stopAll = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      process.stdout.write('\nlazarus: stopping ...\n');
      for (const service of [...running].reverse()) await service.stop(10_000);
      for (const stop of [...inProcess].reverse()) await stop().catch(() => undefined);
      process.stdout.write('lazarus: stopped\n');
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    process.stdout.write('lazarus: starting the Temporal dev server ...\n');
    const temporal = await startTemporalDevServer(config, { echo: false });
    running.push(temporal.process);

    process.stdout.write('lazarus: starting the AWS emulator ...\n');
    const moto = await startMoto({ host: '127.0.0.1', port: awsPort });
    running.push(moto.process);

    process.stdout.write('lazarus: starting the PagerDuty emulator, Slack/SMTP receivers and fleet simulator ...\n');
    const pagerDuty = await startPagerDutyEmulator({
      eventsPort: pagerEventsPort,
      restPort: pagerApiPort,
      ackTimeoutMs: pagerAckTimeoutMs,
    });
    inProcess.push(() => pagerDuty.stop());
    fs.mkdirSync(stateDir, { recursive: true });
    const pagerCa = path.join(stateDir, 'pagerduty-emulator-ca.pem');
    fs.writeFileSync(pagerCa, pagerDuty.caPem);
    const receivers = await startNotifyReceivers({ httpPort: receiverPort, smtpPort });
    inProcess.push(() => receivers.stop());
    const fleetAws = createAwsClients({ region: awsRegion, endpoint: moto.endpoint });
    const fleet = await startFleetSimulator({
      ec2: fleetAws.ec2,
      elb: fleetAws.elb,
      port: fleetPort,
      bootDelayMs: fleetBootDelayMs,
    });
    inProcess.push(async () => {
      await fleet.stop();
      destroyAwsClients(fleetAws);
    });

    // What every Lazarus process started here needs: the dev server and the emulator.
    const stackEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      LAZARUS_AWS_ENDPOINT: moto.endpoint,
      AWS_REGION: awsRegion,
    };
    process.stdout.write('lazarus: starting the worker ...\n');
    const worker = await spawnService({
      name: 'worker',
      command: process.execPath,
      args: [path.join(projectRoot, 'dist', 'worker', 'main.js')],
      env: {
        ...stackEnv,
        LAZARUS_PAGERDUTY_EVENTS_SERVER: pagerDuty.eventsServer,
        LAZARUS_PAGERDUTY_API_URL: pagerDuty.restUrl,
        LAZARUS_PAGERDUTY_CA: pagerCa,
        PAGERDUTY_API_TOKEN: 'lazarus-local',
        LAZARUS_PAGERDUTY_FROM: 'lazarus@localhost',
        LAZARUS_SMTP_HOST: receivers.smtpHost,
        LAZARUS_SMTP_PORT: String(receivers.smtpPort),
        LAZARUS_SMTP_IGNORE_TLS: 'true',
        ...(temporal.uiUrl ? { LAZARUS_TEMPORAL_UI_URL: temporal.uiUrl } : {}),
        LAZARUS_CONFIG_ROOT: process.env.LAZARUS_CONFIG_ROOT ?? projectRoot,
        LAZARUS_CHECKER_NODES: process.env.LAZARUS_CHECKER_NODES ?? 'all',
        LAZARUS_WORKER_METRICS_PORT: String(workerMetricsPort),
      },
      echo: true,
      ready: (output) => output.includes('polling task queue'),
    });
    running.push(worker);

    // Sensors (and the REST API) write to the event stream; the bridge turns its records into remediations.
    await ensureEventStream(fleetAws.kinesis, eventStream, eventStreamShards);
    process.stdout.write('lazarus: starting the Kinesis bridge ...\n');
    const bridge = await spawnService({
      name: 'bridge',
      command: process.execPath,
      args: [path.join(projectRoot, 'dist', 'ingest', 'bridge', 'main.js')],
      env: {
        ...stackEnv,
        LAZARUS_EVENT_STREAM: eventStream,
        LAZARUS_BRIDGE_METRICS_PORT: String(bridgeMetricsPort),
      },
      echo: true,
      ready: (output) => output.includes('lazarus bridge'),
    });
    running.push(bridge);

    process.stdout.write('lazarus: starting the REST API ...\n');
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const api = await spawnService({
      name: 'api',
      command: process.execPath,
      args: [path.join(projectRoot, 'dist', 'api', 'main.js')],
      env: {
        ...stackEnv,
        LAZARUS_API_PORT: String(apiPort),
        LAZARUS_EVENT_STREAM: eventStream,
      },
      echo: true,
      ready: (output) => output.includes('listening on'),
    });
    running.push(api);

    // The demand sensor follows the load of the services named in LAZARUS_DEMAND_SERVICES (name:load per host[:band]).
    const demandServices = process.env.LAZARUS_DEMAND_SERVICES;
    if (demandServices) {
      process.stdout.write('lazarus: starting the demand sensor ...\n');
      running.push(
        await spawnService({
          name: 'demand',
          command: process.execPath,
          args: [path.join(projectRoot, 'dist', 'sensors', 'demand', 'main.js')],
          env: {
            ...process.env,
            TEMPORAL_ADDRESS: temporal.address,
            TEMPORAL_NAMESPACE: temporal.namespace,
            AWS_REGION: awsRegion,
            LAZARUS_FLEET_URL: fleet.url,
            LAZARUS_DEMAND_SERVICES: demandServices,
          },
          echo: true,
          ready: (output) => output.includes('demand sensor: tracking'),
        }),
      );
    }

    const rows: Array<[string, string]> = [
      ['Temporal Web UI', temporal.uiUrl ?? '(headless)'],
      ['Temporal gRPC', `${temporal.address} (namespace ${temporal.namespace})`],
      ['AWS emulator', `${moto.endpoint} (region ${awsRegion})`],
      ['PagerDuty', `events https://${pagerDuty.eventsServer}, REST + state ${pagerDuty.restUrl}/_emulator/state`],
      ['Slack receiver', `${receivers.slackWebhookUrl} (received: ${receivers.slackUrl}/_receiver/webhooks)`],
      [
        'SMTP receiver',
        `${receivers.smtpHost}:${receivers.smtpPort} (received: ${receivers.slackUrl}/_receiver/emails)`,
      ],
      ['Fleet simulator', `${fleet.url} (state: ${fleet.url}/state; docs/devstack.md)`],
      ['REST API', `${apiUrl} (tokens dev-sensor-token, dev-viewer-token, dev-operator-token; docs/api.md)`],
      [
        'Event stream',
        `Kinesis ${eventStream} (${eventStreamShards} shards) → bridge, metrics :${bridgeMetricsPort}/metrics`,
      ],
      [
        'Temporal CLI',
        `${path.relative(process.cwd(), path.join(projectRoot, '.venv', 'bin', 'temporal'))} workflow list`,
      ],
    ];
    process.stdout.write('\nLazarus is up:\n');
    for (const [what, where] of rows) process.stdout.write(`  ${what.padEnd(16)} ${where}\n`);
    process.stdout.write('Press Ctrl-C to stop everything.\n\n');

    const firstExit = await Promise.race(running.map((s) => s.exited.then((code) => ({ s, code }))));
    if (!stopping) {
      process.stderr.write(`lazarus: ${firstExit.s.name} exited unexpectedly (code ${firstExit.code}):\n`);
      process.stderr.write(`${firstExit.s.recentOutput().split('\n').slice(-20).join('\n')}\n`);
      await stopAll(1);
    }
  } catch (err) {
    if (err instanceof ServiceStartError) process.stderr.write(`lazarus: ${err.message}\n`);
    else throw err;
    await stopAll(1);
  }
}

async function ensureEventStream(kinesis: KinesisClient, name: string, shards: number): Promise<void> {
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30 }, { StreamName: name });
}

main().catch((err: unknown) => {
  if (err instanceof PortInUseError || err instanceof DevConfigError) {
    process.stderr.write(`lazarus: ${err.message}\n`);
  } else {
    process.stderr.write(`lazarus: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
