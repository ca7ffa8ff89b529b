/**
 * Configuration from disk: reading rules/, profiles/ and services/ (shared with the `lazarus` CLI), and the
 * resolveEvent activity that matches an event against a cached snapshot, reloading it when the files change.
 * A broken edit keeps the last snapshot that loaded in force; a process that never loaded the files fails the
 * activity non-retryably with type ConfigInvalid and every problem.
 */
export * from './config-activities';
export * from './read-tree';
