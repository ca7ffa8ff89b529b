/**
 * The pure domain of Lazarus: events, hosts, outcomes, rule matching, runbook DAGs, window math and runtime
 * configuration parsing. No I/O and no clocks, so workflows can import it and unit tests run in milliseconds.
 */
export * from './activity-catalog';
export * from './control';
export * from './event';
export * from './governor';
export * from './host';
export * from './outcome';
export * from './quorum';
export * from './resolved-config';
export * from './runtime-config';
export * from './scaling';
export * from './target-tracking';
export * from './duration';
export * from './runbook-references';
export * from './quarantine';
