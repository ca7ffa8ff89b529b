// The bridge process's Prometheus metrics (its own registry, served by the bridge process).
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface BridgeMetrics {
  registry: Registry;
  records: Counter<'stream' | 'result'>;
  eventsReceived: Counter<'source'>;
  deadLetters: Counter<'stream' | 'reason'>;
  lag: Gauge<'stream' | 'shard'>;
  checkpoint: Gauge<'stream' | 'shard'>;
  reads: Counter<'stream' | 'shard'>;
  readErrors: Counter<'stream' | 'kind'>;
  temporalRetries: Counter<'stream'>;
  shardsOwned: Gauge<'stream'>;
}

export function createBridgeMetrics(options: { defaultMetrics?: boolean } = {}): BridgeMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'lazarus_bridge_' });
  const registers = [registry];
  return {
    registry,
    records: new Counter({
      name: 'lazarus_bridge_records_total',
      help: 'Stream records handled, by result: started (a remediation), duplicate (already started), dead_letter',
      labelNames: ['stream', 'result'],
      registers,
    }),
    eventsReceived: new Counter({
      name: 'lazarus_events_received_total',
      help: 'Valid events read from the stream, by the source that reported them (same name as the API counter)',
      labelNames: ['source'],
      registers,
    }),
    deadLetters: new Counter({
      name: 'lazarus_deadletters_total',
      help: 'Records dead-lettered by this process, by reason (malformed_json, schema, oversize, rejected)',
      labelNames: ['stream', 'reason'],
      registers,
    }),
    lag: new Gauge({
      name: 'lazarus_bridge_lag_seconds',
      help: 'Ingest lag by shard: age of the last record when its remediation start was confirmed; 0 once caught up',
      labelNames: ['stream', 'shard'],
      registers,
    }),
    checkpoint: new Gauge({
      name: 'lazarus_bridge_checkpoint_records',
      help: 'Records of the shard confirmed since this process took it (the checkpoint moved past them)',
      labelNames: ['stream', 'shard'],
      registers,
    }),
    reads: new Counter({
      name: 'lazarus_bridge_get_records_total',
      help: 'GetRecords calls, by shard (Kinesis allows 5 per second per shard)',
      labelNames: ['stream', 'shard'],
      registers,
    }),
    readErrors: new Counter({
      name: 'lazarus_bridge_read_errors_total',
      help: 'Failed Kinesis reads, by kind (expired_iterator, throttled, other); the read is retried from the checkpoint',
      labelNames: ['stream', 'kind'],
      registers,
    }),
    temporalRetries: new Counter({
      name: 'lazarus_bridge_temporal_retries_total',
      help: 'Workflow starts retried because Temporal did not answer (the record is retried, never skipped)',
      labelNames: ['stream'],
      registers,
    }),
    shardsOwned: new Gauge({
      name: 'lazarus_bridge_shards_owned',
      help: 'Shards this process is reading now',
      labelNames: ['stream'],
      registers,
    }),
  };
}
