// The workflow ids Lazarus derives from the domain. An id is a contract: it deduplicates (one remediation per incident
// key), it is a lock (one runbook per host or service), and it names an entity every client reaches by id.
import type { IncidentKey } from '../core/event';

/** Workflow id of the remediation of an event: the same event delivered twice starts one remediation. */
export function remediationWorkflowId(incidentKey: IncidentKey): string {
  return `event/${incidentKey}`;
}

/** The runbook child's id is its lock: one runbook per host, or per service for service-wide runbooks. */
export function hostLockId(host: string): string {
  return `lock/host/${host}`;
}
export function serviceLockId(service: string): string {
  return `lock/service/${service}`;
}

export function serviceGovernorId(service: string): string {
  return `governor/service/${service}`;
}
export function regionalGovernorId(region: string): string {
  return `governor/region/${region}`;
}
/** The control entity of a region; `controlId(allRegionsName)` is the control realm's all-regions kill switch. */
export function controlId(region: string): string {
  return `control/${region}`;
}
