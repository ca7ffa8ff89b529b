// The locks of one service, held by its governor: a host lock per host being remediated, or one service lock. A
// service lock excludes every host lock of the service and the reverse, so a host replacement and a scale event of
// one service never run at once; two host locks of different hosts do not exclude each other.

export interface LockGrant {
  /** The lock's id: the runbook child's workflow id, `lock/host/<id>` or `lock/service/<svc>`. */
  lock_id: string;
  scope: 'host' | 'service';
  /** The remediation (workflow id) holding it. */
  holder: string;
  at: number;
}

export type LockRequest = Omit<LockGrant, 'at'>;

/** The grants that keep `request` from being granted: the same lock held by another, or a lock of the other scope. */
export function lockConflicts(grants: readonly LockGrant[], request: LockRequest): LockGrant[] {
  return grants.filter((g) => {
    if (g.holder === request.holder) return false;
    if (g.lock_id === request.lock_id) return true;
    return g.scope !== request.scope || request.scope === 'service';
  });
}

/** Grants `request` if nothing conflicts (idempotent for its holder); returns the new grants and what conflicts. */
export function acquireLock(
  grants: readonly LockGrant[],
  request: LockRequest,
  now: number,
): { granted: boolean; grants: LockGrant[]; conflicts: LockGrant[] } {
  const conflicts = lockConflicts(grants, request);
  if (conflicts.length > 0) return { granted: false, grants: [...grants], conflicts };
  const mine = grants.some((g) => g.holder === request.holder && g.lock_id === request.lock_id);
  return { granted: true, grants: mine ? [...grants] : [...grants, { ...request, at: now }], conflicts: [] };
}

/** Releases what `holder` holds (one lock, or every lock of the holder without `lock_id`). */
export function releaseLock(grants: readonly LockGrant[], holder: string, lockId?: string): LockGrant[] {
  return grants.filter((g) => !(g.holder === holder && (lockId === undefined || g.lock_id === lockId)));
}
