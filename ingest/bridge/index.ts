/**
 * The Kinesis bridge: reads every shard of the event stream (following reshards), starts one remediation per
 * incident key, dead-letters records that cannot be events, and keeps its checkpoints and shard ownership in
 * Temporal (one heartbeating reader activity per shard). worker/bridge.ts is the process that runs it.
 */
export * from './activities';
export * from './dead-letters';
export * from './metrics';
export * from './record';
export * from './shard-reader';
