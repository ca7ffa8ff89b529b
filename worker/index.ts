/**
 * Process wiring for the Lazarus worker: Temporal connection, task queues, the prebuilt workflow bundle and the
 * activities built from configuration, and the Prometheus endpoint.
 */
export * from './bundle';
export * from './connection';
export * from './errors';
export * from './main';
export * from './metrics';
export * from './metrics-server';
