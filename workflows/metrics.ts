// The workflows' handle on the worker's metrics sinks (contracts/metrics-sinks.ts): calls go to the worker after a
// workflow task completes and never into history.
import { proxySinks } from '@temporalio/workflow';
import type { LazarusMetricsSinks } from '../contracts/metrics-sinks';

export const { lazarusMetrics } = proxySinks<LazarusMetricsSinks>();
