// Per-file access to the shared Temporal dev server, and a worker on a fresh task queue for each test.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
// the SDK's process-wide stack-trace hooks (not part of its public API; see stopStackTraceHook)
import { globalHandlers } from '@temporalio/worker/lib/workflow/vm-shared';
import { createWorkerMetrics, type WorkerMetrics } from '../../worker/metrics';
import { stackValue } from './stack-env';

// Test workers log at ERROR (expected failures log at WARN), so test output shows results, not worker state changes;
// LAZARUS_TEST_LOG_LEVEL=debug shows everything. Installed here, where every test gets its Temporal connection, and
// not in a setup file of every test file: a file that never touches Temporal then does not load the worker SDK
// (~0.35 s of CPU a jest worker). The SDK is loaded once per jest worker (test/support/shared-context-environment.js):
// a Runtime an earlier file installed may still be there (it is removed once idle), hence the guard.
try {
  Runtime.install({ logger: new DefaultLogger(process.env.LAZARUS_TEST_LOG_LEVEL === 'debug' ? 'DEBUG' : 'ERROR') });
} catch {
  // already installed in this registry
}

export async function connectTestEnv(): Promise<TestWorkflowEnvironment> {
  return await TestWorkflowEnvironment.createFromExistingServer({
    address: stackValue('temporalAddress'),
    namespace: stackValue('temporalNamespace'),
  });
}

export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

/**
 * A worker that runs the prebuilt bundle of every Lazarus workflow with the given activities, and the workflows'
 * metrics sinks feeding `metrics` (pass a WorkerMetrics to read what the workflows reported; default a fresh one).
 * `activitiesOnly` gives a worker that polls only for activities (a checker node's queue): it loads no workflow
 * bundle, which is most of what a worker costs to create.
 */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  options: Omit<WorkerOptions, 'connection' | 'namespace' | 'workflowBundle' | 'workflowsPath'> & {
    metrics?: WorkerMetrics;
    activitiesOnly?: boolean;
  },
): Promise<Worker> {
  const { metrics = createWorkerMetrics(), activitiesOnly = false, ...workerOptions } = options;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? stackValue('temporalNamespace'),
    // Workflows run on this (the test file's) thread instead of a worker thread of their own: a worker thread loads
    // the SDK and the bundle again at each Worker.create (~0.5 s of CPU; a test run creates about a hundred workers),
    // and the test run is CPU-bound. The sandbox is the same reusable V8 context; the deadlock timeout is kept at the
    // SDK's default (debug mode would lift it). The price: the SDK's promise hook then sees every promise of the test
    // process, not only the workflows'. Measured on one machine, alternating (jest workers' CPU-s): workflow project
    // 122 and 140 with threads, 93 and 91 without; integration project 112 with, 100 without.
    debugMode: true,
    // the SDK reads this option but does not declare it ("not exposed at the moment"): hence the spread
    ...({ isolateExecutionTimeout: '5s' } as Partial<WorkerOptions>),
    ...(activitiesOnly ? {} : { workflowBundle: { codePath: stackValue('workflowBundle') }, sinks: metrics.sinks }),
    ...workerOptions,
  });
  if (!activitiesOnly) stopStackTraceHook();
  return worker;
}

interface LoadedBundle {
  code: string;
  sourceMap: unknown;
  filename: string;
}
const sdkLoaderKey = Symbol.for('lazarus.test.sdkGetOrCreateBundle');
const loadedBundlesKey = Symbol.for('lazarus.test.loadedBundles');
interface BundleLoader {
  getOrCreateBundle(options: { workflowBundle?: { codePath?: string } }, logger: unknown): Promise<LoadedBundle>;
}
// The SDK's Worker is loaded once per jest worker (test/support/shared-context-environment.js) and this file once
// per test file: the SDK's own loader and the bundles read are kept on the class, so the next file finds them.
const sdkLoader = Worker as unknown as BundleLoader & {
  [sdkLoaderKey]?: BundleLoader['getOrCreateBundle'];
  [loadedBundlesKey]?: Map<string, Promise<LoadedBundle>>;
};
const sdkGetOrCreateBundle = (sdkLoader[sdkLoaderKey] ??= sdkLoader.getOrCreateBundle);
const loadedBundles = (sdkLoader[loadedBundlesKey] ??= new Map<string, Promise<LoadedBundle>>());

/**
 * The prebuilt bundle read once per jest worker. At each Worker.create the SDK reads the bundle again, decodes its
 * source map and runs the whole bundle once in a throwaway V8 context, so that a debugger finds its breakpoints
 * (parseWorkflowCode); the bundle throws there, and jest's source-mapped stack trace of that error is most of the
 * cost: ~125 ms of CPU per worker, and a test run creates ~90 of them. Here the bundle and its source map are read
 * as the SDK reads them, once, and that run is left out; the worker runs the same code. (A `workflowsPath` or an
 * inline bundle still goes through the SDK.)
 */
sdkLoader.getOrCreateBundle = function getOrCreateBundle(this: BundleLoader, options, logger) {
  const codePath = options.workflowBundle?.codePath;
  if (!codePath || !path.isAbsolute(codePath)) return sdkGetOrCreateBundle.call(this, options, logger);
  let loaded = loadedBundles.get(codePath);
  if (!loaded) {
    loaded = readBundle(codePath);
    loadedBundles.set(codePath, loaded);
  }
  return loaded;
};

async function readBundle(codePath: string): Promise<LoadedBundle> {
  const code = await readFile(codePath, 'utf8');
  const marker = code.lastIndexOf('//# sourceMappingURL=data:');
  const base64 = marker > 0 ? code.indexOf('base64,', marker) : -1;
  if (base64 < 0) throw new Error(`no inline source map in the workflow bundle ${codePath}`);
  const sourceMap: unknown = JSON.parse(
    Buffer.from(code.slice(base64 + 'base64,'.length).trimEnd(), 'base64').toString(),
  );
  return { code, sourceMap, filename: codePath };
}

/**
 * Takes away the promise hook the SDK installs for workflow stack traces (`temporal workflow stack`), which no test
 * asks for. On a worker thread it would die with the thread; with workflows on the test file's thread it stays for the
 * rest of the jest worker's life, and it is process-wide: each test file loads the SDK afresh and so adds one more
 * hook, and every hook captures a stack trace for every promise a workflow makes (and compiles a function for every
 * promise of the process). Measured: ~20 % of a remediation's CPU in the first test file of a jest worker, growing
 * with each file after it. Workflows created after this say they have no stack traces; nothing else changes.
 */
function stopStackTraceHook(): void {
  // stopPromiseHook is private in the SDK's declarations
  const handlers = globalHandlers as unknown as { promiseHookInstalled: boolean; stopPromiseHook(): void };
  if (!handlers.promiseHookInstalled) return;
  handlers.stopPromiseHook();
  handlers.promiseHookInstalled = false;
}
