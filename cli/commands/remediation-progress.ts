// What changed in a remediation between two reads of GET /v1/events/{key}, as progress lines for a person waiting on
// it: new gates of the decision trace and runbook steps starting, retrying and ending, in the order they happened;
// then pauses, the phase and the outcome. Pure.
import type { RemediationView } from './events';

type Trace = NonNullable<RemediationView['trace']>;
type Step = Trace['steps'][number];

/**
 * The gate column fits the gates of every remediation ('acknowledge', 'kill_switch'); the two refusals of a scaling
 * plan ('scaling_cooldown', 'replacement_in_progress') are longer and push the rest of their one line right.
 */
const GATE_COLUMN = 11;

function clock(epochMs: number | undefined): string {
  return epochMs === undefined ? '--:--:--' : new Date(epochMs).toISOString().slice(11, 19);
}

/** When a step last changed: its end, else the start of its latest attempt, else its start. */
function stepChangedAt(step: Step): number | undefined {
  return step.ended_at ?? step.attempts.at(-1)?.ended_at ?? step.attempts.at(-1)?.started_at ?? step.started_at;
}

function stepLine(step: Step): string {
  const attempts = step.attempts.length > 1 ? ` (attempt ${step.attempts.length})` : '';
  const error = step.error ? `: ${step.error}` : '';
  return `${clock(stepChangedAt(step))} step ${step.id} (${step.activity}) ${step.status}${attempts}${error}`;
}

/** Lines for what `current` shows that `previous` (the last read, if any) did not. */
export function remediationProgress(previous: RemediationView | undefined, current: RemediationView): string[] {
  const before = previous?.trace ?? undefined;
  const now = current.trace;
  const lines: string[] = [];
  if (now) {
    const timed: Array<{ at: number; line: string }> = [];
    for (const gate of now.gates.slice(before?.gates.length ?? 0)) {
      const detail = JSON.stringify(gate.detail);
      timed.push({
        at: gate.at,
        line: `${clock(gate.at)} ${gate.gate.padEnd(GATE_COLUMN)} ${gate.verdict.padEnd(6)} ${detail.length > 100 ? `${detail.slice(0, 99)}…` : detail}`,
      });
    }
    for (const step of now.steps) {
      const old = before?.steps.find((candidate) => candidate.id === step.id);
      if (step.status === 'waiting') continue;
      if (!old || old.status !== step.status || old.attempts.length !== step.attempts.length) {
        timed.push({ at: stepChangedAt(step) ?? Number.MAX_SAFE_INTEGER, line: stepLine(step) });
      }
    }
    // A stable sort: gates keep their order, and a step lands where it happened among them.
    lines.push(...timed.sort((a, b) => a.at - b.at).map((entry) => entry.line));
    if (now.paused && !before?.paused) {
      lines.push(`paused: ${now.paused.reason}${now.paused.actor ? ` (by ${now.paused.actor})` : ''}`);
    }
    if (!now.paused && before?.paused) lines.push('resumed');
  }
  if (current.phase && current.phase !== previous?.phase && current.phase !== 'paused') {
    lines.push(`phase ${current.phase}`);
  }
  if (current.outcome && current.outcome !== previous?.outcome) {
    lines.push(`outcome ${current.outcome}${current.reason ? `: ${current.reason}` : ''}`);
  }
  return lines;
}

/** A remediation is over when Temporal has closed its workflow (the outcome is recorded a moment before). */
export function remediationFinished(view: RemediationView): boolean {
  return view.status !== 'RUNNING';
}
