// The precondition checks one checker node runs from its own availability zone. The same activity runs on every
// checker task queue (lazarus-checker-<zone>); the workflow needs a quorum of them to pass. A checker that cannot
// reach the sick host nor any host of its zone reports "partition suspected", not "down" (docs/partitions.md).
import type { HostFacts } from '../core/host';
import type { LazarusEvent } from '../core/event';
import type { CheckResult, NodeAnswer } from '../core/quorum';
import type { ResolvedPrecondition } from '../core/resolved-config';

export interface ProbeOutcome {
  status: 'healthy' | 'unhealthy' | 'unreachable';
  url: string;
  error?: string;
  httpStatus?: number;
}

export interface CheckerDependencies {
  node: string;
  zone: string;
  /** Running hosts of a service. */
  listServiceHosts(service: string): Promise<HostFacts[]>;
  /** Probe a host's health endpoint from this node's zone. */
  probeHost(
    host: HostFacts,
    params: { zone: string; healthPath?: string; healthPort?: number; timeoutMs?: number },
  ): Promise<ProbeOutcome>;
}

export interface PreconditionRequest {
  event: LazarusEvent;
  preconditions: ResolvedPrecondition[];
  /** Service parameters (health_path, health_port, ...). */
  params: Record<string, string | number | boolean>;
}

export interface CheckerActivities {
  checkPreconditions(request: PreconditionRequest): Promise<NodeAnswer>;
}

export function createCheckerActivities(deps: CheckerDependencies): CheckerActivities {
  return {
    async checkPreconditions(request: PreconditionRequest): Promise<NodeAnswer> {
      const started = Date.now();
      const hosts = await deps.listServiceHosts(request.event.service);
      const probeParams = {
        zone: deps.zone,
        healthPath: typeof request.params.health_path === 'string' ? request.params.health_path : undefined,
        healthPort: typeof request.params.health_port === 'number' ? request.params.health_port : undefined,
      };
      const probes = new Map<string, Promise<ProbeOutcome>>();
      const probe = (host: HostFacts): Promise<ProbeOutcome> => {
        let p = probes.get(host.instanceId);
        if (!p) probes.set(host.instanceId, (p = deps.probeHost(host, probeParams)));
        return p;
      };
      const checks: CheckResult[] = [];
      for (const precondition of request.preconditions) {
        checks.push(await runCheck(precondition, request.event, hosts, probe, deps.zone));
      }
      return {
        node: deps.node,
        zone: deps.zone,
        status: 'answered',
        passed: checks.every((c) => c.passed),
        checks,
        elapsed_ms: Date.now() - started,
      };
    },
  };
}

async function runCheck(
  precondition: ResolvedPrecondition,
  event: LazarusEvent,
  hosts: HostFacts[],
  probe: (host: HostFacts) => Promise<ProbeOutcome>,
  checkerZone: string,
): Promise<CheckResult> {
  const { check, params } = precondition;
  const others = hosts.filter((h) => h.instanceId !== event.host);
  switch (check) {
    case 'MinActiveHosts': {
      // The hosts that stay in service while this one is replaced.
      const min = Number(params.min ?? 2);
      return {
        check,
        passed: others.length >= min,
        detail: `${others.length} other active hosts, need at least ${min}`,
      };
    }
    case 'MaxActiveHosts': {
      const max = Number(params.max ?? Number.MAX_SAFE_INTEGER);
      return { check, passed: hosts.length <= max, detail: `${hosts.length} active hosts, at most ${max}` };
    }
    case 'HealthCheckDown': {
      const host = hosts.find((h) => h.instanceId === event.host);
      if (!event.host) return { check, passed: false, detail: 'the event names no host' };
      if (!host) return { check, passed: false, detail: `${event.host} is not a running host of ${event.service}` };
      const seen = await probe(host);
      const where = { host_zone: host.availabilityZone };
      const said = `${event.host} is ${seen.status}${seen.httpStatus ? ` (HTTP ${seen.httpStatus})` : ''}${seen.error ? ` (${seen.error})` : ''}`;
      if (seen.status !== 'unreachable') {
        return { check, passed: seen.status !== 'healthy', detail: said, host_seen: seen.status, ...where };
      }
      // No answer at all: a dead host, or a network between this checker and the host's zone that is down. The host's
      // zone peers tell them apart: if this checker reaches none of them either, it is the zone that is cut off.
      const zonePeers = host.availabilityZone
        ? hosts.filter((h) => h.instanceId !== host.instanceId && h.availabilityZone === host.availabilityZone)
        : [];
      if (zonePeers.length === 0) {
        const why = host.availabilityZone ? `no other host in ${host.availabilityZone}` : 'its zone is not known';
        return {
          check,
          passed: true,
          detail: `${said}; ${why} to tell a partition from a dead host`,
          host_seen: 'unreachable',
          ...where,
        };
      }
      const peers = await Promise.all(zonePeers.map(probe));
      const reached = peers.filter((p) => p.status !== 'unreachable').length;
      if (reached === 0) {
        return {
          check,
          passed: false,
          detail:
            `partition suspected: ${event.host} and all ${zonePeers.length} other hosts of ${event.service} in ` +
            `${host.availabilityZone} are unreachable from ${checkerZone}`,
          host_seen: 'partition_suspected',
          ...where,
        };
      }
      return {
        check,
        passed: true,
        detail: `${said}; ${reached} of ${zonePeers.length} other hosts in ${host.availabilityZone} answer from ${checkerZone}`,
        host_seen: 'unreachable',
        ...where,
      };
    }
    case 'PeerCheck': {
      // A host-level fault, not a service-wide one: its peers must be healthy, within a tolerance.
      const tolerance = Number(params.tolerance ?? 0);
      if (others.length === 0) return { check, passed: false, detail: 'no peers to compare with' };
      const seen = await Promise.all(others.map(probe));
      const unhealthy = seen.filter((s) => s.status !== 'healthy').length;
      const fraction = unhealthy / others.length;
      return {
        check,
        passed: fraction <= tolerance,
        detail: `${unhealthy} of ${others.length} peers unhealthy (${Math.round(fraction * 100)}%), tolerance ${Math.round(tolerance * 100)}%`,
      };
    }
  }
}
