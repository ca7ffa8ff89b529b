// `npm start`: the whole local system (Temporal dev server + Web UI, AWS emulator, PagerDuty emulator, Slack and
// SMTP receivers, fleet simulator, Lazarus worker) in one command. Waits for each part to be ready, prints where
// everything is, and stops every part on Ctrl-C or SIGTERM, at any moment (start-up included): docs/devstack.md.
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
import {
  assertPortFree,
  liveServices,
  runWithAbortSignal,
  spawnService,
  StartAbortedError,
  type RunningService,
} from './service-process';
import { loadTemporalDevConfig, startTemporalDevServer, type TemporalDevConfig } from './temporal-dev';

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
// With LAZARUS_PAYLOAD_KEY set, every process encrypts payloads, and the codec endpoint lets the Web UI show them.
const payloadKeySet = Boolean(process.env.LAZARUS_PAYLOAD_KEY?.trim());
const codecPort = port('LAZARUS_CODEC_PORT', 8888);
const codecUrl = `http://127.0.0.1:${codecPort}`;

// Stopping: SIGTERM to each process group, in order: the Lazarus processes, then the in-process stand-ins, then the
// Temporal dev server and moto. Whatever is still alive STOP_GRACE_MS after the first signal is SIGKILLed (the dev
// server and moto always get at least INFRA_MIN_GRACE_MS), so everything is gone within grace + 1 s: 8 s by default.
// 7 s lets the bridge finish its own 5 s shutdown (it hands its shards back), and the worker is told to shut down
// within grace - 2 s. A second Ctrl-C (or SIGTERM) SIGKILLs whatever is left at once.
const STOP_GRACE_MS = port('LAZARUS_STOP_GRACE_MS', 7000);
const INFRA_MIN_GRACE_MS = 1000;
const IN_PROCESS_STOP_MS = 2000;
const INFRASTRUCTURE = new Set(['temporal', 'moto']);

const shutdown = new AbortController();
// Stand-ins that run inside this process, stopped after the Lazarus processes.
const inProcess: Array<{ name: string; stop: () => Promise<void> }> = [];
// What has been stopped, in order, as it will be reported.
const stopped = new Map<RunningService | string, string>();
let stopping: Promise<never> | undefined;
let stopStartedAt = 0;
let stopCode = 0;
let escalated = false;
let finished = false;

/** Stops everything started so far (or still starting), prints one line saying what, and exits with `code`. */
function stopEverything(code: number, why: string): Promise<never> {
  if (stopping) return stopping;
  stopStartedAt = Date.now();
  stopCode = code;
  process.stdout.write(
    `\nlazarus: ${why}: stopping everything (SIGTERM, SIGKILL after ${STOP_GRACE_MS / 1000} s; ` +
      'Ctrl-C again to kill at once) ...\n',
  );
  // A start-up step still waiting is interrupted (its process stopped) and no later step starts.
  shutdown.abort();
  stopping = (async () => {
    const left = (): number => Math.max(0, stopStartedAt + STOP_GRACE_MS - Date.now());
    try {
      await stopServices(
        liveServices().filter((s) => !INFRASTRUCTURE.has(s.name)),
        left(),
      );
      await stopInProcess(Math.min(IN_PROCESS_STOP_MS, left()));
      // The dev server and moto, and anything a step still under way spawned or started meanwhile.
      for (let rest = liveServices(); rest.length > 0; rest = liveServices()) {
        await stopServices(rest, Math.max(INFRA_MIN_GRACE_MS, left()));
      }
      await stopInProcess(Math.min(IN_PROCESS_STOP_MS, left()));
    } catch (err) {
      process.stderr.write(`lazarus: while stopping: ${String(err)}\n`);
    }
    return finish();
  })();
  return stopping;
}

async function stopServices(services: RunningService[], graceMs: number): Promise<void> {
  const outcomes = await Promise.all([...services].reverse().map((s) => s.stop(graceMs)));
  [...services].reverse().forEach((s, i) => {
    stopped.set(s, outcomes[i] === 'killed' ? `${s.name} (SIGKILL)` : s.name);
  });
}

async function stopInProcess(boundMs: number): Promise<void> {
  const parts = inProcess.splice(0).reverse();
  // Together, with one bound: their sockets close with this process anyway.
  await Promise.all(parts.map((part) => withTimeout(part.stop(), boundMs).catch(() => undefined)));
  for (const part of parts) stopped.set(part.name, part.name);
}

/** The second signal while stopping: SIGKILL every process group left, then exit. */
function killEverything(signal: NodeJS.Signals): void {
  if (escalated) return;
  escalated = true;
  const victims = liveServices();
  for (const service of victims) service.kill();
  process.stdout.write(`lazarus: ${signal} again: killing ${victims.map((s) => s.name).join(', ') || 'nothing'} now\n`);
  const gone = Promise.all(victims.map((s) => s.exited));
  void Promise.race([gone, delay(1000)]).then(() => {
    for (const service of victims) if (!stopped.has(service)) stopped.set(service, `${service.name} (SIGKILL)`);
    finish();
  });
}

function finish(): never {
  if (!finished) {
    finished = true;
    const parts = [...stopped.values()];
    const seconds = ((Date.now() - stopStartedAt) / 1000).toFixed(1);
    const left = liveServices();
    process.stdout.write(
      `lazarus: stopped ${parts.join(', ') || 'nothing (no process had started yet)'} in ${seconds} s` +
        (left.length > 0 ? `; still alive: ${left.map((s) => `${s.name} (pid ${s.pid})`).join(', ')}` : '') +
        '\n',
    );
  }
  process.exit(stopCode);
}

function onSignal(signal: NodeJS.Signals): void {
  if (stopping) killEverything(signal);
  else void stopEverything(0, signal);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([promise, delay(ms).then(() => undefined)]);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Between start-up steps: once a stop has begun, no further step starts. */
function checkpoint(): void {
  if (shutdown.signal.aborted) throw new StartAbortedError('npm start');
}

// The Lazarus processes run from the same tree as this file: dist/**/*.js after `npm run build` (or the transpiled copy
// test/integration/devstack-stop.test.ts makes), or the TypeScript sources when start itself runs from source through
// a require hook (`node -r ./test/support/ts-require.js devstack/start.ts`). The hook is handed on; other node flags
// (--inspect) are not.
function nodeArgs(entry: string): string[] {
  const hooks: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i += 1) {
    if ((argv[i] === '-r' || argv[i] === '--require') && argv[i + 1] !== undefined) hooks.push(argv[i], argv[++i]);
    else if (argv[i].startsWith('--require=')) hooks.push(argv[i]);
  }
  return [...hooks, path.join(__dirname, '..', `${entry}${path.extname(__filename)}`)];
}

function devServerConfig(): TemporalDevConfig {
  const config = loadTemporalDevConfig();
  const uiPort = process.env.LAZARUS_TEMPORAL_UI_PORT;
  return {
    ...config,
    port: port('LAZARUS_TEMPORAL_PORT', config.port),
    ui_port: uiPort ? Number(uiPort) : config.ui_port,
    ...(payloadKeySet ? { ui_codec_endpoint: codecUrl } : {}),
    // With LAZARUS_STATE_DIR the history file moves along with the rest of the state.
    db_filename:
      config.db_filename && process.env.LAZARUS_STATE_DIR?.trim()
        ? path.join(stateDir, path.basename(config.db_filename))
        : config.db_filename,
  };
}

async function main(): Promise<void> {
  const config = devServerConfig();
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
  if (payloadKeySet) await assertPortFree('payload codec endpoint', '127.0.0.1', codecPort);

  // Every process started below is in its own process group (Ctrl-C reaches only this one) and known to
  // liveServices() from the moment it is spawned, so a stop finds it even while its readiness wait is pending.
  const running: RunningService[] = [];
  try {
    checkpoint();
    process.stdout.write('lazarus: starting the Temporal dev server ...\n');
    const temporal = await startTemporalDevServer(config, { echo: false, signal: shutdown.signal });
    running.push(temporal.process);

    checkpoint();
    process.stdout.write('lazarus: starting the AWS emulator ...\n');
    const moto = await startMoto({ host: '127.0.0.1', port: awsPort });
    running.push(moto.process);

    checkpoint();
    process.stdout.write('lazarus: starting the PagerDuty emulator, Slack/SMTP receivers and fleet simulator ...\n');
    const pagerDuty = await startPagerDutyEmulator({
      eventsPort: pagerEventsPort,
      restPort: pagerApiPort,
      ackTimeoutMs: pagerAckTimeoutMs,
    });
    inProcess.push({ name: 'PagerDuty emulator', stop: () => pagerDuty.stop() });
    checkpoint();
    fs.mkdirSync(stateDir, { recursive: true });
    const pagerCa = path.join(stateDir, 'pagerduty-emulator-ca.pem');
    fs.writeFileSync(pagerCa, pagerDuty.caPem);
    const receivers = await startNotifyReceivers({ httpPort: receiverPort, smtpPort });
    inProcess.push({ name: 'Slack/SMTP receivers', stop: () => receivers.stop() });
    checkpoint();
    const fleetAws = createAwsClients({ region: awsRegion, endpoint: moto.endpoint });
    const fleet = await startFleetSimulator({
      ec2: fleetAws.ec2,
      elb: fleetAws.elb,
      port: fleetPort,
      bootDelayMs: fleetBootDelayMs,
    });
    inProcess.push({
      name: 'fleet simulator',
      stop: async () => {
        await fleet.stop();
        destroyAwsClients(fleetAws);
      },
    });
    checkpoint();

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
      args: nodeArgs('worker/main'),
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
        // In-flight tasks finish or are handed back before the stop's SIGKILL.
        LAZARUS_WORKER_SHUTDOWN_GRACE_MS:
          process.env.LAZARUS_WORKER_SHUTDOWN_GRACE_MS ?? String(Math.max(0, STOP_GRACE_MS - 2000)),
      },
      echo: true,
      ready: (output) => output.includes('polling task queue'),
    });
    running.push(worker);

    // Sensors (and the REST API) write to the event stream; the bridge turns its records into remediations.
    await ensureEventStream(fleetAws.kinesis, eventStream, eventStreamShards, shutdown.signal);
    checkpoint();
    process.stdout.write('lazarus: starting the Kinesis bridge ...\n');
    const bridge = await spawnService({
      name: 'bridge',
      command: process.execPath,
      args: nodeArgs('ingest/bridge/main'),
      env: {
        ...stackEnv,
        LAZARUS_EVENT_STREAM: eventStream,
        LAZARUS_BRIDGE_METRICS_PORT: String(bridgeMetricsPort),
      },
      echo: true,
      ready: (output) => output.includes('lazarus bridge'),
    });
    running.push(bridge);

    checkpoint();
    process.stdout.write('lazarus: starting the REST API ...\n');
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const api = await spawnService({
      name: 'api',
      command: process.execPath,
      args: nodeArgs('api/main'),
      env: {
        ...stackEnv,
        LAZARUS_API_PORT: String(apiPort),
        LAZARUS_API_DEV_TOKENS: '1',
        LAZARUS_EVENT_STREAM: eventStream,
        ...(temporal.uiUrl ? { LAZARUS_TEMPORAL_UI_URL: temporal.uiUrl } : {}),
      },
      echo: true,
      ready: (output) => output.includes('listening on'),
    });
    running.push(api);

    if (payloadKeySet) {
      checkpoint();
      process.stdout.write('lazarus: starting the payload codec endpoint ...\n');
      // the Web UI's origin, under both loopback names (a browser may use either)
      const ui = temporal.uiUrl;
      const uiOrigins = ui
        ? [...new Set([ui, ui.replace('//localhost', '//127.0.0.1'), ui.replace('//127.0.0.1', '//localhost')])]
        : [];
      running.push(
        await spawnService({
          name: 'codec',
          command: process.execPath,
          args: nodeArgs('platform/codec-server'),
          env: {
            ...process.env,
            LAZARUS_CODEC_HOST: '127.0.0.1',
            LAZARUS_CODEC_PORT: String(codecPort),
            LAZARUS_CODEC_CORS_ORIGINS: process.env.LAZARUS_CODEC_CORS_ORIGINS ?? uiOrigins.join(','),
          },
          echo: true,
          ready: (output) => output.includes('lazarus codec endpoint'),
        }),
      );
    }

    // The demand sensor follows the load of the services named in LAZARUS_DEMAND_SERVICES (name:load per host[:band]).
    const demandServices = process.env.LAZARUS_DEMAND_SERVICES;
    if (demandServices) {
      checkpoint();
      process.stdout.write('lazarus: starting the demand sensor ...\n');
      running.push(
        await spawnService({
          name: 'demand',
          command: process.execPath,
          args: nodeArgs('sensors/demand/main'),
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
      ['Lazarus console', `${apiUrl}/ (log in with dev-operator-token or dev-viewer-token; docs/console.md)`],
      ['Temporal Web UI', temporal.uiUrl ?? '(headless)'],
      ['Temporal gRPC', `${temporal.address} (namespace ${temporal.namespace})`],
      ...(payloadKeySet
        ? [
            ['Payload codec', `${codecUrl} (payloads encrypted; temporal ... --codec-endpoint ${codecUrl})`] as [
              string,
              string,
            ],
          ]
        : []),
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
    checkpoint();
    process.stdout.write('\nLazarus is up:\n');
    for (const [what, where] of rows) process.stdout.write(`  ${what.padEnd(16)} ${where}\n`);
    process.stdout.write('Press Ctrl-C to stop everything.\n\n');

    const firstExit = await Promise.race(running.map((s) => s.exited.then((code) => ({ s, code }))));
    if (!stopping) {
      process.stderr.write(`lazarus: ${firstExit.s.name} exited unexpectedly (code ${firstExit.code}):\n`);
      process.stderr.write(`${firstExit.s.recentOutput().split('\n').slice(-20).join('\n')}\n`);
      await stopEverything(1, `${firstExit.s.name} exited`);
    }
  } catch (err) {
    // Interrupted: the step that was waiting has given up, and the stop under way reports.
    if (stopping) return void (await stopping);
    if (err instanceof ServiceStartError) process.stderr.write(`lazarus: ${err.message}\n`);
    else process.stderr.write(`lazarus: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await stopEverything(1, 'start-up failed');
  }
}

async function ensureEventStream(
  kinesis: KinesisClient,
  name: string,
  shards: number,
  signal: AbortSignal,
): Promise<void> {
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }), { abortSignal: signal });
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30, abortSignal: signal }, { StreamName: name });
}

process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));
// `npm start` runs this file under `sh -c`, which does not pass a SIGTERM sent to npm on: the shell dies and this
// process is re-parented, signal-less. So the parent going away counts as a stop too.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid && !stopping) void stopEverything(0, `parent process ${parentPid} gone`);
}, 250).unref();

runWithAbortSignal(shutdown.signal, main).catch((err: unknown) => {
  if (stopping) return; // the stop reports and exits
  if (err instanceof PortInUseError || err instanceof DevConfigError) {
    process.stderr.write(`lazarus: ${err.message}\n`);
  } else {
    process.stderr.write(`lazarus: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
