/**
 * The configuration model: JSON Schemas of every file kind, the pure loader that turns YAML texts into an immutable
 * resolved snapshot (with every problem located by file, line, column and field path), the runbook DAG validator,
 * the matcher and event validation. Pure (no I/O, no clocks), but it brings ajv and yaml along, so workflows should
 * import only core/runbook-references and core/duration, not this folder; activities call the loader and matcher.
 */
export * from './build-snapshot';
export * from './canonical-json';
export * from './defaults';
export * from './errors';
export * from './event-validation';
export * from './file-shapes';
export * from './match-event';
export * from './runbook-validation';
export * from './schema-validation';
export * from './sensor-mapping';
export * from './snapshot';
export * from './yaml-source';
