// The activities a runbook step may name, with the inputs each requires and the outputs it returns.
// The runbook validator checks steps against this catalog; activities/ implements every entry; the names are the
// registered Temporal activity names. Adding a runbook action means adding it here and implementing it there.

export interface CatalogEntry {
  description: string;
  /** Input keys a step must provide. */
  requires: readonly string[];
  /** Input keys a step may provide besides. */
  optional: readonly string[];
  /** Output keys later steps may reference as ${steps.<id>.output.<key>}. */
  outputs: readonly string[];
  /** Kill-switch category this action belongs to. */
  category: 'host_replacement' | 'autoscaling' | 'any';
  /**
   * Long-running (it waits or polls): the activity heartbeats its progress while it runs, and a step running it is
   * scheduled with this heartbeat timeout (ms) unless the step's input sets `heartbeatTimeoutMs`. A worker that dies
   * is noticed after this long instead of at the end of the step's start-to-close timeout.
   */
  heartbeatTimeoutMs?: number;
}

/**
 * Heartbeat timeout of the steps of long-running activities: how long a dead worker can hold a step. At most 30 s;
 * a step may set its own with the input `heartbeatTimeoutMs` (at least `minStepHeartbeatTimeoutMs`).
 */
export const defaultStepHeartbeatTimeoutMs = 20_000;
export const minStepHeartbeatTimeoutMs = 1_000;

/**
 * How many times one attempt of a long-running step is handed to another worker (its worker died or shut down)
 * before the loss counts as a failed attempt of the step. Bounds an activity that kills every worker it runs on.
 */
export const stepWorkerLossLimit = 3;

/**
 * Input key under which a long-running step handed to another worker receives the progress the lost attempt last
 * heartbeated (the workflow adds it; a runbook cannot set it). The activity resumes from it.
 */
export const stepResumeInputKey = 'resumeFrom';
/**
 * The key of a failed escalation's details that carries what it did (the level it raised the page to, whether its
 * note went in): the workflow hands it to the next try as `resumeFrom`, so a retry never raises the level twice.
 */
export const escalationProgressKey = 'escalation_progress';

/**
 * Key of the failure detail in which a long-running activity that failed or was cancelled reports its progress (the
 * target groups it drained, the instance it launched). The runbook keeps it in workflow state: a retry resumes from
 * it, and the compensation of a step stopped half-way undoes what the progress names.
 */
export const stepProgressDetailKey = 'lazarus_progress';

/**
 * Input key under which the runbook gives every step and compensation the event's region (a runbook cannot set it):
 * the action activity calls that region's AWS API and refuses a region that is not declared.
 */
export const stepRegionInputKey = 'region';

/** ApplicationFailure type of an action activity that runs outside the control realm (never retried). */
export const outsideControlRealmFailureType = 'OutsideControlRealm';

/** ApplicationFailure type of a long-running activity stopped by its worker's graceful shutdown (handed back). */
export const workerShutdownFailureType = 'WorkerShutdown';

const longRunning = { heartbeatTimeoutMs: defaultStepHeartbeatTimeoutMs } as const;

export const activityCatalog = {
  drainHost: {
    description: 'Deregister a host from every ELBv2 target group it is in and wait for draining to finish.',
    requires: ['instanceId'],
    optional: ['drainTimeoutMs', 'heartbeatTimeoutMs'],
    outputs: ['targetGroupArns'],
    category: 'host_replacement',
    ...longRunning,
  },
  restoreHost: {
    description: 'Compensation of drainHost: register the host again in the target groups it was drained from.',
    requires: ['instanceId', 'targetGroupArns'],
    optional: [],
    outputs: [],
    category: 'host_replacement',
  },
  cloneHost: {
    description:
      'Launch a replacement with the failed host`s image, type, subnet, security groups, profile and tags; ' +
      'idempotent by idempotencyKey (EC2 ClientToken). Waits until running.',
    requires: ['instanceId', 'idempotencyKey'],
    optional: ['extraTags', 'heartbeatTimeoutMs'],
    outputs: ['instanceId', 'privateIpAddress', 'availabilityZone'],
    category: 'host_replacement',
    ...longRunning,
  },
  terminateHost: {
    description: 'Compensation of cloneHost / launch: terminate a replacement that never went into service.',
    requires: ['instanceId'],
    optional: [],
    outputs: [],
    category: 'any',
  },
  waitHealthy: {
    description: 'Probe a host`s health endpoint until it answers healthy, or fail after timeoutMs.',
    requires: ['instanceId'],
    optional: ['timeoutMs', 'healthPath', 'healthPort', 'intervalMs', 'heartbeatTimeoutMs'],
    outputs: ['latencyMs'],
    category: 'any',
    ...longRunning,
  },
  registerHost: {
    description:
      'Register a host in the given ELBv2 target groups and wait until it is healthy in every one of them ' +
      '(healthyTimeoutMs, default 120 s); a group where it is not fails the step.',
    requires: ['instanceId', 'targetGroupArns'],
    optional: ['healthyTimeoutMs', 'heartbeatTimeoutMs'],
    outputs: [],
    category: 'any',
    ...longRunning,
  },
  deregisterHost: {
    description: 'Compensation of registerHost: take the host out of the given target groups.',
    requires: ['instanceId', 'targetGroupArns'],
    optional: [],
    outputs: [],
    category: 'any',
  },
  keepForensics: {
    description:
      'Keep the failed host for on-call: tag it and take it out of service (stop or isolate); never terminate.',
    requires: ['instanceId', 'remediationId'],
    optional: ['mode', 'isolationSecurityGroupId'],
    outputs: ['mode'],
    category: 'host_replacement',
  },
  promoteStandby: {
    description: 'Put the service`s warm standby host in service in place of the failed host.',
    requires: ['service', 'failedInstanceId'],
    optional: [],
    outputs: ['instanceId', 'targetGroupArns'],
    category: 'host_replacement',
  },
  tagStandby: {
    description: 'Mark a host as the service`s warm standby (out of the load balancer, ready to be promoted).',
    requires: ['instanceId', 'service'],
    optional: [],
    outputs: [],
    category: 'host_replacement',
  },
  waitClusterHealth: {
    description: 'Wait until the service`s cluster (Elasticsearch) reports at least the given status.',
    requires: ['service'],
    optional: ['status', 'timeoutMs', 'heartbeatTimeoutMs'],
    outputs: ['status'],
    category: 'any',
    ...longRunning,
  },
  waitRingJoin: {
    description: 'Wait until a host has joined the service`s Cassandra ring (state UN).',
    requires: ['service', 'instanceId'],
    optional: ['timeoutMs', 'heartbeatTimeoutMs'],
    outputs: [],
    category: 'any',
    ...longRunning,
  },
  launchFromTemplate: {
    description: 'Launch count hosts cloned from a healthy template host of the service; idempotent by idempotencyKey.',
    requires: ['service', 'count', 'idempotencyKey'],
    optional: ['templateInstanceId', 'heartbeatTimeoutMs'],
    outputs: ['instanceIds'],
    category: 'autoscaling',
    ...longRunning,
  },
  waitAllHealthy: {
    description: 'Probe each of several hosts until all are healthy, or fail after timeoutMs.',
    requires: ['instanceIds'],
    optional: ['timeoutMs', 'healthPath', 'healthPort', 'heartbeatTimeoutMs'],
    outputs: [],
    category: 'any',
    ...longRunning,
  },
  registerHosts: {
    description: 'Register several hosts in the service`s target groups.',
    requires: ['service', 'instanceIds'],
    optional: [],
    outputs: ['targetGroupArns'],
    category: 'autoscaling',
  },
  chooseHostsToRetire: {
    description: 'Pick count hosts of the service to retire by policy (newest_first, the default, or oldest_first).',
    requires: ['service', 'count'],
    optional: ['policy', 'minAgeMs', 'runningRemediations'],
    outputs: ['instanceIds', 'skipped'],
    category: 'autoscaling',
  },
  drainHosts: {
    description: 'Deregister several hosts from the service`s target groups and wait for draining.',
    requires: ['instanceIds'],
    optional: ['drainTimeoutMs', 'heartbeatTimeoutMs'],
    outputs: ['targetGroupArns'],
    category: 'autoscaling',
    ...longRunning,
  },
  retireHosts: {
    description: 'Terminate hosts that were drained for scale-down.',
    requires: ['instanceIds'],
    optional: [],
    outputs: [],
    category: 'autoscaling',
  },
} as const satisfies Record<string, CatalogEntry>;

export type RunbookActivityName = keyof typeof activityCatalog;

export function isRunbookActivity(name: string): name is RunbookActivityName {
  return Object.prototype.hasOwnProperty.call(activityCatalog, name);
}

/**
 * The heartbeat timeout (ms) a step of `activity` is scheduled with: the step input's `heartbeatTimeoutMs` when it
 * is a number of at least `minStepHeartbeatTimeoutMs`, else the catalog's default; undefined for an activity that
 * is not long-running (scheduled without a heartbeat timeout).
 */
export function stepHeartbeatTimeoutMs(activity: string, input: unknown): number | undefined {
  if (!isRunbookActivity(activity)) return undefined;
  const entry: CatalogEntry = activityCatalog[activity];
  if (entry.heartbeatTimeoutMs === undefined) return undefined;
  const given = (input as { heartbeatTimeoutMs?: unknown } | null | undefined)?.heartbeatTimeoutMs;
  return typeof given === 'number' && Number.isFinite(given) && given >= minStepHeartbeatTimeoutMs
    ? given
    : entry.heartbeatTimeoutMs;
}
