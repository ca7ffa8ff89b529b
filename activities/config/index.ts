/**
 * Configuration from disk: reading rules/, profiles/ and services/ (shared with the `lazarus` CLI), and the
 * resolveEvent activity that matches an event against a cached snapshot, reloading it when the files change.
 * A configuration that does not load fails the activity non-retryably with type ConfigInvalid and every problem.
 */
export * from './config-activities';
export * from './read-tree';
