// The AWS API emulator (moto server from PyPI) for EC2, ELBv2 and Kinesis on loopback.
import fs from 'node:fs';
import { ServiceStartError } from './errors';
import { venvBin } from './paths';
import { assertPortFree, httpOk, spawnService, type RunningService } from './service-process';

export interface RunningMoto {
  readonly endpoint: string;
  readonly process: RunningService;
}

export async function startMoto(options: { host: string; port: number; echo?: boolean }): Promise<RunningMoto> {
  const binary = venvBin('moto_server');
  if (!fs.existsSync(binary)) {
    throw new ServiceStartError('moto', `the AWS emulator is not installed at ${binary}: run \`npm run setup\``);
  }
  await assertPortFree('AWS emulator (moto)', options.host, options.port);
  const endpoint = `http://${options.host}:${options.port}`;
  const proc = await spawnService({
    name: 'moto',
    command: binary,
    args: ['-H', options.host, '-p', String(options.port)],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    echo: options.echo,
    readyTimeoutMs: 60_000,
    ready: () => httpOk(`${endpoint}/moto-api/`),
  });
  return { endpoint, process: proc };
}

/** Clears every resource in the emulator (between tests). */
export async function resetMoto(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST', signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new ServiceStartError('moto', `reset answered HTTP ${res.status}`);
}
