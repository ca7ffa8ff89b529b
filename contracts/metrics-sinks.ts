// What workflows report to the worker's Prometheus metrics, through a Temporal sink: the worker calls the injected
// functions after a workflow task completes, never while replaying history, and nothing reaches the history, so
// adding or changing a sink call never changes a workflow's command sequence. Workflow side: workflows/metrics.ts;
// worker side: worker/metrics.ts.
import type { Sinks } from '@temporalio/workflow';
import type { BreakerState } from '../core/governor';
import type { Outcome } from '../core/outcome';

export interface DecisionRecorded {
  outcome: Outcome;
  /** From the remediation workflow's start to its outcome being recorded (workflow time). */
  latency_seconds: number;
}

export interface BreakerTransitioned {
  region: string;
  to: BreakerState;
}

/** A rule put in quarantine (shadow in its region) or released by an operator. */
export interface RuleQuarantineChanged {
  region: string;
  rule: string;
  quarantined: boolean;
}

export interface LazarusMetricsSinks extends Sinks {
  lazarusMetrics: {
    decision(decision: DecisionRecorded): void;
    breakerTransition(transition: BreakerTransitioned): void;
    ruleQuarantine(change: RuleQuarantineChanged): void;
  };
}
