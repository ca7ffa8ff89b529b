/**
 * Process wiring for the Lazarus worker: Temporal connection, task queues, the prebuilt workflow bundle and the
 * activities built from configuration.
 */
export * from './bundle';
export * from './connection';
export * from './main';
