// Quorum over checker nodes: the same precondition checks run on N nodes (one per availability zone) and the
// remediation goes ahead only when `quorum` of them pass before the deadline and none of them saw a network
// partition instead of a host failure (the rule: docs/partitions.md). A node
// that does not answer in time counts as no.
import type { PreconditionCheck } from './resolved-config';

/** What one checker saw of the event's host (HealthCheckDown). */
export type HostSighting = 'healthy' | 'unhealthy' | 'unreachable' | 'partition_suspected';

export interface CheckResult {
  check: PreconditionCheck;
  passed: boolean;
  /** What the node saw: "3 active hosts, need 2", "unreachable from us-east-1a: ECONNREFUSED", ... */
  detail: string;
  /**
   * HealthCheckDown only: `partition_suspected` when this checker reached neither the host nor any of its zone peers
   * (the host's zone is cut off from the checker's zone, not the host dead).
   */
  host_seen?: HostSighting;
  /** HealthCheckDown only: the availability zone of the event's host. */
  host_zone?: string;
}

export interface NodeAnswer {
  node: string;
  zone: string;
  /** answered: all checks ran (passed or not); silent: no answer by the deadline; error: the checker failed. */
  status: 'answered' | 'silent' | 'error';
  passed: boolean;
  checks: CheckResult[];
  error?: string;
  elapsed_ms?: number;
}

/** `partition`: a checker's evidence is a network partition, not a host failure; nothing may act on it. */
export type QuorumVerdict = 'pending' | 'passed' | 'failed' | 'timeout' | 'partition';

/** The partition the checkers' answers show, named for the trace and the page. */
export interface SuspectedPartition {
  /**
   * zone: a checker reached neither the host nor any host of its zone (the zone is cut off from that checker);
   * host: the host answered healthy to some checkers and not at all to others (cut off from some zones only).
   */
  kind: 'zone' | 'host';
  /** The availability zone of the host (for `zone`: the zone cut off), when known. */
  zone?: string;
  /** Zones of the checkers that could not reach it. */
  unreachable_from: string[];
  /** Zones of the checkers that reached the host and found it healthy. */
  healthy_from: string[];
  /** One line for the trace and the page. */
  summary: string;
}

export interface QuorumResult {
  verdict: Exclude<QuorumVerdict, 'pending'>;
  needed: number;
  passes: number;
  answers: NodeAnswer[];
  /** Set when the verdict is `partition`. */
  partition?: SuspectedPartition;
}

function sightings(answers: readonly NodeAnswer[]): Array<{ zone: string; seen: HostSighting; hostZone?: string }> {
  return answers
    .filter((a) => a.status === 'answered')
    .flatMap((a) =>
      a.checks
        .filter((c) => c.host_seen !== undefined)
        .map((c) => ({ zone: a.zone, seen: c.host_seen!, hostZone: c.host_zone })),
    );
}

/**
 * The partition the answers show, if any:
 * - zone partition: at least one checker reports `partition_suspected` (it reached neither the host nor any of the
 *   host's zone peers);
 * - host partition: at least one checker got a healthy answer from the host while another could not reach it.
 * A host that answered unhealthy (HTTP error) is reachable: that is never partition evidence.
 */
export function suspectedPartition(answers: readonly NodeAnswer[]): SuspectedPartition | undefined {
  const seen = sightings(answers);
  const cutOff = seen.filter((s) => s.seen === 'partition_suspected');
  const unreachable = seen.filter((s) => s.seen === 'unreachable');
  const healthy = seen.filter((s) => s.seen === 'healthy');
  const zone = seen.find((s) => s.hostZone)?.hostZone;
  const zones = (list: typeof seen): string[] => [...new Set(list.map((s) => s.zone))].sort();
  const healthyFrom = zones(healthy);
  const but = healthyFrom.length > 0 ? `; the host answers healthy from ${healthyFrom.join(', ')}` : '';
  if (cutOff.length > 0) {
    const from = zones(cutOff);
    return {
      kind: 'zone',
      zone,
      unreachable_from: from,
      healthy_from: healthyFrom,
      summary: `zone ${zone ?? '(unknown)'} is unreachable from the checkers in ${from.join(', ')} (the host and every host of its zone)${but}`,
    };
  }
  if (unreachable.length > 0 && healthy.length > 0) {
    const from = zones(unreachable);
    return {
      kind: 'host',
      zone,
      unreachable_from: from,
      healthy_from: healthyFrom,
      summary: `the host${zone ? ` (zone ${zone})` : ''} is unreachable from the checkers in ${from.join(', ')}${but}`,
    };
  }
  return undefined;
}

/**
 * Decides as early as the answers allow:
 * - partition as soon as any answer shows a partition (suspectedPartition): a partition is never acted on;
 * - passed once `quorum` nodes passed, except that a pass resting on an unreachable host waits for the nodes still
 *   out (until the deadline), because one of them may see the host healthy or its zone cut off;
 * - failed once too few nodes remain to reach the quorum; timeout when the deadline left nodes silent and the quorum
 *   was not reached.
 */
export function evaluateQuorum(
  answers: readonly NodeAnswer[],
  nodeCount: number,
  quorum: number,
  deadlinePassed: boolean,
): QuorumVerdict {
  if (suspectedPartition(answers)) return 'partition';
  const passing = answers.filter((a) => a.status === 'answered' && a.passed);
  if (passing.length >= quorum) {
    const unreachableOnly = passing.some((a) => a.checks.some((c) => c.host_seen === 'unreachable'));
    const outstanding = !deadlinePassed && answers.length < nodeCount;
    return unreachableOnly && outstanding ? 'pending' : 'passed';
  }
  const stillOpen = deadlinePassed ? 0 : nodeCount - answers.length;
  if (passing.length + stillOpen >= quorum) return 'pending';
  return answers.some((a) => a.status === 'silent') || (deadlinePassed && answers.length < nodeCount)
    ? 'timeout'
    : 'failed';
}
