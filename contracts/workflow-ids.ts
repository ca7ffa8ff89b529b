// The workflow ids Lazarus derives from the domain. An id is a contract: it deduplicates (one remediation per incident
// key), it is a lock (one runbook per host or service), and it names an entity every client reaches by id.
import type { IncidentKey } from '../core/event';

/** Workflow id of the remediation of an event: the same event delivered twice starts one remediation. */
export function remediationWorkflowId(incidentKey: IncidentKey): string {
  return `event/${incidentKey}`;
}

/** The runbook child's id is its lock: one runbook per host, or per service for service-wide runbooks. */
// `prefix`: the sandbox of a replay drill (drillEntityPrefix), empty in production; see entityPrefixOf.
export function hostLockId(host: string, prefix = ''): string {
  return `${prefix}lock/host/${host}`;
}
export function serviceLockId(service: string, prefix = ''): string {
  return `${prefix}lock/service/${service}`;
}

export function serviceGovernorId(service: string, prefix = ''): string {
  return `${prefix}governor/service/${service}`;
}
export function regionalGovernorId(region: string, prefix = ''): string {
  return `${prefix}governor/region/${region}`;
}
/** The control entity of a region; `controlId(allRegionsName)` is the control realm's all-regions kill switch. */
export function controlId(region: string, prefix = ''): string {
  return `${prefix}control/${region}`;
}

/** The rule-quarantine entity of a region: each rule's recent runbook outcomes and its quarantine (shadow) state. */
export function quarantineId(region: string, prefix = ''): string {
  return `${prefix}quarantine/${region}`;
}

/** A replay drill's own workflow; every workflow of the drill (remediations, locks, entities) lives under its prefix. */
export function drillWorkflowId(drillId: string): string {
  return `drill/${drillId}`;
}
export function drillEntityPrefix(drillId: string): string {
  return `drill/${drillId}/`;
}

/**
 * The sandbox prefix of a workflow id ("drill/<id>/" for the workflows of a replay drill, "" otherwise), so a drill's
 * remediation takes its lock and talks to its governors under the same prefix and never to production's.
 */
export function entityPrefixOf(workflowId: string): string {
  const match = /^drill\/[^/]+\//.exec(workflowId);
  return match ? match[0] : '';
}

/** The drill id of a workflow of a drill, or undefined for a production workflow. */
export function drillIdOf(workflowId: string): string | undefined {
  return /^drill\/([^/]+)\//.exec(workflowId)?.[1];
}

/** Task queue of the drill worker (dry-run activities): the main queue's name with `-drill`. */
export function drillTaskQueue(mainTaskQueue: string): string {
  return `${mainTaskQueue}-drill`;
}
