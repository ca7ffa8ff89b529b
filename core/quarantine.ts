// Rule self-quarantine: each rule's recent runbook outcomes in a region, and the pure rule that puts a rule whose
// runbook fails too often in shadow for that region until an operator releases it. The entity workflow
// (workflows/quarantine.ts) keeps the state; remediate() reads it at the shadow decision.

/** When a rule is quarantined. Both criteria apply; either one trips. */
export interface QuarantineThresholds {
  /** Off: outcomes are still tracked, nothing is quarantined. */
  enabled: boolean;
  /** This many failed runs in a row (STEP_FAILED, TIMED_OUT, FAILED) quarantine the rule. 0 turns it off. */
  consecutive_failures: number;
  /** Success rate over the last `window_runs` runs below this (0..1) quarantines the rule, once the window is full. */
  min_success_rate: number;
  window_runs: number;
}

export const defaultQuarantineThresholds: QuarantineThresholds = {
  enabled: true,
  consecutive_failures: 3,
  min_success_rate: 0.5,
  window_runs: 10,
};

/** One finished runbook run of a rule: the evidence a quarantine names. */
export interface RuleRun {
  workflow_id: string;
  incident_key: string;
  service: string;
  host?: string;
  outcome: string;
  reason: string;
  at: number;
}

/** Runbook outcomes that count as a success or a failure of the rule; others (SHADOW, KILL_SWITCH, ...) do not count. */
export const ruleSuccessOutcomes: readonly string[] = ['REMEDIATED'];
export const ruleFailureOutcomes: readonly string[] = ['STEP_FAILED', 'TIMED_OUT', 'FAILED'];

export function countsForQuarantine(outcome: string): boolean {
  return ruleSuccessOutcomes.includes(outcome) || ruleFailureOutcomes.includes(outcome);
}

export interface RuleQuarantine {
  rule: string;
  region: string;
  since: number;
  /** Which threshold tripped, in words ("3 failed runs in a row (threshold 3)"). */
  why: string;
  thresholds: QuarantineThresholds;
  /** The failed runs that tripped it, oldest first. */
  evidence: RuleRun[];
}

export interface RuleRecord {
  rule: string;
  /** Most recent runs, oldest first, at most max(window_runs, consecutive_failures) kept. */
  runs: RuleRun[];
  quarantine?: RuleQuarantine;
}

/** Who released a quarantine, when and why: the audit the entity keeps. */
export interface QuarantineRelease {
  rule: string;
  region: string;
  actor: string;
  reason: string;
  at: number;
  /** The quarantine that was lifted. */
  released: RuleQuarantine;
}

export interface QuarantineState {
  region: string;
  rules: Record<string, RuleRecord>;
  /** Quarantines and releases, newest last, capped. */
  history: Array<{ what: 'quarantined' | 'released'; rule: string; at: number; actor: string; reason: string }>;
}

export function emptyQuarantineState(region: string): QuarantineState {
  return { region, rules: {}, history: [] };
}

export class QuarantineThresholdsError extends Error {
  override readonly name = 'QuarantineThresholdsError';
}

export function checkQuarantineThresholds(t: QuarantineThresholds): void {
  if (!Number.isInteger(t.consecutive_failures) || t.consecutive_failures < 0) {
    throw new QuarantineThresholdsError(
      `consecutive_failures must be a whole number >= 0, got ${t.consecutive_failures}`,
    );
  }
  if (!Number.isInteger(t.window_runs) || t.window_runs < 1) {
    throw new QuarantineThresholdsError(`window_runs must be a whole number >= 1, got ${t.window_runs}`);
  }
  if (!(t.min_success_rate >= 0 && t.min_success_rate <= 1)) {
    throw new QuarantineThresholdsError(`min_success_rate must be between 0 and 1, got ${t.min_success_rate}`);
  }
}

const failed = (run: RuleRun): boolean => ruleFailureOutcomes.includes(run.outcome);

/**
 * Adds a run to a rule's record and decides: a rule not yet quarantined is quarantined when the runs trip a threshold.
 * A quarantined rule stays quarantined whatever comes (only a release lifts it). Runs that do not count are ignored.
 */
export function recordRuleRun(
  record: RuleRecord,
  run: RuleRun,
  region: string,
  thresholds: QuarantineThresholds,
): { record: RuleRecord; quarantined?: RuleQuarantine } {
  if (!countsForQuarantine(run.outcome)) return { record };
  if (record.runs.some((r) => r.workflow_id === run.workflow_id)) return { record };
  const keep = Math.max(thresholds.window_runs, thresholds.consecutive_failures, 1);
  const runs = [...record.runs, run].slice(-keep);
  const next: RuleRecord = { ...record, runs };
  if (record.quarantine || !thresholds.enabled) return { record: next };
  const why = trippedThreshold(runs, thresholds);
  if (!why) return { record: next };
  const quarantine: RuleQuarantine = {
    rule: record.rule,
    region,
    since: run.at,
    why: why.text,
    thresholds,
    evidence: why.evidence,
  };
  return { record: { ...next, quarantine }, quarantined: quarantine };
}

function trippedThreshold(runs: RuleRun[], t: QuarantineThresholds): { text: string; evidence: RuleRun[] } | undefined {
  let streak = 0;
  for (let i = runs.length - 1; i >= 0 && failed(runs[i]); i--) streak += 1;
  if (t.consecutive_failures > 0 && streak >= t.consecutive_failures) {
    return {
      text: `${streak} failed run${streak === 1 ? '' : 's'} in a row (threshold ${t.consecutive_failures})`,
      evidence: runs.slice(-streak),
    };
  }
  const window = runs.slice(-t.window_runs);
  if (window.length >= t.window_runs) {
    const successes = window.filter((r) => !failed(r)).length;
    const rate = successes / window.length;
    if (rate < t.min_success_rate) {
      return {
        text:
          `success rate ${Math.round(rate * 100)}% over the last ${window.length} runs ` +
          `(threshold ${Math.round(t.min_success_rate * 100)}%)`,
        evidence: window.filter(failed),
      };
    }
  }
  return undefined;
}

/** Lifts a quarantine; the rule's run history starts afresh so the same runs cannot trip it again at once. */
export function releaseRule(record: RuleRecord): RuleRecord {
  return { rule: record.rule, runs: [] };
}
