// SLOW (~40 s on 2 cores): runs the real `npm start` entry point (devstack/start.ts) on free ports and interrupts it
// at several points of start-up, then checks that it exited within the bound, printed what it stopped, left no
// process behind (found by an environment marker every process it starts inherits, so orphans count too) and nothing
// listening on any of its ports.
//
// The project is transpiled once (no typecheck; from the run's transpile cache, test/support/transpile-cache.js) into
// node_modules/.cache, the way `npm run build` lays out dist/, with the workflow bundle of the test run's global setup
// next to it: the worker and the bridge then start as fast as they do from dist/, without a build and without
// touching the shared dist/.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stackValue } from '../support/stack-env';
import { transpileCached } from '../support/transpile-cache';

const projectRoot = path.resolve(__dirname, '..', '..');
const tree = path.join(projectRoot, 'node_modules', '.cache', `lazarus-devstack-stop-test-${process.pid}`);
const MARKER = 'LAZARUS_DEVSTACK_STOP_TEST_RUN';
// start.ts: SIGKILL for whatever is left 7 s after the signal, the dev server and moto get at least 1 s: 8 s, plus
// slack for a loaded machine.
const STOP_BOUND_MS = 8_000 + 2_000;
const PORT_VARIABLES = [
  'LAZARUS_TEMPORAL_PORT',
  'LAZARUS_TEMPORAL_UI_PORT',
  'LAZARUS_AWS_PORT',
  'LAZARUS_PAGERDUTY_EVENTS_PORT',
  'LAZARUS_PAGERDUTY_API_PORT',
  'LAZARUS_RECEIVER_PORT',
  'LAZARUS_SMTP_PORT',
  'LAZARUS_FLEET_PORT',
  'LAZARUS_API_PORT',
  'LAZARUS_BRIDGE_METRICS_PORT',
  'LAZARUS_WORKER_METRICS_PORT',
] as const;
type PortVariable = (typeof PORT_VARIABLES)[number];

interface StackRun {
  child: ChildProcess;
  marker: string;
  ports: Record<PortVariable, number>;
  stateDir: string;
  output(): string;
  exited: Promise<{ code: number | null; at: number }>;
  outputClosed: Promise<void>;
}

const runs: StackRun[] = [];
const figures: string[] = [];

/** Transpiles what tsconfig.build.json builds, copies its JSON files and assets, and puts the workflow bundle beside it. */
function transpileProject(): void {
  const include = (
    JSON.parse(fs.readFileSync(path.join(projectRoot, 'tsconfig.build.json'), 'utf8')) as {
      include: string[];
    }
  ).include.filter((dir) => dir !== 'bench');
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(projectRoot, relative), { withFileTypes: true })) {
      const file = path.join(relative, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
        // the global setup's warm-up has most likely transpiled it already (test/support/transpile-cache.js)
        const source = path.join(projectRoot, file);
        fs.mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
        fs.writeFileSync(
          path.join(tree, file.replace(/\.ts$/, '.js')),
          transpileCached(source, fs.readFileSync(source, 'utf8')),
        );
      } else if (file.endsWith('.json') || file.includes(`${path.sep}assets${path.sep}`)) {
        // JSON files, and static assets (the console's), which the processes read beside their code
        fs.mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
        fs.copyFileSync(path.join(projectRoot, file), path.join(tree, file));
      }
    }
  };
  for (const dir of include) walk(dir);
  fs.copyFileSync(stackValue('workflowBundle'), path.join(tree, 'workflow-bundle.js'));
}

/** Distinct free loopback ports: all held open together while they are picked. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen({ host: '127.0.0.1', port: 0 }, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** `viaShell`: under `sh -c 'true && node start.js'`, the process tree `npm start` makes. */
async function startStack(viaShell = false): Promise<StackRun> {
  const ports = Object.fromEntries(
    (await freePorts(PORT_VARIABLES.length)).map((port, i) => [PORT_VARIABLES[i], port]),
  ) as Record<PortVariable, number>;
  const marker = `${process.pid}-${runs.length}-${Date.now()}`;
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazarus-stop-test-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
    LAZARUS_STATE_DIR: stateDir,
    NODE_NO_WARNINGS: '1',
    // V8's code cache of the test run (test/support/v8-module-cache.js) for start.js and the node processes it starts
    // (they inherit it): the five stacks compile the SDKs and the tree once, not five times
    NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require ${path.join(__dirname, '..', 'support', 'v8-module-cache.js')}`]
      .filter(Boolean)
      .join(' '),
    [MARKER]: marker,
  };
  delete env.LAZARUS_DEMAND_SERVICES;
  const start = [process.execPath, path.join(tree, 'devstack', 'start.js')];
  const [command, args] = viaShell
    ? ['sh', ['-c', `true && ${start.map((word) => `'${word}'`).join(' ')}`]]
    : [start[0], start.slice(1)];
  const child = spawn(command, args, {
    cwd: projectRoot,
    env,
    detached: true, // its own process group, as in a terminal: afterEach can kill the whole group
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, at: Date.now() })),
  );
  // All output read: start.js holds the pipes (through the shell too) until it exits.
  const outputClosed = Promise.all(
    [child.stdout, child.stderr].map((stream) => new Promise((resolve) => stream?.once('close', resolve))),
  ).then(() => undefined);
  const run: StackRun = { child, marker, ports, stateDir, output: () => output, exited, outputClosed };
  runs.push(run);
  return run;
}

/** The live (not zombie) processes carrying the run's marker in their environment: start.js and all it started. */
function processesOf(marker: string): Array<{ pid: number; command: string }> {
  const found: Array<{ pid: number; command: string }> = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).charAt(0);
      if (state === 'Z' || state === 'X') continue;
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!environ.includes(`${MARKER}=${marker}`)) continue;
      const command = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      found.push({ pid: Number(entry), command });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

async function waitFor(what: string, run: StackRun, check: () => boolean | Promise<boolean>, timeoutMs = 40_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (run.child.exitCode !== null || run.child.signalCode !== null) {
      throw new Error(`npm start exited while waiting for ${what}:\n${run.output()}`);
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const printed = (run: StackRun, text: string) => () => run.output().includes(text);

/**
 * Starts the stack and waits until `check` holds. The ports were free when picked but are released before the stack
 * binds them, so another test file's process can take one meanwhile: a start that fails on a port in use is stopped
 * and made again on other ports (the stop itself is what these tests measure, not the pick).
 */
async function startAndWaitFor(
  what: string,
  check: (run: StackRun) => () => boolean | Promise<boolean>,
  viaShell = false,
): Promise<StackRun> {
  for (let attempt = 1; ; attempt++) {
    const run = await startStack(viaShell);
    try {
      await waitFor(what, run, check(run));
      return run;
    } catch (error) {
      if (attempt >= 3 || !/EADDRINUSE|address already in use/i.test(run.output())) throw error;
      figures.push(`start ${attempt} lost a port to another process (EADDRINUSE): started again on other ports`);
      stopRun(run);
      runs.splice(runs.indexOf(run), 1);
    }
  }
}

/** Kills the run's process group and every process carrying its marker; removes its state folder. */
function stopRun(run: StackRun): void {
  try {
    if (run.child.pid) process.kill(-run.child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  for (const { pid } of processesOf(run.marker)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // not a group leader, or gone
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  fs.rmSync(run.stateDir, { recursive: true, force: true });
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(500) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** What a connection to 127.0.0.1:port gets: 'connected' or the error code. */
async function connectTo(port: number): Promise<string> {
  return await new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? String(err)));
  });
}

/** When the last process of the run is gone (start.js has exited, and all it started). */
async function allGone(run: StackRun): Promise<number | undefined> {
  const deadline = Date.now() + STOP_BOUND_MS + 5000;
  while (Date.now() < deadline) {
    if (processesOf(run.marker).length === 0) return Date.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

/**
 * Signals the run (its start.js, or with `parent` the shell above it), waits until every process of it is gone, checks
 * the bound, the exit code, the ports and the line printed; returns the stop line.
 */
async function interruptAndCheck(
  run: StackRun,
  point: string,
  signal: NodeJS.Signals,
  target: 'start' | 'parent' = 'start',
): Promise<string> {
  const before = processesOf(run.marker);
  expect(before.map((p) => p.pid)).toContain(run.child.pid);
  expect(before.some((p) => p.command.includes('temporal server start-dev'))).toBe(true);
  const sentAt = Date.now();
  run.child.kill(signal);
  const goneAt = await allGone(run);
  if (!goneAt) throw new Error(`npm start still running ${STOP_BOUND_MS + 5000} ms after ${signal}:\n${run.output()}`);
  const stopMs = goneAt - sentAt;
  await run.outputClosed;
  const line = /^lazarus: stopped .*$/m.exec(run.output())?.[0] ?? '';
  figures.push(`${point} (${signal}, ${before.length} processes): all gone in ${stopMs} ms: ${line}`);
  if (target === 'start') expect((await run.exited).code).toBe(0);
  expect(stopMs).toBeLessThan(STOP_BOUND_MS);
  expect(line).toMatch(/^lazarus: stopped .+ in \d+\.\d s$/);
  // No start-up step began after the stop did.
  const afterStop = run.output().slice(run.output().indexOf('stopping everything'));
  expect(afterStop).not.toMatch(/^lazarus: starting/m);
  expect(afterStop).not.toContain('Lazarus is up');
  // Nothing it started is alive, grandchildren and orphans included, and nothing answers on its ports.
  expect(processesOf(run.marker)).toEqual([]);
  const refused = await Promise.all(
    PORT_VARIABLES.map(async (name) => `${name} ${run.ports[name]}: ${await connectTo(run.ports[name])}`),
  );
  expect(refused).toEqual(PORT_VARIABLES.map((name) => `${name} ${run.ports[name]}: ECONNREFUSED`));
  return line;
}

/** The names in the stop line, without "(SIGKILL)" marks. */
function stoppedNames(line: string): string[] {
  const list = /^lazarus: stopped (.*) in \d+\.\d s$/.exec(line)?.[1] ?? '';
  return list.split(', ').map((name) => name.replace(/ \(SIGKILL\)$/, ''));
}

describe('npm start stops everything it started when interrupted (SLOW: real stack, ~40 s)', () => {
  beforeAll(() => {
    const started = Date.now();
    transpileProject();
    figures.push(`project transpiled in ${Date.now() - started} ms`);
  }, 60_000);

  afterEach(() => {
    // Whatever happened above: nothing of this run may outlive the test.
    for (const run of runs.splice(0)) stopRun(run);
  });

  afterAll(() => {
    fs.rmSync(tree, { recursive: true, force: true });
    if (figures.length > 0) process.stdout.write(`\nnpm start interrupted:\n  ${figures.join('\n  ')}\n`);
  });

  test('Ctrl-C right after the Temporal Web UI answers (the rest not started): the dev server is stopped', async () => {
    const run = await startAndWaitFor(
      'the Temporal Web UI',
      (r) => () => answers(`http://127.0.0.1:${r.ports.LAZARUS_TEMPORAL_UI_PORT}/`),
    );
    const line = await interruptAndCheck(run, 'Web UI answers', 'SIGINT');
    expect(stoppedNames(line)).toContain('temporal');
    expect(stoppedNames(line)).not.toContain('worker');
  }, 45_000);

  test('Ctrl-C twice while moto is starting: the second one kills what is left at once', async () => {
    const run = await startAndWaitFor(
      'the moto process',
      (r) => () => processesOf(r.marker).some((p) => p.command.includes('moto')),
    );
    run.child.kill('SIGINT');
    await waitFor('the stop', run, printed(run, 'stopping everything'));
    const line = await interruptAndCheck(run, 'moto starting, second Ctrl-C', 'SIGINT');
    expect(run.output()).toMatch(/^lazarus: SIGINT again: killing .* now$/m);
    expect(stoppedNames(line)).toEqual(expect.arrayContaining(['moto', 'temporal']));
  }, 45_000);

  test('SIGTERM to `npm start` itself while moto starts (its shell dies, not passing it on): the stack stops', async () => {
    const run = await startAndWaitFor(
      'the moto process',
      (r) => () => processesOf(r.marker).some((p) => p.command.includes('moto')),
      true,
    );
    const line = await interruptAndCheck(run, 'npm start (sh) SIGTERMed, moto starting', 'SIGTERM', 'parent');
    expect(run.output()).toMatch(/^lazarus: parent process \d+ gone: stopping everything/m);
    expect(stoppedNames(line)).toEqual(expect.arrayContaining(['moto', 'temporal']));
  }, 45_000);

  test('SIGTERM once the worker is up (the bridge starting): worker, emulators and dev server are stopped', async () => {
    const run = await startAndWaitFor('the worker', (r) => printed(r, '[worker] lazarus worker: polling task queue'));
    const line = await interruptAndCheck(run, 'worker up', 'SIGTERM');
    expect(stoppedNames(line)).toEqual(
      expect.arrayContaining([
        'worker',
        'fleet simulator',
        'Slack/SMTP receivers',
        'PagerDuty emulator',
        'moto',
        'temporal',
      ]),
    );
    expect(stoppedNames(line)).not.toContain('api');
  }, 45_000);

  test('Ctrl-C after "Lazarus is up": every part is stopped', async () => {
    const run = await startAndWaitFor('the stack', (r) => printed(r, 'Press Ctrl-C to stop everything.'));
    const line = await interruptAndCheck(run, 'up', 'SIGINT');
    expect(stoppedNames(line)).toEqual([
      'api',
      'bridge',
      'worker',
      'fleet simulator',
      'Slack/SMTP receivers',
      'PagerDuty emulator',
      'moto',
      'temporal',
    ]);
  }, 45_000);
});
