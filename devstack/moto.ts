// The AWS API emulator (moto server from PyPI) for EC2, ELBv2 and Kinesis on loopback.
import fs from 'node:fs';
import path from 'node:path';
import { ServiceStartError } from './errors';
import { projectRoot, venvBin } from './paths';
import { assertPortFree, httpOk, spawnService, type RunningService } from './service-process';

export interface RunningMoto {
  readonly endpoint: string;
  readonly process: RunningService;
}

export async function startMoto(options: { host: string; port: number; echo?: boolean }): Promise<RunningMoto> {
  const python = venvBin('python');
  if (!fs.existsSync(venvBin('moto_server'))) {
    throw new ServiceStartError('moto', `the AWS emulator is not installed in ${python}'s venv: run \`npm run setup\``);
  }
  await assertPortFree('AWS emulator (moto)', options.host, options.port);
  const endpoint = `http://${options.host}:${options.port}`;
  const proc = await spawnService({
    name: 'moto',
    // moto_server with a fix for resharding (see devstack/moto_server.py)
    command: python,
    args: [path.join(projectRoot, 'devstack', 'moto_server.py'), '-H', options.host, '-p', String(options.port)],
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
