// Read-only reads for `lazarus explain --live`: the governors, control, quarantine and lock as they stand, through
// queries and describe only. Nothing is created, counted or changed (a missing entity reads as its empty state).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { emptyControlState, type ControlState } from '../core/control';
import type { RuleQuarantine } from '../core/quarantine';
import {
  controlQuery,
  regionalGovernorQuery,
  serviceGovernorQuery,
  type RegionalGovernorState,
  type ServiceGovernorState,
} from '../contracts/messages';
import { quarantineQuery } from '../contracts/quarantine';
import { controlId, quarantineId, regionalGovernorId, serviceGovernorId } from '../contracts/workflow-ids';

export interface LiveGateState {
  service_governor: ServiceGovernorState | null;
  regional_governor: RegionalGovernorState | null;
  control: ControlState;
  quarantine: RuleQuarantine | null;
  /** The remediation holding the lock, if one runs. */
  lock_holder: { lock: string; running: boolean; started_at?: string } | null;
  read_at: number;
}

export interface ExplainActivities {
  readLiveGates(request: { service: string; region: string; rule?: string; lock: string }): Promise<LiveGateState>;
}

export function createExplainActivities(deps: { client: Client }): ExplainActivities {
  const query = async <T>(
    id: string,
    read: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<T>,
  ): Promise<T | null> => {
    try {
      return await read(deps.client.workflow.getHandle(id));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  };
  return {
    async readLiveGates(request) {
      const [service, region, control, quarantine, lock] = await Promise.all([
        query(serviceGovernorId(request.service), (h) => h.query(serviceGovernorQuery)),
        query(regionalGovernorId(request.region), (h) => h.query(regionalGovernorQuery)),
        query(controlId(request.region), (h) => h.query(controlQuery)),
        request.rule ? query(quarantineId(request.region), (h) => h.query(quarantineQuery)) : Promise.resolve(null),
        query(request.lock, (h) => h.describe()),
      ]);
      return {
        service_governor: service,
        regional_governor: region,
        control: control ?? emptyControlState(request.region),
        quarantine: (request.rule && quarantine?.rules[request.rule]?.quarantine) || null,
        lock_holder: lock
          ? { lock: request.lock, running: lock.status.name === 'RUNNING', started_at: lock.startTime.toISOString() }
          : null,
        read_at: Date.now(),
      };
    },
  };
}
