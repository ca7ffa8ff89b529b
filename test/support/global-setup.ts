// Starts one Temporal dev server (from temporal-dev.yaml, on a free port with a temporary database), one AWS
// emulator, the PagerDuty emulator, the Slack/SMTP receivers and the fleet simulator for the whole test run, and
// prebuilds the workflow bundle once, and fills the transpile cache of the processes tests start from source in the
// background. Unit-only runs start nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createAwsClients, type AwsClients } from '../../platform/aws-clients';
import { startFleetSimulator, type RunningFleetSimulator } from '../../devstack/fleet-simulator';
import { startMoto, type RunningMoto } from '../../devstack/moto';
import { startNotifyReceivers, type RunningNotifyReceivers } from '../../devstack/notify-receivers';
import { startPagerDutyEmulator, type RunningPagerDutyEmulator } from '../../devstack/pagerduty-emulator';
import { freePort, liveServices } from '../../devstack/service-process';
import { loadTemporalDevConfig, startTemporalDevServer, type RunningTemporal } from '../../devstack/temporal-dev';
import { StackEnv } from './stack-env';

export interface TestStack {
  temporal: RunningTemporal;
  moto: RunningMoto;
  pagerDuty: RunningPagerDutyEmulator;
  receivers: RunningNotifyReceivers;
  fleet: RunningFleetSimulator;
  fleetAws: AwsClients;
  tempDir: string;
  /** The transpile cache warm-up (test/support/transpile-cache.js), stopped at teardown if still running. */
  warmUp: ChildProcess;
}

declare global {
  var lazarusTestStack: TestStack | undefined;
}

/**
 * moto on a free port. A port found free can be taken before moto binds it (the dev server, starting at the same
 * time, binds ports of its own): then moto exits with "Address already in use", and another free port is tried.
 */
async function startMotoOnFreePort(attempts = 3): Promise<RunningMoto> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startMoto({ host: '127.0.0.1', port: await freePort() });
    } catch (err) {
      if (attempt >= attempts || !/in use/i.test(String(err))) throw err;
    }
  }
}

/**
 * Transpiles every source file the processes tests start from source load (the folders `npm run build` builds, less
 * bench/) into the transpile cache, in a child process: the worker, bridge and API processes the first test files
 * start at once then find their files transpiled, instead of each transpiling the same ~90 files (~2.5 s of CPU
 * apiece). Nothing waits for it; a file it has not reached yet is transpiled by whoever needs it first.
 */
function warmTranspileCache(): ChildProcess {
  const root = path.resolve(__dirname, '..', '..');
  const { include } = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as {
    include: string[];
  };
  const dirs = include.filter((dir) => dir !== 'bench');
  const child = spawn(process.execPath, [path.join(__dirname, 'transpile-cache.js'), ...dirs], {
    cwd: root,
    stdio: 'ignore',
  });
  child.unref();
  return child;
}

/**
 * The dev server and moto run in process groups of their own, and jest runs no global teardown when it is interrupted
 * (Ctrl-C, SIGTERM, its output piped into a `head` that has had enough): they would be left running, the dev server
 * spending CPU on its timers. Whatever ends this process kills them and removes the temporary folder; after a
 * teardown there is nothing left to kill.
 */
function stopStackWhenJestEnds(tempDir: string): void {
  const stopAll = (): void => {
    for (const service of liveServices()) service.kill();
    fs.rmSync(tempDir, { recursive: true, force: true });
  };
  process.once('exit', stopAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stopAll();
      process.exit(128 + os.constants.signals[signal]);
    });
  }
}

export default async function globalSetup(): Promise<void> {
  if (process.env.LAZARUS_TEST_UNIT_ONLY === '1') return;
  const started = Date.now();
  const warmUp = warmTranspileCache();
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazarus-test-'));
  stopStackWhenJestEnds(tempDir);
  const config = {
    ...loadTemporalDevConfig(),
    port: await freePort(),
    ui_port: null,
    db_filename: path.join(tempDir, 'temporal.sqlite'),
    log_level: 'error',
  };
  const noop = (): void => undefined;
  const [temporal, moto, bundle, pagerDuty, receivers] = await Promise.all([
    // Go's collector at a quarter of its default frequency (GOGC 400): the tests' server spends ~10 % less CPU
    // (measured alternately on the workflow project: 50.0 -> 44.3 and 45.6 -> 40.0 CPU-s); memory is plentiful
    startTemporalDevServer(config, { env: { ...process.env, GOGC: process.env.GOGC ?? '400' } }),
    startMotoOnFreePort(),
    bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop },
    }),
    startPagerDutyEmulator({ ackTimeoutMs: 60_000 }),
    startNotifyReceivers(),
  ]);
  // Short boot delay and poll so tests that launch hosts see them healthy in about a second.
  const fleetAws = createAwsClients({ region: 'us-east-1', endpoint: moto.endpoint });
  const fleet = await startFleetSimulator({ ec2: fleetAws.ec2, elb: fleetAws.elb, bootDelayMs: 500, pollMs: 250 });
  const caFile = path.join(tempDir, 'pagerduty-emulator-ca.pem');
  fs.writeFileSync(caFile, pagerDuty.caPem);
  const bundlePath = path.join(tempDir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  globalThis.lazarusTestStack = { temporal, moto, pagerDuty, receivers, fleet, fleetAws, tempDir, warmUp };
  process.env[StackEnv.temporalAddress] = temporal.address;
  process.env[StackEnv.temporalNamespace] = temporal.namespace;
  process.env[StackEnv.awsEndpoint] = moto.endpoint;
  process.env[StackEnv.workflowBundle] = bundlePath;
  process.env[StackEnv.pagerDutyEventsServer] = pagerDuty.eventsServer;
  process.env[StackEnv.pagerDutyRestUrl] = pagerDuty.restUrl;
  process.env[StackEnv.pagerDutyCaFile] = caFile;
  process.env[StackEnv.slackWebhookUrl] = receivers.slackWebhookUrl;
  process.env[StackEnv.receiverUrl] = receivers.slackUrl;
  process.env[StackEnv.smtpAddress] = `${receivers.smtpHost}:${receivers.smtpPort}`;
  process.env[StackEnv.fleetSimulatorUrl] = fleet.url;
  process.stdout.write(
    `\nlocal stack for tests: Temporal dev server ${temporal.address} (pid ${temporal.process.pid}), ` +
      `AWS emulator ${moto.endpoint} (pid ${moto.process.pid}), PagerDuty emulator https://${pagerDuty.eventsServer} ` +
      `+ ${pagerDuty.restUrl}, receivers ${receivers.slackUrl} + smtp ${receivers.smtpPort}, ` +
      `fleet simulator ${fleet.url}, ready in ${Date.now() - started} ms\n`,
  );
}
