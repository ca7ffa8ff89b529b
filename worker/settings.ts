// The worker process's own settings from the environment: graceful shutdown, sticky-queue fallback, identity, which
// workflow bundle to load, its region and roles. Read before anything connects, so a bad value fails the start with
// its name.
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
  /**
   * LAZARUS_WORKER_WORKFLOW_TASK_SLOTS (default 40, the SDK's): workflow tasks each of this worker's workflow queues
   * runs at once. A remediation's task holds its slot while its local activities (configuration, governor, control,
   * pages, notifications) run, which are mostly waits: in a storm more slots decide more at once.
   */
  workflowTaskSlots?: number;
  /** LAZARUS_WORKER_LOCAL_ACTIVITY_SLOTS (default 100, the SDK's): local activities this worker runs at once. */
  localActivitySlots?: number;
  /** LAZARUS_WORKER_IDENTITY (default the SDK's `<pid>@<host>`): shown as the worker of tasks and activities. */
  identity?: string;
  /** LAZARUS_WORKFLOW_BUNDLE: a prebuilt workflow bundle to load instead of dist/workflow-bundle.js. */
  workflowBundle?: string;
  /**
   * LAZARUS_SMTP_ALLOW_PLAINTEXT_AUTH (true or false, default false): let SMTP credentials travel without TLS. Without
   * it, LAZARUS_SMTP_USER needs LAZARUS_SMTP_SECURE=true or STARTTLS (required then), or the worker refuses to start.
   */
  smtpAllowPlaintextAuth?: boolean;
  /**
   * LAZARUS_WORKER_REGION (default: the deployment's home region): the declared region this worker is in. Its
   * checker nodes are the ones this worker hosts; it is in the control realm when this is the deployment's
   * control_realm.
   */
  region?: string;
  /**
   * LAZARUS_WORKER_ROLES (comma list of decide and act; default decide,act in the control realm, else decide):
   * `decide` polls the main queue (workflows, configuration, entities, pages) and the region's checker nodes; `act`
   * polls the control realm's queue and registers the actions, and is refused outside the control realm.
   */
  roles?: WorkerRole[];
}

export type WorkerRole = 'decide' | 'act';
const workerRoles: readonly WorkerRole[] = ['decide', 'act'];

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

function slots<K extends 'workflowTaskSlots' | 'localActivitySlots'>(
  env: Readonly<Record<string, string | undefined>>,
  variable: string,
  key: K,
  min: number,
): Partial<Record<K, number>> {
  const raw = env[variable]?.trim();
  if (!raw) return {};
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > 10_000) {
    throw new RuntimeConfigError(variable, `expected a whole number from ${min} to 10000, got "${raw}"`);
  }
  return { [key]: value } as Partial<Record<K, number>>;
}

export function readWorkerProcessSettings(env: Readonly<Record<string, string | undefined>>): WorkerProcessSettings {
  const identity = env.LAZARUS_WORKER_IDENTITY?.trim();
  const workflowBundle = env.LAZARUS_WORKFLOW_BUNDLE?.trim();
  return {
    shutdownGraceMs: milliseconds(env, 'LAZARUS_WORKER_SHUTDOWN_GRACE_MS', defaultShutdownGraceMs, 0),
    stickyTimeoutMs: milliseconds(env, 'LAZARUS_WORKER_STICKY_TIMEOUT_MS', defaultStickyTimeoutMs, 1000),
    ...slots(env, 'LAZARUS_WORKER_WORKFLOW_TASK_SLOTS', 'workflowTaskSlots', 2),
    ...slots(env, 'LAZARUS_WORKER_LOCAL_ACTIVITY_SLOTS', 'localActivitySlots', 1),
    ...(identity ? { identity } : {}),
    ...(workflowBundle ? { workflowBundle } : {}),
    ...(flag(env, 'LAZARUS_SMTP_ALLOW_PLAINTEXT_AUTH') ? { smtpAllowPlaintextAuth: true } : {}),
    ...regionSettings(env),
  };
}

function regionSettings(
  env: Readonly<Record<string, string | undefined>>,
): Pick<WorkerProcessSettings, 'region' | 'roles'> {
  const region = env.LAZARUS_WORKER_REGION?.trim();
  if (region !== undefined && region !== '' && !/^[a-z0-9-]+$/.test(region)) {
    throw new RuntimeConfigError('LAZARUS_WORKER_REGION', `expected a region name (a-z, 0-9, -), got "${region}"`);
  }
  const rawRoles = env.LAZARUS_WORKER_ROLES?.trim();
  let roles: WorkerRole[] | undefined;
  if (rawRoles) {
    const named = rawRoles.split(',').map((role) => role.trim());
    const unknown = named.filter((role) => !workerRoles.includes(role as WorkerRole));
    if (unknown.length > 0 || named.length === 0) {
      throw new RuntimeConfigError('LAZARUS_WORKER_ROLES', `expected decide, act or decide,act, got "${rawRoles}"`);
    }
    roles = [...new Set(named as WorkerRole[])];
  }
  return { ...(region ? { region } : {}), ...(roles ? { roles } : {}) };
}

/** Problem with the worker's region and roles against the deployment, as one line; undefined when they fit. */
export function workerPlacementProblem(
  placement: { region: string; roles: readonly WorkerRole[] },
  deployment: { regions: readonly string[]; controlRealm: string },
): string | undefined {
  if (!deployment.regions.includes(placement.region)) {
    return (
      `LAZARUS_WORKER_REGION: "${placement.region}" is not a region declared in services/deployment.yaml ` +
      `(declared: ${deployment.regions.join(', ')})`
    );
  }
  if (placement.roles.includes('act') && placement.region !== deployment.controlRealm) {
    return (
      `LAZARUS_WORKER_ROLES: act: this worker is in region ${placement.region}, outside the control realm ` +
      `(${deployment.controlRealm}, services/deployment.yaml control_realm); only workers of the control realm act`
    );
  }
  return undefined;
}

function flag(env: Readonly<Record<string, string | undefined>>, variable: string): boolean {
  const raw = env[variable]?.trim().toLowerCase();
  if (!raw || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new RuntimeConfigError(variable, `expected true or false, got "${env[variable]}"`);
}
