// Waiting on stateful clusters: an Elasticsearch-style cluster health status and a Cassandra-style ring membership,
// read over HTTP from any running host of the service (the fleet simulator serves both per service).
import { ApplicationFailure } from '@temporalio/activity';
import type { HostFacts, InstanceId } from '../../core';
import { pollUntil, previousHeartbeat, whileHeartbeating } from '../aws/polling';

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

/** What waitClusterHealth and waitRingJoin heartbeat. */
export interface ClusterWaitProgress {
  /** When the wait began (epoch ms). */
  since: number;
  /** The last answer: a cluster status, a ring state, "no answer" or "not in the ring". */
  last: string;
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

  /**
   * Polls `check` for up to timeoutMs, heartbeating { since, last }; an attempt handed to another worker keeps the
   * first attempt's `since`, so the wait still ends timeoutMs after it began.
   */
  async function waitFor<T>(
    input: unknown,
    timeoutMs: number | undefined,
    check: () => Promise<T | undefined>,
    last: () => string,
  ): Promise<T | undefined> {
    const since = previousHeartbeat<ClusterWaitProgress>(input)?.since ?? Date.now();
    const progress = (): ClusterWaitProgress => ({ since, last: last() });
    const left = since + (timeoutMs ?? deps.timeoutMs ?? 600_000) - Date.now();
    return await whileHeartbeating(progress, () => pollUntil(check, { timeoutMs: left, intervalMs, progress }));
  }

  return {
    async waitClusterHealth(input) {
      const { service, status = 'green', timeoutMs } = input;
      const where = `waitClusterHealth(${service}, ${status})`;
      let last: string = 'no answer';
      const reached = await waitFor(
        input,
        timeoutMs,
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
        () => last,
      );
      if (!reached) {
        throw ApplicationFailure.retryable(`${where}: cluster still ${last}`, ClusterFailureType.NotReady);
      }
      return { status: reached };
    },

    async waitRingJoin(input) {
      const { service, instanceId, timeoutMs } = input;
      const where = `waitRingJoin(${service}, ${instanceId})`;
      let last = 'not in the ring';
      const joined = await waitFor(
        input,
        timeoutMs,
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
        () => last,
      );
      if (!joined) throw ApplicationFailure.retryable(`${where}: host is ${last}`, ClusterFailureType.NotReady);
      return {};
    },
  };
}
