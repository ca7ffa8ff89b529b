/**
 * The Kinesis bridge, one feature in one folder: reads every shard of the event stream (following reshards), starts
 * one remediation per incident key, dead-letters records that cannot be events, and keeps its checkpoints and shard
 * ownership in Temporal (one heartbeating reader activity per shard).
 *
 * - model/: pure domain (settings, ids, shard selection, replay checks); imported by everything below.
 * - workflows/: the sandboxed workflows (bundled through workflows/index.ts).
 * - activities/: the side effects (Kinesis reads, workflow starts, dead letters, metrics).
 * - main.ts: the bridge process (`node dist/ingest/bridge/main.js`).
 * Its dead letters' types, ids and messages are contracts (contracts/dead-letter.ts): the API replays them.
 */
export * from './model';
export * from './activities';
