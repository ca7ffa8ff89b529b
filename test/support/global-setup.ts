// Starts one Temporal dev server (from temporal-dev.yaml, on a free port with a temporary database) and one AWS
// emulator for the whole test run, and prebuilds the workflow bundle once. Unit-only runs start nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startMoto, type RunningMoto } from '../../devstack/moto';
import { freePort } from '../../devstack/service-process';
import { loadTemporalDevConfig, startTemporalDevServer, type RunningTemporal } from '../../devstack/temporal-dev';
import { StackEnv } from './stack-env';

export interface TestStack {
  temporal: RunningTemporal;
  moto: RunningMoto;
  tempDir: string;
}

declare global {
  var lazarusTestStack: TestStack | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.LAZARUS_TEST_UNIT_ONLY === '1') return;
  const started = Date.now();
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazarus-test-'));
  const config = {
    ...loadTemporalDevConfig(),
    port: await freePort(),
    ui_port: null,
    db_filename: path.join(tempDir, 'temporal.sqlite'),
    log_level: 'error',
  };
  const noop = (): void => undefined;
  const [temporal, moto, bundle] = await Promise.all([
    startTemporalDevServer(config),
    freePort().then((port) => startMoto({ host: '127.0.0.1', port })),
    bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop },
    }),
  ]);
  const bundlePath = path.join(tempDir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  globalThis.lazarusTestStack = { temporal, moto, tempDir };
  process.env[StackEnv.temporalAddress] = temporal.address;
  process.env[StackEnv.temporalNamespace] = temporal.namespace;
  process.env[StackEnv.awsEndpoint] = moto.endpoint;
  process.env[StackEnv.workflowBundle] = bundlePath;
  process.stdout.write(
    `\nlocal stack for tests: Temporal dev server ${temporal.address} (pid ${temporal.process.pid}), ` +
      `AWS emulator ${moto.endpoint} (pid ${moto.process.pid}), ready in ${Date.now() - started} ms\n`,
  );
}
