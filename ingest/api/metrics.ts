// The API's Prometheus metrics, in a registry of its own (one per server, so tests can run several).
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  eventsReceived: Counter<'source'>;
  eventsRejected: Counter<'reason'>;
  workflowsStarted: Counter;
  duplicates: Counter;
  recordsPut: Counter;
  dependencyErrors: Counter<'dependency'>;
  deadLettersReplayed: Counter<'corrected'>;
  requests: Histogram<'route' | 'status'>;
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
      help: 'Requests answered 503 because a dependency could not be reached, by dependency',
      labelNames: ['dependency'],
      registers,
    }),
    deadLettersReplayed: new Counter({
      name: 'lazarus_deadletters_replayed_total',
      help: 'Dead letters replayed by an operator, by whether the payload was corrected (true) or replayed as stored',
      labelNames: ['corrected'],
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
