// The worker process's own settings from the environment: graceful shutdown, sticky-queue fallback, identity and
// which workflow bundle to load. Read before anything connects, so a bad value fails the start with its name.
import { RuntimeConfigError } from '../core';

export interface WorkerProcessSettings {
  /**
   * LAZARUS_WORKER_SHUTDOWN_GRACE_MS (default 30 000): after SIGTERM or SIGINT the worker stops polling and lets
   * in-flight tasks finish this long; then it cancels the activities still running, and the long-running ones hand
   * their progress back to the workflow, which gives the step to another worker at once.
   */
  shutdownGraceMs: number;
  /**
   * LAZARUS_WORKER_STICKY_TIMEOUT_MS (default 5000): how long a workflow task waits on this worker's sticky queue
   * before going to any worker. After a crash it bounds the extra wait of the workflows this worker had cached.
   */
  stickyTimeoutMs: number;
  /** LAZARUS_WORKER_IDENTITY (default the SDK's `<pid>@<host>`): shown as the worker of tasks and activities. */
  identity?: string;
  /** LAZARUS_WORKFLOW_BUNDLE: a prebuilt workflow bundle to load instead of dist/workflow-bundle.js. */
  workflowBundle?: string;
  /**
   * LAZARUS_SMTP_ALLOW_PLAINTEXT_AUTH (true or false, default false): let SMTP credentials travel without TLS. Without
   * it, LAZARUS_SMTP_USER needs LAZARUS_SMTP_SECURE=true or STARTTLS (required then), or the worker refuses to start.
   */
  smtpAllowPlaintextAuth?: boolean;
}

export const defaultShutdownGraceMs = 30_000;
export const defaultStickyTimeoutMs = 5_000;

function milliseconds(
  env: Readonly<Record<string, string | undefined>>,
  variable: string,
  fallback: number,
  min: number,
): number {
  const raw = env[variable]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new RuntimeConfigError(variable, `expected a whole number of milliseconds >= ${min}, got "${raw}"`);
  }
  return value;
}

export function readWorkerProcessSettings(env: Readonly<Record<string, string | undefined>>): WorkerProcessSettings {
  const identity = env.LAZARUS_WORKER_IDENTITY?.trim();
  const workflowBundle = env.LAZARUS_WORKFLOW_BUNDLE?.trim();
  return {
    shutdownGraceMs: milliseconds(env, 'LAZARUS_WORKER_SHUTDOWN_GRACE_MS', defaultShutdownGraceMs, 0),
    stickyTimeoutMs: milliseconds(env, 'LAZARUS_WORKER_STICKY_TIMEOUT_MS', defaultStickyTimeoutMs, 1000),
    ...(identity ? { identity } : {}),
    ...(workflowBundle ? { workflowBundle } : {}),
    ...(flag(env, 'LAZARUS_SMTP_ALLOW_PLAINTEXT_AUTH') ? { smtpAllowPlaintextAuth: true } : {}),
  };
}

function flag(env: Readonly<Record<string, string | undefined>>, variable: string): boolean {
  const raw = env[variable]?.trim().toLowerCase();
  if (!raw || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new RuntimeConfigError(variable, `expected true or false, got "${env[variable]}"`);
}
