import type { WorkflowInfo } from '@temporalio/workflow';
import { RuntimeConfigError } from '../../../core/runtime-config';
import { Outcome } from '../../../core/outcome';
import { createWorkerMetrics, readWorkerMetricsEndpoint } from '../../../worker/metrics';

const info = {} as WorkflowInfo;

describe('worker metrics sinks', () => {
  it('a decision counts its outcome and observes its latency under that outcome', async () => {
    const metrics = createWorkerMetrics();
    const { decision } = metrics.sinks.lazarusMetrics;

    await decision.fn(info, { outcome: Outcome.Remediated, latency_seconds: 42 });
    await decision.fn(info, { outcome: Outcome.Remediated, latency_seconds: 0.05 });
    await decision.fn(info, { outcome: Outcome.Stale, latency_seconds: 0.3 });

    const text = await metrics.registry.metrics();
    expect(text).toContain('lazarus_decisions_total{outcome="REMEDIATED"} 2');
    expect(text).toContain('lazarus_decisions_total{outcome="STALE"} 1');
    expect(text).toContain('lazarus_decisions_total{outcome="CIRCUIT_OPEN"} 0');
    expect(text).toContain('lazarus_decision_latency_seconds_count{outcome="REMEDIATED"} 2');
    expect(text).toContain('lazarus_decision_latency_seconds_sum{outcome="REMEDIATED"} 42.05');
    expect(text).toContain('lazarus_decision_latency_seconds_bucket{le="0.1",outcome="REMEDIATED"} 1');
    expect(text).toContain('lazarus_decision_latency_seconds_bucket{le="60",outcome="REMEDIATED"} 2');
    expect(text).toContain('lazarus_decision_latency_seconds_bucket{le="1800",outcome="STALE"} 1');
  });

  it('a breaker transition counts by region and the state it went to', async () => {
    const metrics = createWorkerMetrics();
    const { breakerTransition } = metrics.sinks.lazarusMetrics;

    await breakerTransition.fn(info, { region: 'us-east-1', to: 'open' });
    await breakerTransition.fn(info, { region: 'us-east-1', to: 'closed' });
    await breakerTransition.fn(info, { region: 'us-east-1', to: 'open' });

    const text = await metrics.registry.metrics();
    expect(text).toContain('lazarus_breaker_transitions_total{region="us-east-1",to="open"} 2');
    expect(text).toContain('lazarus_breaker_transitions_total{region="us-east-1",to="closed"} 1');
  });

  it('no sink is called during replay', () => {
    const { decision, breakerTransition } = createWorkerMetrics().sinks.lazarusMetrics;
    expect(decision.callDuringReplay).toBeFalsy();
    expect(breakerTransition.callDuringReplay).toBeFalsy();
  });
});

describe('readWorkerMetricsEndpoint', () => {
  it('serves on 127.0.0.1:9464 unless told otherwise', () => {
    expect(readWorkerMetricsEndpoint({})).toEqual({ port: 9464, host: '127.0.0.1' });
    expect(
      readWorkerMetricsEndpoint({ LAZARUS_WORKER_METRICS_PORT: '0', LAZARUS_WORKER_METRICS_HOST: '0.0.0.0' }),
    ).toEqual({ port: 0, host: '0.0.0.0' });
  });

  it('names the variable of a port that is not one', () => {
    expect(() => readWorkerMetricsEndpoint({ LAZARUS_WORKER_METRICS_PORT: 'http' })).toThrow(RuntimeConfigError);
    expect(() => readWorkerMetricsEndpoint({ LAZARUS_WORKER_METRICS_PORT: '70000' })).toThrow(
      /LAZARUS_WORKER_METRICS_PORT/,
    );
  });
});
