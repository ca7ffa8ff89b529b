/**
 * Temporal workflow code only: deterministic, bundled into the workflow sandbox. Imports the pure core and, by
 * `import type` only, the activities. This file is the bundle's entry point: export every workflow from here.
 */
export * from './bridge';
export * from './control';
export * from './dead-letter';
export * from './governors';
export * from './inspect-host';
export * from './remediate';
export * from './runbook';
