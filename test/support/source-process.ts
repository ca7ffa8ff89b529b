// A Lazarus process run from its TypeScript source (node + test/support/ts-require.js), so a test can SIGTERM it,
// kill -9 it and start another: the bridge and the worker drills use it with their own entry point and environment.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const projectRoot = path.resolve(__dirname, '..', '..');

export interface SourceProcessOptions {
  /** What the process is, for messages ("bridge b-1", "worker w-2"). */
  name: string;
  /** Entry point, relative to the project root (e.g. worker/main.ts). */
  entry: string;
  /** The whole environment of the process (nothing is inherited but what is given). */
  env: Record<string, string | undefined>;
  /** Text the process prints once it is ready. */
  readyLine: string;
  /** How long it may take to print it (default 60 s). */
  readyTimeoutMs?: number;
}

export interface SourceProcess {
  child: ChildProcess;
  /** Everything it printed. */
  output(): string;
  /** The exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** Sends `signal` (default SIGTERM) unless it has exited, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

/** Starts the process and resolves once it printed its ready line; rejects (naming it) if it exits or times out first. */
export async function startSourceProcess(options: SourceProcessOptions): Promise<SourceProcess> {
  const child = spawn(
    process.execPath,
    ['-r', path.join(projectRoot, 'test', 'support', 'ts-require.js'), path.join(projectRoot, options.entry)],
    { cwd: projectRoot, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${options.name} not ready in ${timeoutMs / 1000} s:\n${output}`)),
      timeoutMs,
    );
    const check = (): void => {
      if (output.includes(options.readyLine)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return await exited;
    },
  };
}
