// `npm start`: the whole local system (Temporal dev server + Web UI, AWS emulator, Lazarus worker) in one command.
// Waits for each part to be ready, prints where everything is, and stops every child on Ctrl-C.
import path from 'node:path';
import { DevConfigError, PortInUseError, ServiceStartError } from './errors';
import { startMoto } from './moto';
import { projectRoot } from './paths';
import { assertPortFree, spawnService, type RunningService } from './service-process';
import { loadTemporalDevConfig, startTemporalDevServer } from './temporal-dev';

const awsPort = Number(process.env.LAZARUS_AWS_PORT ?? 4566);
const awsRegion = process.env.AWS_REGION ?? 'us-east-1';

async function main(): Promise<void> {
  const config = loadTemporalDevConfig();
  // Check every port before starting anything, so a second `npm start` fails at once and touches nothing.
  await assertPortFree('Temporal gRPC frontend', config.ip, config.port);
  if (config.ui_port != null) await assertPortFree('Temporal Web UI', config.ip, config.ui_port);
  await assertPortFree('AWS emulator (moto)', '127.0.0.1', awsPort);

  const running: RunningService[] = [];
  let stopping = false;
  const stopAll = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      process.stdout.write('\nlazarus: stopping ...\n');
      for (const service of [...running].reverse()) await service.stop(10_000);
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

    process.stdout.write('lazarus: starting the worker ...\n');
    const worker = await spawnService({
      name: 'worker',
      command: process.execPath,
      args: [path.join(projectRoot, 'dist', 'worker', 'main.js')],
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: temporal.namespace,
        LAZARUS_AWS_ENDPOINT: moto.endpoint,
        AWS_REGION: awsRegion,
      },
      echo: true,
      ready: (output) => output.includes('polling task queue'),
    });
    running.push(worker);

    const rows: Array<[string, string]> = [
      ['Temporal Web UI', temporal.uiUrl ?? '(headless)'],
      ['Temporal gRPC', `${temporal.address} (namespace ${temporal.namespace})`],
      ['AWS emulator', `${moto.endpoint} (region ${awsRegion})`],
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

main().catch((err: unknown) => {
  if (err instanceof PortInUseError || err instanceof DevConfigError) {
    process.stderr.write(`lazarus: ${err.message}\n`);
  } else {
    process.stderr.write(`lazarus: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
