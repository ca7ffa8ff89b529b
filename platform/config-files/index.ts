/**
 * Configuration from disk, shared by the worker's config activity, the CLI (`lazarus validate`, `explain`) and the
 * demand sensor: reading rules/, profiles/ and services/, and the snapshot cache that rebuilds only on change. A broken
 * edit keeps the last snapshot that loaded in force; a process that never loaded the files fails with type
 * ConfigInvalid and every problem.
 */
export * from './read-tree';
export * from './snapshot-cache';
export * from './sensor-mapping-file';
