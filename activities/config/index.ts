/**
 * The config activity: resolveEvent matches an event against the configuration snapshot, which the shared snapshot
 * cache (platform/config-files) loads from disk and reloads when the files change.
 */
export * from './config-activities';
