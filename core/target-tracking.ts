// Target tracking with hysteresis: how many hosts a pool should have for its load. The demand sensor turns the
// answer into ScaleUp/ScaleDown events; the remediation workflow still checks and clips every plan.

export interface TargetTrackingSettings {
  /** Load one host should carry (for example requests per second). */
  target_per_host: number;
  /** Dead band around the target, as a fraction: no event while load per host is within ±hysteresis of it. */
  hysteresis: number;
  /** The pool's bounds, when known: a pool at its bound gets no event asking past it. */
  min_hosts?: number;
  max_hosts?: number;
}

export type DemandDecision =
  | { action: 'none'; load_per_host: number; reason: string }
  | { action: 'ScaleUp' | 'ScaleDown'; load_per_host: number; desired: number; delta: number; reason: string };

export function trackTarget(load: number, active: number, settings: TargetTrackingSettings): DemandDecision {
  const perHost = active > 0 ? load / active : Number.POSITIVE_INFINITY;
  const wanted = Math.max(1, Math.ceil(load / settings.target_per_host));
  const desired = Math.min(settings.max_hosts ?? Number.POSITIVE_INFINITY, Math.max(settings.min_hosts ?? 1, wanted));
  const high = settings.target_per_host * (1 + settings.hysteresis);
  const low = settings.target_per_host * (1 - settings.hysteresis);
  const reason = `load ${load} over ${active} hosts = ${Number.isFinite(perHost) ? perHost.toFixed(1) : '∞'} per host, target ${settings.target_per_host} ±${Math.round(settings.hysteresis * 100)}%`;
  if (perHost > high && desired > active) {
    return { action: 'ScaleUp', load_per_host: perHost, desired, delta: desired - active, reason };
  }
  if (perHost < low && desired < active) {
    return { action: 'ScaleDown', load_per_host: perHost, desired, delta: desired - active, reason };
  }
  return { action: 'none', load_per_host: perHost, reason };
}
