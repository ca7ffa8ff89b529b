/**
 * The bridge's workflows, bundled into the workflow sandbox with the remediation workflows (workflows/index.ts is the
 * bundle's entry): the stream's bridge (shard discovery), one shard reader per shard, and the dead-letter entity.
 * Deterministic: they import the bridge's pure model and the shared contracts, and its activities by type only.
 */
export * from './bridge';
export * from './dead-letter';
