/**
 * What every Lazarus process shares on Node (worker, bridge, API, CLI, sensors, devstack): the Temporal connection
 * options, the AWS SDK clients, the configuration files from disk, a Prometheus endpoint, content hashing, and
 * (imported by path, as it loads the worker SDK) the workflow bundle. No domain decisions live here; it may import only core.
 */
export * from './aws-clients';
export * from './config-files';
export * from './content-hash';
export * from './errors';
export * from './metrics-server';
export * from './temporal-connection';
