// One HTTP health probe: healthy (2xx), unhealthy (answered, not OK) or unreachable (no answer in time), with latency.
import type { HostFacts } from '../../core';
import { LazarusTag } from '../aws/tags';

export type ProbeStatus = 'healthy' | 'unhealthy' | 'unreachable';

export interface ProbeResult {
  status: ProbeStatus;
  url: string;
  latencyMs: number;
  /** HTTP status when the host answered. */
  httpStatus?: number;
  /** Why the host was unreachable (connection refused, timeout, ...). */
  error?: string;
}

export interface ProbeParams {
  /** Default 2000: a health endpoint that needs longer is unhealthy for our purpose. */
  timeoutMs?: number;
  /** Used when the host has no lazarus:health-url tag. Defaults: port 80, path /health. */
  healthPort?: number;
  healthPath?: string;
  /**
   * The availability zone the probe is sent from (the checker's zone). Sent as the `X-Lazarus-Zone` header so the
   * fleet simulator can play a partition; real hosts ignore it.
   */
  zone?: string;
}

export const zoneHeader = 'X-Lazarus-Zone';

/** The health URL of a host: its lazarus:health-url tag (the simulator sets it), else http://<ip>:<port><path>. */
export function healthUrlOf(host: HostFacts, params: Pick<ProbeParams, 'healthPath' | 'healthPort'> = {}): string {
  const tagged = host.tags[LazarusTag.healthUrl];
  if (tagged) return tagged;
  const path = params.healthPath ?? '/health';
  return `http://${host.privateIpAddress ?? host.instanceId}:${params.healthPort ?? 80}${path.startsWith('/') ? path : `/${path}`}`;
}

export async function probeUrl(
  url: string,
  params: Pick<ProbeParams, 'timeoutMs' | 'zone'> = {},
): Promise<ProbeResult> {
  const started = performance.now();
  const latency = (): number => Math.round((performance.now() - started) * 10) / 10;
  try {
    const res = await fetch(url, {
      signal: AbortSignal.timeout(params.timeoutMs ?? 2000),
      headers: params.zone ? { [zoneHeader]: params.zone } : {},
      redirect: 'manual',
    });
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.ok ? 'healthy' : 'unhealthy', url, latencyMs: latency(), httpStatus: res.status };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reason = (err as Error).name === 'TimeoutError' ? 'timeout' : (cause?.code ?? cause?.message ?? String(err));
    return { status: 'unreachable', url, latencyMs: latency(), error: reason };
  }
}

/** Probe a host's health endpoint once. */
export async function probeHost(host: HostFacts, params: ProbeParams = {}): Promise<ProbeResult> {
  return await probeUrl(healthUrlOf(host, params), params);
}
