// Starting, watching and stopping the child processes of the local stack.
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { PortInUseError, ServiceStartError } from './errors';

/** How a stopped process ended: on SIGTERM within the grace period, or by SIGKILL after it. */
export type StopOutcome = 'exited' | 'killed';

export interface RunningService {
  readonly name: string;
  readonly pid: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
  /** Last lines the process wrote, for error messages. */
  recentOutput(): string;
  /**
   * SIGTERM the process group, then SIGKILL it after `graceMs`; resolves once the process has exited. Calling it again
   * while a stop is under way returns the same promise.
   */
  stop(graceMs?: number): Promise<StopOutcome>;
  /** SIGKILL the process group now (a stop under way then resolves as 'killed'). */
  kill(): void;
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
  /**
   * Aborting it while the service is starting stops the process (SIGTERM, SIGKILL after `abortGraceMs`) and rejects
   * with StartAbortedError; an aborted signal refuses to spawn at all. Default: the signal of the enclosing
   * `runWithAbortSignal`, so starters that do not take a signal (startMoto) are abortable too.
   */
  signal?: AbortSignal;
  /** Grace between SIGTERM and SIGKILL when the start is aborted or times out (default 5000). */
  abortGraceMs?: number;
}

/** A start interrupted through its AbortSignal; the process, if it was spawned, has been stopped. */
export class StartAbortedError extends Error {
  override readonly name = 'StartAbortedError';
  constructor(readonly service: string) {
    super(`${service}: start interrupted`);
  }
}

const ambientSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `fn` with `signal` as the default AbortSignal of every spawnService call made inside it. */
export function runWithAbortSignal<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  return ambientSignal.run(signal, fn);
}

// Every process spawned here that has not exited yet, ready or still starting, in spawn order.
const live = new Set<RunningService>();

/** The processes spawned by spawnService that are still alive, including those whose readiness wait is pending. */
export function liveServices(): RunningService[] {
  return [...live];
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
  const signal = options.signal ?? ambientSignal.getStore();
  if (signal?.aborted) throw new StartAbortedError(options.name);
  const graceMs = options.abortGraceMs ?? 5000;
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    // Own process group: Ctrl-C reaches only us, we stop children in order, and kill(-pid) also reaches whatever a
    // child started itself (a wrapper's server).
    detached: true,
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
  const group = processGroup(child, exited);
  const service: RunningService = {
    name: options.name,
    pid: child.pid ?? -1,
    exited,
    recentOutput: () => lines.join('\n'),
    stop: (ms = 5000) => group.stop(ms),
    kill: () => group.kill(),
  };
  if (child.pid !== undefined) {
    live.add(service);
    void exited.then(() => live.delete(service));
  }

  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const interrupted = abortPromise(signal);
  try {
    for (;;) {
      if (signal?.aborted) throw new StartAbortedError(options.name);
      if (exitCode !== undefined) {
        throw new ServiceStartError(
          options.name,
          `exited with code ${exitCode} before it was ready:\n${service.recentOutput()}`,
        );
      }
      // A ready check that hangs must not hold up an exit or an interrupt.
      const ready = await Promise.race([
        Promise.resolve(options.ready(service.recentOutput())),
        exited.then(() => false),
        interrupted.promise.then(() => false),
      ]);
      if (ready && exitCode === undefined && !signal?.aborted) return service;
      if (Date.now() > deadline) {
        throw new ServiceStartError(options.name, `not ready after ${timeoutMs} ms:\n${service.recentOutput()}`);
      }
      await Promise.race([delay(100), exited, interrupted.promise]);
    }
  } catch (err) {
    // Never leave a process behind whose start failed or was interrupted.
    await service.stop(err instanceof StartAbortedError ? graceMs : Math.min(graceMs, 1000));
    throw err;
  } finally {
    interrupted.dispose();
  }
}

function abortPromise(signal: AbortSignal | undefined): { promise: Promise<void>; dispose: () => void } {
  if (!signal) return { promise: new Promise<void>(() => undefined), dispose: () => undefined };
  let onAbort = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function processGroup(
  child: ChildProcess,
  exited: Promise<number | null>,
): { stop: (graceMs: number) => Promise<StopOutcome>; kill: () => void } {
  let stopping: Promise<StopOutcome> | undefined;
  let killed = false;
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) killed = true;
    signalGroup('SIGKILL');
  };
  const stop = (graceMs: number): Promise<StopOutcome> => {
    if (stopping) return stopping;
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
      signalGroup('SIGKILL'); // grandchildren the child may have left
      return Promise.resolve('exited');
    }
    stopping = (async () => {
      signalGroup('SIGTERM');
      const timer = setTimeout(kill, graceMs);
      await exited;
      clearTimeout(timer);
      signalGroup('SIGKILL'); // grandchildren that ignored SIGTERM
      return killed ? 'killed' : 'exited';
    })();
    return stopping;
  };
  return { stop, kill };
}
