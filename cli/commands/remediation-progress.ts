// What changed in a remediation between two reads of GET /v1/events/{key}, as progress lines for a person waiting on
// it: new gates of the decision trace and what each runbook step did (started, retried with the previous attempt's
// error, ended, compensated), in the order they happened; then pauses, the phase and the outcome. Pure.
import type { RemediationDetail } from '../../api/types';
import type { StepRecord } from '../../contracts/trace';

/**
 * The gate column fits the gates of every remediation ('acknowledge', 'kill_switch'); the two refusals of a scaling
 * plan ('scaling_cooldown', 'replacement_in_progress') are longer and push the rest of their one line right.
 */
const GATE_COLUMN = 11;

function clock(epochMs: number | undefined): string {
  return epochMs === undefined ? '--:--:--' : new Date(epochMs).toISOString().slice(11, 19);
}

/** One thing a step did, keyed so that a later read showing it again does not print it twice. */
interface StepEvent {
  key: string;
  at: number | undefined;
  text: string;
}

function attemptError(attempt: StepRecord['attempts'][number] | undefined): string {
  return attempt?.error ? `: ${attempt.error}` : '';
}

/** Everything the step's record says it did so far: start, each retry, its end, its compensation. */
function stepEvents(step: StepRecord): StepEvent[] {
  const name = `step ${step.id} (${step.activity})`;
  const events: StepEvent[] = [];
  const [first, ...retries] = step.attempts;
  if (first || step.started_at !== undefined) {
    events.push({ key: `${step.id} start`, at: first?.started_at ?? step.started_at, text: `${name} started` });
  }
  retries.forEach((attempt, index) => {
    const previous = step.attempts[index];
    events.push({
      key: `${step.id} attempt ${attempt.attempt}`,
      at: attempt.started_at,
      text: `${name} retrying, attempt ${attempt.attempt} (attempt ${previous.attempt} failed${attemptError(previous)})`,
    });
  });
  const tries = step.attempts.length > 1 ? ` after ${step.attempts.length} attempts` : '';
  const ending: Partial<Record<StepRecord['status'], string>> = {
    succeeded: `${name} succeeded${tries}`,
    failed: `${name} failed${tries}${step.error ? `: ${step.error}` : attemptError(step.attempts.at(-1))}`,
    cancelled: `${name} cancelled`,
    skipped: `${name} skipped`,
    shadow: `${name} not run (shadow)`,
  };
  const end = ending[step.status];
  if (end !== undefined) {
    events.push({ key: `${step.id} end`, at: step.ended_at ?? step.attempts.at(-1)?.ended_at, text: end });
  }
  const compensation = step.compensation;
  if (compensation) {
    events.push({
      key: `${step.id} compensation`,
      at: compensation.at,
      text:
        compensation.status === 'succeeded'
          ? `${name} compensated (${compensation.activity})`
          : `${name} compensation ${compensation.activity} failed${compensation.error ? `: ${compensation.error}` : ''}`,
    });
  }
  return events;
}

/**
 * What is known after `current`, given what was known after `previous`: `current` itself, except when it could not
 * read the runbook run (`runbook_unavailable`): its steps are then the remediation's, empty until it takes them from
 * the ended run, and its gates lack the runbook's, so that read keeps the runbook's steps, gates, pause and phase the
 * earlier read knew. Compare the next read with this, so a read that missed the runbook prints nothing twice.
 */
export function remediationKnown(
  previous: RemediationDetail | undefined,
  current: RemediationDetail,
): RemediationDetail {
  const before = previous?.trace;
  const now = current.trace;
  if (!previous || !before || !now || current.runbook_unavailable === undefined) return current;
  // the remediation's own phase says only that the runbook runs; the runbook's (paused, compensating) said more
  const keepPhase = now.phase === 'running' && (before.phase === 'paused' || before.phase === 'compensating');
  const paused = now.paused ?? before.paused;
  return {
    ...current,
    ...(keepPhase && previous.phase !== undefined ? { phase: previous.phase } : {}),
    trace: {
      ...now,
      phase: keepPhase ? before.phase : now.phase,
      ...(paused ? { paused } : {}),
      gates: now.gates.length >= before.gates.length ? now.gates : before.gates,
      steps: now.steps.length > 0 ? now.steps : before.steps,
    },
  };
}

/** Lines for what `current` shows that `previous` (what was known after the last read, if any) did not. */
export function remediationProgress(previous: RemediationDetail | undefined, current: RemediationDetail): string[] {
  const known = remediationKnown(previous, current);
  const before = previous?.trace ?? undefined;
  const now = known.trace;
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
    const shown = new Set((before?.steps ?? []).flatMap((step) => stepEvents(step).map((event) => event.key)));
    for (const step of now.steps) {
      for (const event of stepEvents(step)) {
        if (shown.has(event.key)) continue;
        timed.push({ at: event.at ?? Number.MAX_SAFE_INTEGER, line: `${clock(event.at)} ${event.text}` });
      }
    }
    // A stable sort: gates keep their order, and a step's events land where they happened among them.
    lines.push(...timed.sort((a, b) => a.at - b.at).map((entry) => entry.line));
    if (now.paused && !before?.paused) {
      lines.push(`paused: ${now.paused.reason}${now.paused.actor ? ` (by ${now.paused.actor})` : ''}`);
    }
    if (!now.paused && before?.paused) lines.push('resumed');
  }
  if (known.phase && known.phase !== previous?.phase && known.phase !== 'paused') {
    lines.push(`phase ${known.phase}`);
  }
  if (current.outcome && current.outcome !== previous?.outcome) {
    lines.push(`outcome ${current.outcome}${current.reason ? `: ${current.reason}` : ''}`);
  }
  return lines;
}

/** A remediation is over when Temporal has closed its workflow (the outcome is recorded a moment before). */
export function remediationFinished(view: RemediationDetail): boolean {
  return view.status !== 'RUNNING';
}
