// The API's Prometheus metrics, in a registry of its own (one per server, so tests can run several), and the gauges
// of a region's breaker and kill switch that /metrics reads from Temporal at scrape time.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { allRegionsName, killSwitchScopes, type ControlState } from '../core/control';
import { readBreaker, readControl } from './controls';
import type { ApiDependencies } from './dependencies';
import { DependencyUnavailableError } from './errors';
import type { RegionalGovernorState } from '../contracts/messages';
import type { QuarantineState } from '../core/quarantine';
import { readQuarantine } from './quarantine';

export interface ApiMetrics {
  registry: Registry;
  eventsReceived: Counter<'source'>;
  eventsRejected: Counter<'reason'>;
  workflowsStarted: Counter;
  duplicates: Counter;
  recordsPut: Counter;
  dependencyErrors: Counter<'dependency'>;
  deadLettersReplayed: Counter<'corrected'>;
  /** Vendor payloads by source, outcome (accepted, ignored, dead_lettered) and reason (format, transition, dead-letter reason). */
  sensorPayloads: Counter<'source' | 'outcome' | 'reason'>;
  requests: Histogram<'route' | 'status'>;
  /** Set by registerStateGauges: forget the cached state (after this API changed a kill switch or shadow). */
  invalidateStateGauges?: () => void;
}

export function createApiMetrics(options: { defaultMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'lazarus_api_' });
  const registers = [registry];
  return {
    registry,
    eventsReceived: new Counter({
      name: 'lazarus_events_received_total',
      help: 'Events received by the API, by source (api, nagios, datadog, aws, ...)',
      labelNames: ['source'],
      registers,
    }),
    eventsRejected: new Counter({
      name: 'lazarus_events_rejected_total',
      help: 'Event submissions rejected, by reason (schema, malformed_payload, not_json, too_large, ...)',
      labelNames: ['reason'],
      registers,
    }),
    workflowsStarted: new Counter({
      name: 'lazarus_workflows_started_total',
      help: 'Remediation workflows started directly by the API (no Kinesis stream configured)',
      registers,
    }),
    duplicates: new Counter({
      name: 'lazarus_event_duplicates_total',
      help: 'Events whose remediation was already started (same incident key)',
      registers,
    }),
    recordsPut: new Counter({
      name: 'lazarus_kinesis_records_put_total',
      help: 'Events put on the Kinesis stream',
      registers,
    }),
    dependencyErrors: new Counter({
      name: 'lazarus_api_dependency_errors_total',
      help:
        'Requests answered 503, and /metrics scrapes that left out the breaker and kill switch gauges, because a ' +
        'dependency could not be reached, by dependency',
      labelNames: ['dependency'],
      registers,
    }),
    deadLettersReplayed: new Counter({
      name: 'lazarus_deadletters_replayed_total',
      help: 'Dead letters replayed by an operator, by whether the payload was corrected (true) or replayed as stored',
      labelNames: ['corrected'],
      registers,
    }),
    sensorPayloads: new Counter({
      name: 'lazarus_sensor_payloads_total',
      help:
        'Vendor payloads on POST /v1/sensors/*, by source (aws, datadog, nagios), outcome (accepted, ignored, ' +
        'dead_lettered) and reason (the format accepted, why ignored, the dead-letter reason)',
      labelNames: ['source', 'outcome', 'reason'],
      registers,
    }),
    requests: new Histogram({
      name: 'lazarus_api_request_duration_seconds',
      help: 'API request duration by route and status',
      labelNames: ['route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
  };
}

/** How long a scrape waits for the governor and control entities before leaving their gauges out. */
export const stateScrapeDeadlineMs = 2000;

/** How long what a scrape read of them is reused by the next scrapes (LAZARUS_API_METRICS_CACHE_SECONDS). */
export const stateCacheMs = 5000;

export interface StateGauges {
  breakerOpen: Gauge<'region'>;
  breakerFailingServices: Gauge<'region'>;
  killSwitchEnabled: Gauge<'region' | 'scope'>;
  ruleQuarantined: Gauge<'region' | 'rule'>;
}

interface RegionState {
  region: string;
  /** undefined: Temporal did not answer; null: no service of the region has failed yet (closed). */
  breaker?: RegionalGovernorState | null;
  control?: ControlState;
  quarantine?: QuarantineState;
}

/**
 * Adds to `metrics` the gauges of each region's breaker (1 open, 0 closed: the breaker has no half-open state) and
 * kill switch (global and each category), read from the regional governor and control entities. A read serves the
 * scrapes of the next `cacheMs` (default 5 s), so scrapers do not query Temporal on every scrape; a kill switch or
 * shadow change made through this API forgets it. What Temporal does not answer within the deadline is left out
 * (for as long as that read is cached) and counted in dependencyErrors; /metrics itself never fails for it.
 */
export function registerStateGauges(
  metrics: ApiMetrics,
  deps: ApiDependencies,
  options: { regions?: readonly string[]; deadlineMs?: number; cacheMs?: number; now?: () => number } = {},
): StateGauges {
  const regions = options.regions ?? [deps.region];
  const read = { deadlineMs: options.deadlineMs ?? stateScrapeDeadlineMs };
  const cacheMs = options.cacheMs ?? stateCacheMs;
  const now = options.now ?? Date.now;
  // prom-client collects the three gauges concurrently: they share one read of Temporal, reused for cacheMs.
  let inFlight: { generation: number; states: Promise<RegionState[]> } | undefined;
  let cached: { at: number; states: RegionState[] } | undefined;
  let generation = 0;
  metrics.invalidateStateGauges = () => {
    cached = undefined;
    generation += 1;
  };
  const readStates = (): Promise<RegionState[]> => {
    if (cached && now() - cached.at < cacheMs) return Promise.resolve(cached.states);
    // a read that began before an invalidation may hold the old state: a scrape after it reads again
    if (inFlight?.generation === generation) return inFlight.states;
    const started = now();
    const mine = { generation, states: readAllRegions() };
    inFlight = mine;
    void mine.states.then((states) => {
      if (mine.generation === generation) cached = { at: started, states };
      if (inFlight === mine) inFlight = undefined;
    });
    return mine.states;
  };
  async function readAllRegions(): Promise<RegionState[]> {
    let failed: string | undefined;
    const left = (error: unknown): undefined => {
      failed ??= error instanceof DependencyUnavailableError ? error.dependency : 'temporal';
      return undefined;
    };
    const states = await Promise.all(
      regions.map(async (region) => {
        const [breaker, control, quarantine] = await Promise.all([
          readBreaker(deps, region, read).catch(left),
          readControl(deps, region, read).catch(left),
          readQuarantine(deps, region).catch(left),
        ]);
        return { region, breaker, control, quarantine };
      }),
    );
    if (failed) metrics.dependencyErrors.inc({ dependency: failed });
    return states;
  }

  const registers = [metrics.registry];
  const breakerOpen: Gauge<'region'> = new Gauge({
    name: 'lazarus_breaker_open',
    help: "The region's circuit breaker: 1 open (remediations refused), 0 closed",
    labelNames: ['region'],
    registers,
    async collect() {
      const states = await readStates();
      breakerOpen.reset();
      for (const { region, breaker } of states) {
        if (breaker !== undefined) breakerOpen.set({ region }, breaker?.state === 'open' ? 1 : 0);
      }
    },
  });
  const breakerFailingServices: Gauge<'region'> = new Gauge({
    name: 'lazarus_breaker_failing_services',
    help: 'Distinct services of the region failing now, as the circuit breaker counts them',
    labelNames: ['region'],
    registers,
    async collect() {
      const states = await readStates();
      breakerFailingServices.reset();
      for (const { region, breaker } of states) {
        if (breaker !== undefined) breakerFailingServices.set({ region }, Object.keys(breaker?.failing ?? {}).length);
      }
    },
  });
  const killSwitchEnabled: Gauge<'region' | 'scope'> = new Gauge({
    name: 'lazarus_killswitch_enabled',
    help: `The region's kill switch by scope (${killSwitchScopes.join(', ')}), and region="${allRegionsName}" the control realm's switch of every region: 1 on, 0 off`,
    labelNames: ['region', 'scope'],
    registers,
    async collect() {
      const states = await readStates();
      killSwitchEnabled.reset();
      for (const { region, control } of states) {
        if (!control) continue;
        for (const scope of killSwitchScopes) {
          killSwitchEnabled.set({ region, scope }, control.kill_switch[scope]?.enabled ? 1 : 0);
        }
      }
      // the control realm's switch of every region, read with each region's
      const all = states.find((state) => state.control?.all_regions)?.control?.all_regions;
      for (const scope of all ? killSwitchScopes : []) {
        killSwitchEnabled.set({ region: allRegionsName, scope }, all?.kill_switch[scope]?.enabled ? 1 : 0);
      }
    },
  });
  const ruleQuarantined: Gauge<'region' | 'rule'> = new Gauge({
    name: 'lazarus_rule_quarantined',
    help: 'Rules quarantined in the region (shadow until an operator releases them): 1 per quarantined rule',
    labelNames: ['region', 'rule'],
    registers,
    async collect() {
      const states = await readStates();
      ruleQuarantined.reset();
      for (const { region, quarantine } of states) {
        for (const record of Object.values(quarantine?.rules ?? {})) {
          if (record.quarantine) ruleQuarantined.set({ region, rule: record.rule }, 1);
        }
      }
    },
  });
  return { breakerOpen, breakerFailingServices, killSwitchEnabled, ruleQuarantined };
}
