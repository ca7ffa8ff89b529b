/**
 * The bridge's side effects: the shard reader activity (reads a shard, starts remediations, heartbeats its
 * checkpoint), shard discovery, recording dead letters, and the bridge's Prometheus metrics.
 */
export * from './activities';
export * from './dead-letters';
export * from './metrics';
export * from './record';
export * from './shard-reader';
