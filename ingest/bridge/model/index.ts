/**
 * The Kinesis bridge's pure domain: its settings and workflow ids, the shards of a stream and which may be read now,
 * and the checks a dead letter's stored payload goes through on replay. No I/O, so the bridge workflows import it.
 */
export * from './bridge';
export * from './dead-letter-replay';
export * from './shard-reading';
