// The demand sensor: reads each service's load metric and pool size, and emits ScaleUp/ScaleDown events by target
// tracking with hysteresis. It only proposes: the remediation workflow checks, clips and may refuse every plan. One
// event per service at a time: while the service's last scaling remediation runs, the sensor waits.
import type { LazarusEvent } from '../../core/event';
import { trackTarget, type DemandDecision, type TargetTrackingSettings } from '../../core/target-tracking';

export interface TrackedService extends TargetTrackingSettings {
  service: string;
  /** Quiet time after an action completes before the next event (the service's scaling cooldown). */
  cooldown_ms?: number;
}

export interface DemandSensorDependencies {
  services: TrackedService[];
  region: string;
  environment: LazarusEvent['environment'];
  readLoad(service: string): Promise<number>;
  /** Hosts in service (running, not standby). */
  countActive(service: string): Promise<number>;
  /** Starts the remediation of an event; returns a promise of its end (the sensor waits for it). */
  submit(event: LazarusEvent): Promise<{ done: Promise<unknown> }>;
  now?: () => number;
}

export interface DemandReading {
  service: string;
  load?: number;
  active?: number;
  decision?: DemandDecision;
  submitted?: string;
  skipped?: string;
  error?: string;
}

export interface DemandSensor {
  /** One reading of every service; emits events where the load calls for it. */
  tick(): Promise<DemandReading[]>;
  /** Resolves when no event the sensor emitted is still being remediated. */
  idle(): Promise<void>;
}

export function createDemandSensor(deps: DemandSensorDependencies): DemandSensor {
  const now = deps.now ?? Date.now;
  const inFlight = new Map<string, Promise<unknown>>();
  const quietUntil = new Map<string, number>();
  const readOne = async (tracked: TrackedService): Promise<DemandReading> => {
    if (inFlight.has(tracked.service)) return { service: tracked.service, skipped: 'a scaling remediation is running' };
    if ((quietUntil.get(tracked.service) ?? 0) > now()) return { service: tracked.service, skipped: 'cooldown' };
    try {
      const [load, active] = await Promise.all([deps.readLoad(tracked.service), deps.countActive(tracked.service)]);
      const decision = trackTarget(load, active, tracked);
      if (decision.action === 'none') return { service: tracked.service, load, active, decision };
      const at = now();
      const event: LazarusEvent = {
        incident_key: `demand/${tracked.service}/${decision.action}/${at}`,
        event_type: decision.action,
        source: 'api',
        service: tracked.service,
        region: deps.region,
        environment: deps.environment,
        occurred_at: new Date(at).toISOString(),
        details: {
          delta: decision.delta,
          target: decision.desired,
          reason: decision.reason,
          metric: 'load',
          value: load,
        },
      };
      const { done } = await deps.submit(event);
      const settled = done
        .catch(() => undefined)
        .finally(() => {
          inFlight.delete(tracked.service);
          quietUntil.set(tracked.service, now() + (tracked.cooldown_ms ?? 0));
        });
      inFlight.set(tracked.service, settled);
      return { service: tracked.service, load, active, decision, submitted: event.incident_key };
    } catch (err) {
      return { service: tracked.service, error: err instanceof Error ? err.message : String(err) };
    }
  };
  return {
    tick: () => Promise.all(deps.services.map(readOne)),
    idle: async () => {
      await Promise.all([...inFlight.values()]);
    },
  };
}
