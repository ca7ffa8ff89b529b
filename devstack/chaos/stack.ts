// The fault drills' own copy of the local stack (docs/chaos.md): the parts `npm start` runs (devstack/start.ts), on free
// loopback ports with a temporary state folder, started and stopped one by one so a drill can kill and restart any of
// them. The Lazarus processes get LAZARUS_AWS_ENDPOINT = the AWS fault proxy in front of moto; the fleet simulator
// and the drill's own reads go to moto directly. A test may hand it an existing dev server and moto (the test run's)
// and ask for `ingest: 'direct'` (remediations started as the bridge starts them, without the API and bridge).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateStreamCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { Client, Connection } from '@temporalio/client';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../../platform/aws-clients';
import { startAwsFaultProxy, type RunningAwsFaultProxy } from '../aws-fault-proxy';
import { startFleetSimulator, type RunningFleetSimulator } from '../fleet-simulator';
import { startMoto } from '../moto';
import { startNotifyReceivers, type RunningNotifyReceivers } from '../notify-receivers';
import { startPagerDutyEmulator, type RunningPagerDutyEmulator } from '../pagerduty-emulator';
import { projectRoot } from '../paths';
import { freePort, liveServices, runWithAbortSignal, spawnService, type RunningService } from '../service-process';
import { loadTemporalDevConfig, startTemporalDevServer, type TemporalDevConfig } from '../temporal-dev';

export const CHECKER_ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
/** The long-running steps' heartbeat timeout in the drills' copy of replace_host (catalog default: 20 s). */
export const DRILL_HEARTBEAT_TIMEOUT_MS = 5000;

/** Bound of each start (a dev server, a Lazarus process). */
export const START_TIMEOUT_MS = 90_000;
const CONNECT_TIMEOUT_MS = 10_000;

// The stacks started in this process and not stopped yet: Ctrl-C stops them (stopChaosStacks).
const activeStacks = new Map<string, { stop: () => Promise<void>; abandon: () => void }>();

/**
 * Stops every chaos stack of this process (Ctrl-C, SIGTERM): each stop is bounded by `graceMs`; whatever is still
 * alive after it is SIGKILLed and the state folders are removed anyway.
 */
export async function stopChaosStacks(graceMs = 20_000): Promise<void> {
  const stacks = [...activeStacks.values()];
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(stacks.map((s) => s.stop().catch(() => undefined))),
    new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
  ]);
  clearTimeout(timer);
  for (const s of stacks) s.abandon();
}

export interface ChaosStackOptions {
  runId: string;
  /** An existing dev server; default: the stack's own (SQLite file in its state folder, so a restart keeps history). */
  temporal?: { address: string; namespace: string };
  /** An existing moto endpoint; default: the stack's own. */
  moto?: string;
  /** `api`: events go through the REST API, the Kinesis stream and the bridge; `direct`: started like the bridge does. */
  ingest: 'api' | 'direct';
  /** A prebuilt workflow bundle (default: dist/workflow-bundle.js next to the built tree). */
  workflowBundle?: string;
  /**
   * Every service written into the config tree, with its profile: the drills' own (a high rate limit) or the shipped
   * `stateless` (the storm benchmark).
   */
  services: Array<{ name: string; profile: 'chaos_stateless' | 'chaos_fail_fast' | 'stateless' }>;
  /**
   * The regional breaker of the stack's deployment. Default: opening at 100 failing services, because the drills
   * make many services fail on purpose; the storm benchmark passes the shipped one (services/deployment.yaml).
   */
  breaker?: { open_threshold: number; close_threshold: number; window: string };
  /** Extra environment of the worker processes (the storm benchmark's worker tuning). */
  workerEnv?: Record<string, string>;
  /** Extra environment of the REST API process (the storm benchmark lifts the per-token rate limit). */
  apiEnv?: Record<string, string>;
  /** Copy the processes' output to ours. */
  echo?: boolean;
  log?: (line: string) => void;
}

export interface ChaosStack {
  readonly runId: string;
  readonly region: string;
  readonly taskQueue: string;
  readonly routingKey: string;
  readonly client: Client;
  /** The dev server's address (host:port) and namespace. */
  readonly temporal: { address: string; namespace: string };
  /** Clients on moto itself (not through the proxy): the drills' own reads. */
  readonly aws: AwsClients;
  readonly proxy: RunningAwsFaultProxy;
  readonly pagerDuty: RunningPagerDutyEmulator;
  readonly receivers: RunningNotifyReceivers;
  readonly fleet: RunningFleetSimulator;
  readonly apiUrl: string | undefined;
  readonly ingest: 'api' | 'direct';
  readonly ownTemporal: boolean;
  worker(): RunningService;
  bridge(): RunningService | undefined;
  /** Starts another worker (it polls the same queues); becomes `worker()`. */
  startWorker(env?: Record<string, string>): Promise<RunningService>;
  startBridge(): Promise<RunningService>;
  /** Stops the stack's own dev server (SIGTERM, SIGKILL after graceMs) and starts it again on the same file and port. */
  restartTemporal(downMs: number): Promise<{ stoppedMs: number; upMs: number }>;
  stop(): Promise<void>;
}

function entryArgs(entry: string): string[] {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, '..', '..', `${entry}${ext}`);
  return ext === '.ts' ? ['-r', path.join(projectRoot, 'test', 'support', 'ts-require.js'), file] : [file];
}

/** rules/, profiles/ (with the drills' profiles and heartbeat timeouts), services/ for the drills' region. */
function writeConfigTree(
  root: string,
  region: string,
  taskQueue: string,
  routingKey: string,
  slackUrl: string,
  services: ChaosStackOptions['services'],
  breaker: NonNullable<ChaosStackOptions['breaker']> = { open_threshold: 100, close_threshold: 2, window: '10m' },
): void {
  fs.cpSync(path.join(projectRoot, 'rules'), path.join(root, 'rules'), { recursive: true });
  fs.cpSync(path.join(projectRoot, 'profiles'), path.join(root, 'profiles'), { recursive: true });
  const stateless = fs.readFileSync(path.join(root, 'profiles', 'stateless.yaml'), 'utf8');
  const profile = (name: string, healthTimeout: string): string =>
    stateless
      .replace(/^name: stateless$/m, `name: ${name}`)
      .replace(/^ {2}health_timeout: .*$/m, `  health_timeout: ${healthTimeout}`)
      .replace(/^ {2}rate_limit: .*$/m, '  rate_limit: { threshold: 50, window: 10m }');
  fs.writeFileSync(path.join(root, 'profiles', 'chaos_stateless.yaml'), profile('chaos_stateless', '5m'));
  fs.writeFileSync(path.join(root, 'profiles', 'chaos_fail_fast.yaml'), profile('chaos_fail_fast', '15s'));
  // The shipped replace_host with a short heartbeat timeout on its long-running steps (a dead worker is noticed in 5 s).
  const runbook = path.join(root, 'profiles', 'runbooks', 'replace_host.yaml');
  let yaml = fs.readFileSync(runbook, 'utf8');
  for (const [activity, lines] of [
    ['drainHost', `      heartbeatTimeoutMs: ${DRILL_HEARTBEAT_TIMEOUT_MS}\n`],
    ['cloneHost', `      heartbeatTimeoutMs: ${DRILL_HEARTBEAT_TIMEOUT_MS}\n`],
    ['waitHealthy', `      heartbeatTimeoutMs: ${DRILL_HEARTBEAT_TIMEOUT_MS}\n      intervalMs: 250\n`],
  ]) {
    const at = new RegExp(`(activity: ${activity}\n(?: {4}needs: .*\n)? {4}input:\n)`);
    if (!at.test(yaml)) throw new Error(`chaos: cannot find the ${activity} step's input in ${runbook}`);
    yaml = yaml.replace(at, `$1${lines}`);
  }
  fs.writeFileSync(runbook, yaml);
  const dir = path.join(root, 'services');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
  const nodes = CHECKER_ZONES.map(
    (zone, i) => `  - { name: checker-${i}, zone: ${zone}, task_queue: ${taskQueue}-${zone} }`,
  ).join('\n');
  fs.writeFileSync(
    path.join(dir, 'deployment.yaml'),
    // the drill's region is served by the emulator's us-east-1, where the fleet simulator keeps the hosts
    `region: ${region}\naws_region: us-east-1\nchecker_nodes:\n${nodes}\nquorum: 2\nquorum_deadline: 45s\n` +
      `breaker:\n  open_threshold: ${breaker.open_threshold}\n  close_threshold: ${breaker.close_threshold}\n` +
      `  window: ${breaker.window}\nshadow: false\n` +
      `temporal_ui_url: http://localhost:8233\nteam_email_domain: example.com\n` +
      `notifications:\n  emails: [sre-oncall@example.com]\npagerduty:\n  default_routing_key: ${routingKey}\n`,
  );
  for (const service of services) {
    fs.writeFileSync(
      path.join(dir, `${service.name}.yaml`),
      `name: ${service.name}\nteam: sre\nprofile: ${service.profile}\nnotifications:\n` +
        `  slack_webhooks: [${slackUrl}]\n  emails: [oncall@example.com]\n  pagerduty_routing_key: ${routingKey}\n`,
    );
  }
}

export async function startChaosStack(options: ChaosStackOptions): Promise<ChaosStack> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazarus-chaos-'));
  // Every process this stack starts (and any still starting) is the ones alive now that were not alive before.
  const before = new Set(liveServices());
  const ours = (): RunningService[] => liveServices().filter((s) => !before.has(s));
  // Aborted on stop: interrupts a start under way (spawnService stops what it spawned).
  const aborter = new AbortController();
  const region = `chaos-${options.runId}`;
  const taskQueue = `lazarus-chaos-${options.runId}`;
  const routingKey = `CHAOS${options.runId.toUpperCase()}`.padEnd(32, '0').slice(0, 32);
  const stream = `lazarus-chaos-${options.runId}`;
  const spawned: RunningService[] = [];
  const inProcess: Array<() => Promise<void>> = [];
  let client: Client | undefined;
  let connection: Connection | undefined;
  let aws: AwsClients | undefined;
  let stopped = false;

  // Last resort (a stop that did not finish in time): SIGKILL what is left, remove the state folder.
  const abandon = (): void => {
    aborter.abort();
    for (const s of ours()) s.kill();
    fs.rmSync(stateDir, { recursive: true, force: true });
    activeStacks.delete(stateDir);
  };
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    aborter.abort();
    await connection?.close().catch(() => undefined);
    // Lazarus processes first, then the in-process parts, then the dev server and moto.
    const order = [...spawned].reverse();
    const lazarus = order.filter((s) => s.name !== 'temporal' && s.name !== 'moto');
    await Promise.all(lazarus.map((s) => s.stop(3000)));
    // An in-process server that does not close (a connection kept open) must not hold the stop up: 5 s each.
    for (const stopPart of inProcess.splice(0).reverse()) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        stopPart().catch(() => undefined),
        new Promise((resolve) => (timer = setTimeout(resolve, 5000))),
      ]);
      clearTimeout(timer);
    }
    await Promise.all(order.filter((s) => !lazarus.includes(s)).map((s) => s.stop(3000)));
    // Anything else this stack started (a restart that failed half-way, a start interrupted): stopped too.
    await Promise.all(ours().map((s) => s.stop(3000)));
    if (aws) destroyAwsClients(aws);
    fs.rmSync(stateDir, { recursive: true, force: true });
    activeStacks.delete(stateDir);
  };
  activeStacks.set(stateDir, { stop, abandon });
  // A start bounded in time and interrupted by stop().
  const startSignal = (): AbortSignal => AbortSignal.any([aborter.signal, AbortSignal.timeout(START_TIMEOUT_MS)]);

  try {
    return await runWithAbortSignal(aborter.signal, async (): Promise<ChaosStack> => {
      // Temporal: the test run's, or our own on a free port with its history in a file of our state folder.
      let temporalAddress: string;
      let namespace: string;
      let temporalConfig: TemporalDevConfig | undefined;
      let temporalProcess: RunningService | undefined;
      if (options.temporal) {
        ({ address: temporalAddress, namespace } = options.temporal);
      } else {
        temporalConfig = {
          ...loadTemporalDevConfig(),
          port: await freePort(),
          ui_port: null,
          db_filename: path.join(stateDir, 'temporal.sqlite'),
        };
        log(
          `chaos: starting the Temporal dev server (127.0.0.1:${temporalConfig.port}, ${temporalConfig.db_filename})`,
        );
        const temporal = await startTemporalDevServer(temporalConfig, { echo: false, signal: startSignal() });
        temporalProcess = temporal.process;
        spawned.push(temporal.process);
        temporalAddress = temporal.address;
        namespace = temporal.namespace;
      }
      let motoEndpoint = options.moto;
      if (!motoEndpoint) {
        const port = await freePort();
        log(`chaos: starting the AWS emulator (moto, 127.0.0.1:${port})`);
        const moto = await startMoto({ host: '127.0.0.1', port });
        spawned.push(moto.process);
        motoEndpoint = moto.endpoint;
      }
      const proxy = await startAwsFaultProxy({ target: motoEndpoint });
      inProcess.push(() => proxy.stop());
      const pagerDuty = await startPagerDutyEmulator({ ackTimeoutMs: 60_000 });
      inProcess.push(() => pagerDuty.stop());
      const pagerCa = path.join(stateDir, 'pagerduty-emulator-ca.pem');
      fs.writeFileSync(pagerCa, pagerDuty.caPem);
      const receivers = await startNotifyReceivers({ httpPort: 0, smtpPort: 0 });
      inProcess.push(() => receivers.stop());
      aws = createAwsClients({ region: 'us-east-1', endpoint: motoEndpoint });
      const fleet = await startFleetSimulator({ ec2: aws.ec2, elb: aws.elb, port: 0, bootDelayMs: 500 });
      inProcess.push(() => fleet.stop());

      const configRoot = path.join(stateDir, 'config');
      fs.mkdirSync(configRoot);
      writeConfigTree(
        configRoot,
        region,
        taskQueue,
        routingKey,
        receivers.slackWebhookUrl,
        options.services,
        options.breaker,
      );

      const bundle = options.workflowBundle ?? path.join(__dirname, '..', '..', 'workflow-bundle.js');
      const stackEnv: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_NO_WARNINGS: '1',
        TEMPORAL_ADDRESS: temporalAddress,
        TEMPORAL_NAMESPACE: namespace,
        LAZARUS_AWS_ENDPOINT: proxy.endpoint,
        AWS_REGION: 'us-east-1',
        LAZARUS_TASK_QUEUE: taskQueue,
        LAZARUS_CONFIG_ROOT: configRoot,
        ...(fs.existsSync(bundle) ? { LAZARUS_WORKFLOW_BUNDLE: bundle } : {}),
      };
      let generation = 0;
      let currentWorker: RunningService | undefined;
      const startWorker = async (env: Record<string, string> = {}): Promise<RunningService> => {
        generation += 1;
        const worker = await spawnService({
          name: `worker-${generation}`,
          command: process.execPath,
          args: entryArgs('worker/main'),
          cwd: projectRoot,
          env: {
            ...stackEnv,
            LAZARUS_PAGERDUTY_EVENTS_SERVER: pagerDuty.eventsServer,
            LAZARUS_PAGERDUTY_API_URL: pagerDuty.restUrl,
            LAZARUS_PAGERDUTY_CA: pagerCa,
            PAGERDUTY_API_TOKEN: 'lazarus-chaos',
            LAZARUS_PAGERDUTY_FROM: 'lazarus@localhost',
            LAZARUS_SMTP_HOST: receivers.smtpHost,
            LAZARUS_SMTP_PORT: String(receivers.smtpPort),
            LAZARUS_SMTP_IGNORE_TLS: 'true',
            LAZARUS_TEMPORAL_UI_URL: 'http://localhost:8233',
            LAZARUS_CHECKER_NODES: 'all',
            LAZARUS_WORKER_METRICS_PORT: '0',
            LAZARUS_WORKER_IDENTITY: `chaos-worker-${generation}-${options.runId}`,
            LAZARUS_WORKER_SHUTDOWN_GRACE_MS: '1000',
            ...options.workerEnv,
            ...env,
          },
          echo: options.echo,
          readyTimeoutMs: START_TIMEOUT_MS,
          signal: aborter.signal,
          ready: (output) => output.includes('polling task queue'),
        });
        spawned.push(worker);
        currentWorker = worker;
        return worker;
      };

      let currentBridge: RunningService | undefined;
      let bridgeGeneration = 0;
      const startBridge = async (): Promise<RunningService> => {
        bridgeGeneration += 1;
        const bridge = await spawnService({
          name: `bridge-${bridgeGeneration}`,
          command: process.execPath,
          args: entryArgs('ingest/bridge/main'),
          cwd: projectRoot,
          env: {
            ...stackEnv,
            LAZARUS_EVENT_STREAM: stream,
            LAZARUS_BRIDGE_TASK_QUEUE: `${taskQueue}-bridge`,
            LAZARUS_BRIDGE_IDENTITY: `chaos-bridge-${bridgeGeneration}-${options.runId}`,
            LAZARUS_BRIDGE_METRICS_PORT: '0',
            LAZARUS_BRIDGE_HEARTBEAT_TIMEOUT_MS: '2000',
            LAZARUS_BRIDGE_IDLE_POLL_MS: '200',
            LAZARUS_BRIDGE_DISCOVERY_INTERVAL_MS: '500',
            LAZARUS_BRIDGE_MAX_RETRY_BACKOFF_MS: '1000',
          },
          echo: options.echo,
          readyTimeoutMs: START_TIMEOUT_MS,
          signal: aborter.signal,
          ready: (output) => output.includes('lazarus bridge'),
        });
        spawned.push(bridge);
        currentBridge = bridge;
        return bridge;
      };

      log('chaos: starting the worker' + (options.ingest === 'api' ? ', the Kinesis bridge and the REST API' : ''));
      let apiUrl: string | undefined;
      if (options.ingest === 'api') {
        await aws.kinesis
          .send(new CreateStreamCommand({ StreamName: stream, ShardCount: 2 }), {
            abortSignal: AbortSignal.timeout(CONNECT_TIMEOUT_MS),
          })
          .catch((err: unknown) => {
            if ((err as { name?: string }).name !== 'ResourceInUseException') throw err;
          });
        await waitUntilStreamExists({ client: aws.kinesis, maxWaitTime: 30 }, { StreamName: stream });
      }
      const apiPort = options.ingest === 'api' ? await freePort() : 0;
      // The starts run together and are settled at once, with nothing awaited in between: a start that fails before
      // the others are settled must not be an unhandled rejection, which would end this process with the dev server
      // and the emulator left running (seen with a worker that could not start while the stream was being created).
      const starting: Array<Promise<unknown>> = [startWorker()];
      if (options.ingest === 'api') {
        apiUrl = `http://127.0.0.1:${apiPort}`;
        starting.push(
          startBridge(),
          spawnService({
            name: 'api',
            command: process.execPath,
            args: entryArgs('api/main'),
            cwd: projectRoot,
            // The drills send with the development sensor token (loopback only).
            env: {
              ...stackEnv,
              LAZARUS_API_PORT: String(apiPort),
              LAZARUS_API_HOST: '127.0.0.1',
              LAZARUS_API_DEV_TOKENS: '1',
              LAZARUS_EVENT_STREAM: stream,
              ...options.apiEnv,
            },
            echo: options.echo,
            readyTimeoutMs: START_TIMEOUT_MS,
            signal: aborter.signal,
            ready: (output) => output.includes('listening on'),
          }).then((api) => spawned.push(api)),
        );
      }
      // Settle every start, so none is left starting when one fails.
      const results = await Promise.allSettled(starting);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;

      connection = await Connection.connect({ address: temporalAddress, connectTimeout: CONNECT_TIMEOUT_MS });
      client = new Client({ connection, namespace });

      const restartTemporal = async (downMs: number): Promise<{ stoppedMs: number; upMs: number }> => {
        if (!temporalConfig || !temporalProcess)
          throw new Error('chaos: the dev server is not this stack’s own, or its last restart failed');
        const at = Date.now();
        const old = temporalProcess;
        temporalProcess = undefined;
        await old.stop(5000);
        const stoppedMs = Date.now() - at;
        spawned.splice(spawned.indexOf(old), 1);
        await new Promise((resolve) => setTimeout(resolve, downMs));
        const alive = new Set(liveServices());
        try {
          // Bounded and interrupted by stop(); a start that fails stops what it spawned (spawnService).
          const again = await startTemporalDevServer(temporalConfig, { echo: false, signal: startSignal() });
          temporalProcess = again.process;
          spawned.unshift(again.process);
        } catch (err) {
          // Whatever the failed start left alive (a server that answered late, a wrapper's child) is killed here.
          await Promise.all(
            liveServices()
              .filter((s) => !alive.has(s))
              .map((s) => s.stop(1000)),
          );
          throw err;
        }
        return { stoppedMs, upMs: Date.now() - at };
      };

      return {
        runId: options.runId,
        region,
        taskQueue,
        routingKey,
        client,
        temporal: { address: temporalAddress, namespace },
        aws,
        proxy,
        pagerDuty,
        receivers,
        fleet,
        apiUrl,
        ingest: options.ingest,
        ownTemporal: !options.temporal,
        worker: () => currentWorker!,
        bridge: () => currentBridge,
        startWorker,
        startBridge,
        restartTemporal,
        stop,
      };
    });
  } catch (err) {
    await stop();
    throw err;
  }
}
