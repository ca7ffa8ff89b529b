// Starting, watching and stopping the child processes of the local stack.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { PortInUseError, ServiceStartError } from './errors';

export interface RunningService {
  readonly name: string;
  readonly pid: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
  /** Last lines the process wrote, for error messages. */
  recentOutput(): string;
  /** SIGTERM the process group, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Polled (with the output so far) until it resolves true; the service counts as started then. */
  ready: (output: string) => Promise<boolean> | boolean;
  readyTimeoutMs?: number;
  /** Copy the child's output to ours, prefixed with its name. */
  echo?: boolean;
}

const OUTPUT_LINES_KEPT = 200;

export async function assertPortFree(service: string, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' || err.code === 'EACCES' ? new PortInUseError(service, `${host}:${port}`) : err);
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function httpOk(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

export async function spawnService(options: SpawnOptions): Promise<RunningService> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true, // own process group: Ctrl-C reaches us, and we stop children in order
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (prefix: string) => (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (lines.length > OUTPUT_LINES_KEPT) lines.shift();
      if (options.echo) process.stdout.write(`${prefix}${line}\n`);
    }
  };
  child.stdout?.on('data', keep(`[${options.name}] `));
  child.stderr?.on('data', keep(`[${options.name}] `));

  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    });
    child.once('error', (err) => {
      lines.push(String(err));
      exitCode = -1;
      resolve(-1);
    });
  });
  const service: RunningService = {
    name: options.name,
    pid: child.pid ?? -1,
    exited,
    recentOutput: () => lines.join('\n'),
    stop: (graceMs = 5000) => stopProcessGroup(child, exited, graceMs),
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exitCode !== undefined) {
      throw new ServiceStartError(
        options.name,
        `exited with code ${exitCode} before it was ready:\n${service.recentOutput()}`,
      );
    }
    if (await options.ready(service.recentOutput())) return service;
    if (Date.now() > deadline) {
      await service.stop(1000);
      throw new ServiceStartError(
        options.name,
        `not ready after ${options.readyTimeoutMs ?? 60_000} ms:\n${service.recentOutput()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopProcessGroup(child: ChildProcess, exited: Promise<number | null>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  signalGroup('SIGTERM');
  const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  signalGroup('SIGKILL'); // grandchildren that ignored SIGTERM
}
