/**
 * The Temporal contracts every side of Lazarus shares: the signals, queries and updates of each workflow, the workflow
 * ids derived from the domain, the decision trace and status a remediation reports, the search attributes the Web UI
 * filters on, the outcome names, and the metrics sinks. Workflows, activities, the API, the CLI and the bridge import
 * these from here; nothing outside workflows/ imports a workflow implementation. Imports only core and the
 * definition helpers of the Temporal SDK, so both the workflow sandbox and Node processes can load it.
 */
export * from './dead-letter';
export * from './messages';
export * from './metrics-sinks';
export * from './search-attributes';
export * from './task-queues';
export * from './trace';
export * from './workflow-ids';
export { Outcome, allOutcomes, isSuccessfulOutcome } from '../core/outcome';
export * from './quarantine';
export * from './drill';
