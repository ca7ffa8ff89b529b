/**
 * Temporal workflow code only: deterministic, bundled into the workflow sandbox. Imports the pure core, the shared
 * contracts and, by `import type` only, the activities. This file is the bundle's entry point: it exports every
 * workflow Lazarus runs, the remediation workflows of this folder and the Kinesis bridge's (ingest/bridge/workflows).
 */
export * from './control';
export * from './drill';
export * from './explain';
export * from './governors';
export * from './inspect-host';
export * from './quarantine';
export * from './remediate';
export * from './runbook';
export * from '../ingest/bridge/workflows';
