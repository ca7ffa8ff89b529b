// The worker's Prometheus metrics: what remediations decided, how long they took, and the regional breaker's
// transitions. Workflows report them through the sinks of contracts/metrics-sinks.ts; the worker process serves the
// registry with serveMetrics (LAZARUS_WORKER_METRICS_PORT).
import type { InjectedSinks } from '@temporalio/worker';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { RuntimeConfigError } from '../core/runtime-config';
import { allOutcomes } from '../core/outcome';
import type { LazarusMetricsSinks } from '../contracts/metrics-sinks';

/** Seconds; from a decision at the first gate (~0.1 s) to a runbook near a long workflow_timeout (30 min). */
export const decisionLatencyBuckets: readonly number[] = [
  0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 900, 1800,
];

export interface WorkerMetrics {
  registry: Registry;
  decisions: Counter<'outcome'>;
  decisionLatency: Histogram<'outcome'>;
  breakerTransitions: Counter<'region' | 'to'>;
  ruleQuarantineTransitions: Counter<'region' | 'rule' | 'to'>;
  /** For Worker.create({ sinks }) of every worker that runs Lazarus workflows. */
  sinks: InjectedSinks<LazarusMetricsSinks>;
}

export function createWorkerMetrics(options: { defaultMetrics?: boolean } = {}): WorkerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'lazarus_worker_' });
  const registers = [registry];
  const decisions = new Counter({
    name: 'lazarus_decisions_total',
    help: 'Remediations that recorded their final outcome, by outcome (core/outcome.ts)',
    labelNames: ['outcome'],
    registers,
  });
  // Every outcome from the start, so a rate() over one that has not happened yet is 0, not absent.
  for (const outcome of allOutcomes) decisions.inc({ outcome }, 0);
  const decisionLatency = new Histogram({
    name: 'lazarus_decision_latency_seconds',
    help: "From a remediation workflow's start to its final outcome being recorded, by outcome",
    labelNames: ['outcome'],
    buckets: [...decisionLatencyBuckets],
    registers,
  });
  const breakerTransitions = new Counter({
    name: 'lazarus_breaker_transitions_total',
    help: 'Regional circuit breaker state changes, by region and the state it changed to (open, closed)',
    labelNames: ['region', 'to'],
    registers,
  });
  const ruleQuarantineTransitions = new Counter({
    name: 'lazarus_rule_quarantine_transitions_total',
    help: 'Rules put in quarantine (shadow in a region, to=quarantined) or released by an operator (to=released)',
    labelNames: ['region', 'rule', 'to'],
    registers,
  });
  return {
    registry,
    decisions,
    decisionLatency,
    breakerTransitions,
    ruleQuarantineTransitions,
    sinks: {
      lazarusMetrics: {
        decision: {
          fn: (_info, { outcome, latency_seconds }) => {
            decisions.inc({ outcome });
            decisionLatency.observe({ outcome }, Math.max(0, latency_seconds));
          },
        },
        breakerTransition: {
          fn: (_info, { region, to }) => breakerTransitions.inc({ region, to }),
        },
        ruleQuarantine: {
          fn: (_info, { region, rule, quarantined }) =>
            ruleQuarantineTransitions.inc({ region, rule, to: quarantined ? 'quarantined' : 'released' }),
        },
      },
    },
  };
}

export interface WorkerMetricsEndpoint {
  /** LAZARUS_WORKER_METRICS_PORT, default 9464; 0 picks a free port. */
  port: number;
  /** LAZARUS_WORKER_METRICS_HOST, default 127.0.0.1 (0.0.0.0 for a Prometheus on another machine). */
  host: string;
}

export const defaultWorkerMetricsPort = 9464;

export function readWorkerMetricsEndpoint(env: Readonly<Record<string, string | undefined>>): WorkerMetricsEndpoint {
  const raw = env.LAZARUS_WORKER_METRICS_PORT?.trim();
  const port = raw ? Number(raw) : defaultWorkerMetricsPort;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RuntimeConfigError('LAZARUS_WORKER_METRICS_PORT', `expected a port number, got "${raw}"`);
  }
  return { port, host: env.LAZARUS_WORKER_METRICS_HOST?.trim() || '127.0.0.1' };
}
