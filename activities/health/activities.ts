// Verify steps: probe hosts until they answer healthy. The emulator's ELB target health is always "healthy", so the
// truth comes from the probe.
import type { EC2Client } from '@aws-sdk/client-ec2';
import { ApplicationFailure } from '@temporalio/activity';
import type { InstanceId } from '../../core';
import { createEc2Activities } from '../aws/ec2';
import { pollUntil, previousHeartbeat, whileHeartbeating } from '../aws/polling';
import { probeHost, type ProbeResult } from './probe';

export const HealthFailureType = {
  /** The host did not answer healthy within the step's timeout (retryable: the policy decides). */
  NotHealthy: 'HostNotHealthy',
} as const;

export interface HealthDependencies {
  ec2: EC2Client;
  /** Defaults when a step gives none. */
  timeoutMs?: number;
  intervalMs?: number;
  probeTimeoutMs?: number;
  healthPort?: number;
  healthPath?: string;
}

export interface WaitHealthyInput {
  instanceId: InstanceId;
  timeoutMs?: number;
  healthPath?: string;
  healthPort?: number;
  intervalMs?: number;
}

export interface WaitAllHealthyInput {
  instanceIds: InstanceId[];
  timeoutMs?: number;
  healthPath?: string;
  healthPort?: number;
}

/** What waitHealthy and waitAllHealthy heartbeat. */
export interface HealthWaitProgress {
  /** When the wait began (epoch ms). */
  since: number;
  /** Each host's last probe: healthy, unhealthy or unreachable. */
  statuses: Record<InstanceId, string>;
}

export interface HealthActivities {
  waitHealthy(input: WaitHealthyInput): Promise<{ latencyMs: number }>;
  waitAllHealthy(input: WaitAllHealthyInput): Promise<Record<string, never>>;
  /** One probe of one host (for checkers and demos). */
  probeInstance(input: {
    instanceId: InstanceId;
    healthPath?: string;
    healthPort?: number;
    zone?: string;
  }): Promise<ProbeResult>;
}

export function createHealthActivities(deps: HealthDependencies): HealthActivities {
  const ec2Activities = createEc2Activities({ ec2: deps.ec2 });

  /**
   * Heartbeats { since, statuses }: when the wait began and each host's last probe. An attempt handed to another
   * worker keeps the first attempt's `since`, so the wait still ends timeoutMs after it began.
   */
  async function waitAll(
    instanceIds: InstanceId[],
    options: { timeoutMs?: number; intervalMs?: number; healthPath?: string; healthPort?: number },
    where: string,
    input: unknown,
  ): Promise<ProbeResult[]> {
    const timeoutMs = options.timeoutMs ?? deps.timeoutMs ?? 300_000;
    const params = {
      timeoutMs: deps.probeTimeoutMs ?? 2000,
      healthPath: options.healthPath ?? deps.healthPath,
      healthPort: options.healthPort ?? deps.healthPort,
    };
    const since = previousHeartbeat<HealthWaitProgress>(input)?.since ?? Date.now();
    const last = new Map<InstanceId, ProbeResult>();
    const progress = (): HealthWaitProgress => ({
      since,
      statuses: Object.fromEntries([...last].map(([id, r]) => [id, r.status])),
    });
    const healthy = await whileHeartbeating(progress, () =>
      pollUntil(
        async () => {
          // Described every round: a freshly launched host may get its health-url tag or address after launch.
          const hosts = await Promise.all(instanceIds.map((id) => ec2Activities.describeInstance(id)));
          const results = await Promise.all(hosts.map((h) => probeHost(h, params)));
          results.forEach((r, i) => last.set(hosts[i].instanceId, r));
          return results.every((r) => r.status === 'healthy') ? results : undefined;
        },
        {
          timeoutMs: since + timeoutMs - Date.now(),
          intervalMs: options.intervalMs ?? deps.intervalMs ?? 2000,
          progress,
        },
      ),
    );
    if (!healthy) {
      const summary = [...last].map(
        ([id, r]) =>
          `${id} ${r.status}${r.httpStatus ? ` (HTTP ${r.httpStatus})` : ''}${r.error ? ` (${r.error})` : ''} at ${r.url}`,
      );
      throw ApplicationFailure.retryable(
        `${where}: not healthy after ${timeoutMs} ms: ${summary.join('; ')}`,
        HealthFailureType.NotHealthy,
      );
    }
    return healthy;
  }

  return {
    async waitHealthy(input) {
      const { instanceId, ...options } = input;
      const [result] = await waitAll([instanceId], options, `waitHealthy(${instanceId})`, input);
      return { latencyMs: result.latencyMs };
    },
    async waitAllHealthy(input) {
      const { instanceIds, ...options } = input;
      await waitAll(instanceIds, options, `waitAllHealthy(${instanceIds.join(',')})`, input);
      return {};
    },
    async probeInstance({ instanceId, ...params }) {
      const host = await ec2Activities.describeInstance(instanceId);
      return await probeHost(host, { ...params, timeoutMs: deps.probeTimeoutMs ?? 2000 });
    },
  };
}
