// The pool census a scaling decision starts from: how many hosts a service has in service, and how many of them
// are unhealthy right now (no scale-down while any is).
import type { HostFacts } from '../core/host';
import type { PoolCensus } from '../core/scaling';
import type { ProbeOutcome } from './checks';

export interface ScalingDependencies {
  /** The service's hosts in `region` (the event's; absent in requests of older runs: the worker's own). */
  listServiceHosts(service: string, region?: string): Promise<HostFacts[]>;
  probeHost(
    host: HostFacts,
    params: { healthPath?: string; healthPort?: number; timeoutMs?: number },
  ): Promise<ProbeOutcome>;
}

export interface ScalingActivities {
  censusService(request: {
    service: string;
    params: Record<string, string | number | boolean>;
    /** The event's region, whose AWS API is asked. */
    region?: string;
  }): Promise<PoolCensus & { hosts: string[]; unhealthy_hosts: string[] }>;
}

export function createScalingActivities(deps: ScalingDependencies): ScalingActivities {
  return {
    async censusService(request) {
      const hosts = (await deps.listServiceHosts(request.service, request.region)).filter(
        (h) => h.tags['lazarus:role'] !== 'standby',
      );
      const params = {
        healthPath: typeof request.params.health_path === 'string' ? request.params.health_path : undefined,
        healthPort: typeof request.params.health_port === 'number' ? request.params.health_port : undefined,
      };
      const probes = await Promise.all(hosts.map((h) => deps.probeHost(h, params)));
      const unhealthy = hosts.filter((_, i) => probes[i].status !== 'healthy').map((h) => h.instanceId);
      return {
        active: hosts.length,
        unhealthy: unhealthy.length,
        hosts: hosts.map((h) => h.instanceId),
        unhealthy_hosts: unhealthy,
      };
    },
  };
}
