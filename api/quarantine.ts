// Rule quarantine through the API: read a region's quarantined rules (quarantine/<region>) and release one, the
// caller recorded as the actor (the entity keeps who, when and why).
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { emptyQuarantineState, type QuarantineRelease, type QuarantineState } from '../core/quarantine';
import { quarantineQuery, releaseRuleUpdate } from '../contracts/quarantine';
import { quarantineId } from '../contracts/workflow-ids';
import { callTemporal, within, type ApiDependencies } from './dependencies';
import { ConflictError, InvalidRequestError, NotFoundError } from './errors';

/** The region's rule records (recent runs, quarantine) and the audit of quarantines and releases. */
export async function readQuarantine(deps: ApiDependencies, region: string): Promise<QuarantineState> {
  return await callTemporal(
    quarantineId(region),
    async () => {
      try {
        return await within(deps.temporal, 5000, () =>
          deps.temporal.workflow.getHandle(quarantineId(region)).query(quarantineQuery),
        );
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return emptyQuarantineState(region); // no run reported there yet
        throw err;
      }
    },
    deps.temporal,
  );
}

export function parseRelease(body: unknown): { reason: string } {
  const reason = (body as { reason?: unknown } | undefined)?.reason;
  if (typeof reason !== 'string' || !reason.trim()) {
    throw new InvalidRequestError('reason', 'why the rule is released is required (a non-empty string)');
  }
  return { reason };
}

export async function releaseQuarantine(
  deps: ApiDependencies,
  region: string,
  rule: string,
  reason: string,
  actor: string,
): Promise<QuarantineRelease> {
  return await callTemporal(
    quarantineId(region),
    async () => {
      try {
        return await deps.temporal.workflow
          .getHandle(quarantineId(region))
          .executeUpdate(releaseRuleUpdate, { args: [{ rule, actor, reason }] });
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`quarantined rule ${rule} in ${region}`);
        if (err instanceof WorkflowUpdateFailedError) throw new ConflictError(err.cause?.message ?? err.message);
        throw err;
      }
    },
    deps.temporal,
  );
}
