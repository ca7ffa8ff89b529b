// Waiting on stateful clusters: an Elasticsearch-style cluster health status and a Cassandra-style ring membership,
// read over HTTP from any running host of the service (the fleet simulator serves both per service).
import { ApplicationFailure } from '@temporalio/activity';
import type { HostFacts, InstanceId } from '../../core';
import { pollUntil } from '../aws/polling';

export type ClusterStatus = 'red' | 'yellow' | 'green';
const rank: Record<ClusterStatus, number> = { red: 0, yellow: 1, green: 2 };

export const ClusterFailureType = {
  /** The cluster did not reach the wanted status, or the host did not join the ring, in time (retryable). */
  NotReady: 'ClusterNotReady',
  NoHosts: 'ClusterHasNoHosts',
} as const;

export interface ClusterDependencies {
  listServiceHosts: (service: string) => Promise<HostFacts[]>;
  /** Used when a host has no lazarus:cluster-health-url tag: http://<ip>:9200/_cluster/health. */
  clusterHealthPort?: number;
  /** Used when a host has no lazarus:ring-url tag: http://<ip>:<ringPort>/ring. */
  ringPort?: number;
  timeoutMs?: number;
  intervalMs?: number;
  requestTimeoutMs?: number;
}

export interface ClusterActivities {
  waitClusterHealth(input: {
    service: string;
    status?: ClusterStatus;
    timeoutMs?: number;
  }): Promise<{ status: ClusterStatus }>;
  waitRingJoin(input: { service: string; instanceId: InstanceId; timeoutMs?: number }): Promise<Record<string, never>>;
}

interface RingNode {
  instanceId?: string;
  address?: string;
  state?: string;
}

export function createClusterActivities(deps: ClusterDependencies): ClusterActivities {
  const intervalMs = deps.intervalMs ?? 2000;
  const requestTimeoutMs = deps.requestTimeoutMs ?? 2000;

  /** The first answer any running host of the service gives, or undefined if none answers. */
  async function askService<T>(
    service: string,
    urlOf: (host: HostFacts) => string,
    where: string,
  ): Promise<T | undefined> {
    const hosts = (await deps.listServiceHosts(service)).filter((h) => h.state === 'running');
    if (hosts.length === 0) {
      throw ApplicationFailure.retryable(
        `${where}: the service has no running host to ask`,
        ClusterFailureType.NoHosts,
      );
    }
    for (const host of hosts) {
      try {
        const res = await fetch(urlOf(host), { signal: AbortSignal.timeout(requestTimeoutMs) });
        if (res.ok) return (await res.json()) as T;
        await res.arrayBuffer();
      } catch {
        // try the next host
      }
    }
    return undefined;
  }

  return {
    async waitClusterHealth({ service, status = 'green', timeoutMs }) {
      const where = `waitClusterHealth(${service}, ${status})`;
      let last: string = 'no answer';
      const reached = await pollUntil(
        async () => {
          const answer = await askService<{ status?: ClusterStatus }>(
            service,
            (h) =>
              h.tags['lazarus:cluster-health-url'] ??
              `http://${h.privateIpAddress}:${deps.clusterHealthPort ?? 9200}/_cluster/health`,
            where,
          );
          last = answer?.status ?? 'no answer';
          return answer?.status && rank[answer.status] >= rank[status] ? answer.status : undefined;
        },
        { timeoutMs: timeoutMs ?? deps.timeoutMs ?? 600_000, intervalMs, progress: () => ({ last }) },
      );
      if (!reached) {
        throw ApplicationFailure.retryable(`${where}: cluster still ${last}`, ClusterFailureType.NotReady);
      }
      return { status: reached };
    },

    async waitRingJoin({ service, instanceId, timeoutMs }) {
      const where = `waitRingJoin(${service}, ${instanceId})`;
      let last = 'not in the ring';
      const joined = await pollUntil(
        async () => {
          const answer = await askService<{ nodes?: RingNode[] }>(
            service,
            (h) => h.tags['lazarus:ring-url'] ?? `http://${h.privateIpAddress}:${deps.ringPort ?? 7199}/ring`,
            where,
          );
          const node = answer?.nodes?.find((n) => n.instanceId === instanceId);
          last = node?.state ?? 'not in the ring';
          return node?.state === 'UN' ? true : undefined;
        },
        { timeoutMs: timeoutMs ?? deps.timeoutMs ?? 600_000, intervalMs, progress: () => ({ last }) },
      );
      if (!joined) throw ApplicationFailure.retryable(`${where}: host is ${last}`, ClusterFailureType.NotReady);
      return {};
    },
  };
}
