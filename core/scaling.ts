// Scaling plans: what a ScaleUp or ScaleDown event may do to a pool, checked before anything acts. The guards make
// the day a pool was scaled up by forty hosts instead of down impossible: a ScaleDown never adds, a ScaleUp never
// removes, a plan of the wrong sign is refused, and every plan is clipped to the step and the pool's bounds.

export interface ScalingLimits {
  min_hosts: number;
  max_hosts: number;
  max_step: number;
  cooldown_ms: number;
}

export interface PoolCensus {
  /** Running hosts of the service (standbys excluded). */
  active: number;
  /** Of those, the ones whose health endpoint is not healthy. */
  unhealthy: number;
}

export interface ScalingRequest {
  direction: 'up' | 'down';
  /** Signed change asked for (`details.delta`): positive adds hosts, negative removes. */
  delta?: number;
  /** Pool size asked for (`details.target`). */
  target?: number;
}

export type ScalingPlan =
  | {
      verdict: 'act';
      direction: 'up' | 'down';
      /** Hosts to add or remove (positive). */
      count: number;
      asked: number;
      from: number;
      to: number;
      /** Why the count is smaller than asked, one entry per limit applied. */
      clipped_by: string[];
    }
  | { verdict: 'refuse'; kind: 'wrong_sign' | 'nothing_to_do' | 'unhealthy_pool' | 'bad_request'; reason: string }
  | { verdict: 'cooldown'; reason: string; wait_ms: number };

/** Reads delta/target from an event's details; absent or non-numeric values are left out. */
export function scalingRequestFrom(
  direction: 'up' | 'down',
  details: Record<string, unknown> | undefined,
): ScalingRequest {
  const number = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return { direction, delta: number(details?.delta), target: number(details?.target) };
}

export function planScaling(
  request: ScalingRequest,
  census: PoolCensus,
  limits: ScalingLimits,
  lastActionAt: number | undefined,
  now: number,
): ScalingPlan {
  if (lastActionAt !== undefined && now - lastActionAt < limits.cooldown_ms) {
    const wait = limits.cooldown_ms - (now - lastActionAt);
    return {
      verdict: 'cooldown',
      wait_ms: wait,
      reason: `last scaling action ${Math.round((now - lastActionAt) / 1000)} s ago, cooldown ${limits.cooldown_ms / 1000} s`,
    };
  }
  const asked =
    request.target !== undefined ? request.target - census.active : request.delta !== undefined ? request.delta : NaN;
  if (!Number.isInteger(asked)) {
    return {
      verdict: 'refuse',
      kind: 'bad_request',
      reason: 'the event gives no whole details.delta or details.target',
    };
  }
  const sign = request.direction === 'up' ? 1 : -1;
  // ScaleDown events may state their delta as a positive count of hosts to remove; a target always has a sign.
  const signed = request.target === undefined && request.direction === 'down' && asked > 0 ? -asked : asked;
  if (signed * sign < 0) {
    return {
      verdict: 'refuse',
      kind: 'wrong_sign',
      reason: `a Scale${request.direction === 'up' ? 'Up' : 'Down'} that would ${signed > 0 ? 'add' : 'remove'} ${Math.abs(signed)} hosts (pool ${census.active}) is refused`,
    };
  }
  if (request.direction === 'down' && census.unhealthy > 0) {
    return {
      verdict: 'refuse',
      kind: 'unhealthy_pool',
      reason: `${census.unhealthy} of ${census.active} hosts are unhealthy: no scale-down while the service has failing hosts`,
    };
  }
  const clipped_by: string[] = [];
  let count = Math.abs(signed);
  if (count > limits.max_step) {
    clipped_by.push(`max_step ${limits.max_step} (asked ${count})`);
    count = limits.max_step;
  }
  if (request.direction === 'up' && census.active + count > limits.max_hosts) {
    const allowed = Math.max(0, limits.max_hosts - census.active);
    clipped_by.push(`max_hosts ${limits.max_hosts} (pool ${census.active})`);
    count = allowed;
  }
  if (request.direction === 'down' && census.active - count < limits.min_hosts) {
    const allowed = Math.max(0, census.active - limits.min_hosts);
    clipped_by.push(`min_hosts ${limits.min_hosts} (pool ${census.active})`);
    count = allowed;
  }
  if (count === 0) {
    return {
      verdict: 'refuse',
      kind: 'nothing_to_do',
      reason: `nothing to do: pool ${census.active}, ${clipped_by.join(', ') || 'no change asked'}`,
    };
  }
  return {
    verdict: 'act',
    direction: request.direction,
    count,
    asked: Math.abs(signed),
    from: census.active,
    to: census.active + sign * count,
    clipped_by,
  };
}

/** A host a scale-down may retire, as the EC2 describe sees it. */
export interface RetireCandidate {
  instanceId: string;
  /** Launch time, epoch ms. */
  launched: number;
  tags: Record<string, string>;
}

export interface RetireChoice {
  instanceIds: string[];
  /** Hosts left out and why (young, launched by a remediation still running, protected). */
  skipped: Array<{ instanceId: string; reason: string }>;
}

/**
 * Which hosts a scale-down retires: never one younger than the verification window (`minAgeMs`: a clone that has
 * just booted is not yet proven, and the remediation that launched it may still be verifying it), never one launched
 * by a remediation still running (`running`: workflow ids of the service's running remediations, matched against the
 * `lazarus:remediation` tag), never a protected one (`protect` says why). Then newest or oldest first.
 */
export function chooseRetirees(
  candidates: readonly RetireCandidate[],
  request: {
    count: number;
    policy: 'newest_first' | 'oldest_first';
    now: number;
    minAgeMs: number;
    running?: readonly string[];
    protect?: (c: RetireCandidate) => string | undefined;
  },
): RetireChoice {
  const skipped: RetireChoice['skipped'] = [];
  const running = request.running ?? [];
  const eligible = candidates.filter((c) => {
    const launchedBy = c.tags['lazarus:remediation'];
    const reason =
      request.protect?.(c) ??
      (launchedBy !== undefined && running.some((id) => launchedBy === id || launchedBy.startsWith(`${id}/`))
        ? `launched by running remediation ${launchedBy}`
        : request.now - c.launched < request.minAgeMs
          ? `launched ${Math.round((request.now - c.launched) / 1000)} s ago, inside the verification window of ${Math.round(request.minAgeMs / 1000)} s`
          : undefined);
    if (reason) skipped.push({ instanceId: c.instanceId, reason });
    return reason === undefined;
  });
  eligible.sort((a, b) => a.launched - b.launched || a.instanceId.localeCompare(b.instanceId));
  if (request.policy === 'newest_first') eligible.reverse();
  return { instanceIds: eligible.slice(0, Math.max(0, request.count)).map((c) => c.instanceId), skipped };
}
