/**
 * The Lazarus worker process: task queues, the prebuilt workflow bundle, the activities built from configuration, the
 * checker nodes it hosts, and the workflows' Prometheus metrics. Its connection and metrics endpoint come from
 * platform/.
 */
export * from './main';
export * from './metrics';
export * from './settings';
