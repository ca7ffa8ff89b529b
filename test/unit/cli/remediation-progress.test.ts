// The progress lines `lazarus submit --wait` prints while a remediation runs (pure: two reads in, lines out).
import type { RemediationDetail } from '../../../api/types';
import { remediationFinished, remediationKnown, remediationProgress } from '../../../cli/commands/remediation-progress';
import type { GateRecord, RemediationPhase, StepRecord } from '../../../contracts/trace';

type Trace = NonNullable<RemediationDetail['trace']>;
const at = Date.parse('2026-11-22T02:00:05Z');

function view(
  trace: Partial<Trace>,
  extra: Partial<Omit<RemediationDetail, 'phase'>> & { phase?: RemediationPhase } = {},
): RemediationDetail {
  const phase = extra.phase ?? 'deciding';
  return {
    incident_key: 'demo-1',
    workflow_id: 'event/demo-1',
    status: 'RUNNING',
    steps_source: 'remediation',
    trace: {
      workflow_id: 'event/demo-1',
      incident_key: 'demo-1',
      event: {
        incident_key: 'demo-1',
        event_type: 'HealthcheckDown',
        source: 'cli',
        service: 'web',
        host: 'i-0abc1234def567890',
        region: 'us-east-1',
        environment: 'prod',
        occurred_at: '2026-11-22T02:00:00Z',
      },
      phase,
      started_at: at,
      shadow: false,
      gates: [],
      steps: [],
      following_pages: [],
      ...trace,
    },
    ...extra,
    phase,
  };
}

/** A read while the runbook runs, its steps read live from the runbook run. */
function live(trace: Partial<Trace>, phase: RemediationPhase = 'running'): RemediationDetail {
  return view({ runbook_workflow_id: 'lock/host/i-0abc1234def567890', ...trace }, { phase, steps_source: 'runbook' });
}

const ruleGate: GateRecord = { gate: 'rule', at, verdict: 'pass', detail: { rule: 'replace-unhealthy-host' } };
const quorumGate: GateRecord = { gate: 'quorum', at: at + 1000, verdict: 'pass', detail: { yes: 3 } };
const killSwitchGate: GateRecord = { gate: 'kill_switch', at: at + 1500, verdict: 'pass', detail: { state: 'off' } };

/**
 * The drain step as the runbook records it: `attempts` attempts one second apart from 02:00:07, every one but the
 * last failed with `errors[i]` (default "throttled"); the last one running, or ended as `status` says.
 */
const drain = (status: StepRecord['status'], attempts = 1, lastError?: string): StepRecord => {
  const records = Array.from({ length: attempts }, (_, i) => ({
    attempt: i + 1,
    started_at: at + 2000 + i * 1000,
    ...(i < attempts - 1 ? { ended_at: at + 2500 + i * 1000, error: 'throttled' } : {}),
  }));
  const last = records[attempts - 1];
  const ended = status === 'succeeded' || status === 'failed' || status === 'cancelled';
  if (ended) last.ended_at = at + 2000 + attempts * 1000;
  if (status === 'failed' && lastError) Object.assign(last, { error: lastError });
  return {
    id: 'drain',
    activity: 'drainHost',
    status,
    attempts: records,
    ...(attempts > 0 ? { started_at: at + 2000 } : {}),
    ...(ended ? { ended_at: at + 2000 + attempts * 1000 } : {}),
    ...(status === 'failed' && lastError ? { error: lastError } : {}),
  };
};

describe('remediation progress', () => {
  it('the first read prints every gate so far, then the phase', () => {
    expect(remediationProgress(undefined, view({ gates: [ruleGate] }))).toEqual([
      '02:00:05 rule        pass   {"rule":"replace-unhealthy-host"}',
      'phase deciding',
    ]);
  });

  it('a later read prints only what is new: gates, a step starting and retrying with the previous error', () => {
    const first = view({ gates: [ruleGate], steps: [drain('waiting', 0)] });
    const second = live({ gates: [ruleGate, quorumGate], steps: [drain('running')] });
    expect(remediationProgress(first, second)).toEqual([
      '02:00:06 quorum      pass   {"yes":3}',
      '02:00:07 step drain (drainHost) started',
      'phase running',
    ]);
    const third = live({ gates: second.trace!.gates, steps: [drain('running', 2)] });
    expect(remediationProgress(second, third)).toEqual([
      '02:00:08 step drain (drainHost) retrying, attempt 2 (attempt 1 failed: throttled)',
    ]);
    expect(remediationProgress(third, third)).toEqual([]);
  });

  it('puts a step where it happened among the gates of the same read, and ends with the outcome', () => {
    const resolve: GateRecord = { gate: 'resolve', at: at + 9000, verdict: 'pass', detail: {} };
    const done = view(
      { gates: [ruleGate, quorumGate, resolve], steps: [drain('succeeded', 1)] },
      { phase: 'done', outcome: 'REMEDIATED', reason: 'replace_host completed', status: 'COMPLETED' },
    );
    expect(remediationProgress(view({ gates: [ruleGate] }), done)).toEqual([
      '02:00:06 quorum      pass   {"yes":3}',
      '02:00:07 step drain (drainHost) started',
      '02:00:08 step drain (drainHost) succeeded',
      '02:00:14 resolve     pass   {}',
      'phase done',
      'outcome REMEDIATED: replace_host completed',
    ]);
  });

  it('a read that missed a step start, its retries and its end prints each of them, then compensations', () => {
    const clone: StepRecord = {
      id: 'clone',
      activity: 'cloneHost',
      status: 'succeeded',
      attempts: [{ attempt: 1, started_at: at + 1800, ended_at: at + 1900 }],
      started_at: at + 1800,
      ended_at: at + 1900,
    };
    const before = live({ gates: [ruleGate], steps: [{ ...clone, status: 'running', attempts: [] }] });
    const failed = live(
      {
        gates: [ruleGate],
        steps: [
          { ...clone, compensation: { activity: 'terminateHost', status: 'succeeded', at: at + 6000 } },
          drain('failed', 3, 'target group gone'),
        ],
      },
      'compensating',
    );
    expect(remediationProgress(before, failed)).toEqual([
      '02:00:06 step clone (cloneHost) succeeded',
      '02:00:07 step drain (drainHost) started',
      '02:00:08 step drain (drainHost) retrying, attempt 2 (attempt 1 failed: throttled)',
      '02:00:09 step drain (drainHost) retrying, attempt 3 (attempt 2 failed: throttled)',
      '02:00:10 step drain (drainHost) failed after 3 attempts: target group gone',
      '02:00:11 step clone (cloneHost) compensated (terminateHost)',
      'phase compensating',
    ]);
    const undone = live(
      {
        gates: [ruleGate],
        steps: [
          { ...clone, compensation: { activity: 'terminateHost', status: 'failed', error: 'denied', at: at + 6000 } },
        ],
      },
      'compensating',
    );
    expect(remediationProgress(undefined, undone)).toEqual([
      '02:00:05 rule        pass   {"rule":"replace-unhealthy-host"}',
      '02:00:06 step clone (cloneHost) started',
      '02:00:06 step clone (cloneHost) succeeded',
      '02:00:11 step clone (cloneHost) compensation terminateHost failed: denied',
      'phase compensating',
    ]);
  });

  it('a read that could not reach the runbook repeats nothing and loses nothing the runbook had shown', () => {
    const running = live({ gates: [ruleGate, killSwitchGate], steps: [drain('running', 2)] }, 'compensating');
    // the runbook has just ended: the remediation's own status, its steps not yet taken from the run
    const missed = view(
      { gates: [ruleGate], steps: [], runbook_workflow_id: 'lock/host/i-0abc1234def567890' },
      { phase: 'running', runbook_unavailable: 'runbook run lock/host/i-0abc1234def567890 has ended (COMPLETED)' },
    );
    expect(remediationProgress(running, missed)).toEqual([]);
    const known = remediationKnown(running, missed);
    expect(known.phase).toBe('compensating');
    expect(known.trace!.gates).toEqual([ruleGate, killSwitchGate]);
    expect(known.trace!.steps).toEqual([drain('running', 2)]);
    // the remediation has taken the ended run's steps and gates: only the step's end is new
    const taken = view(
      { gates: [ruleGate, killSwitchGate], steps: [drain('succeeded', 2)] },
      { phase: 'finishing', runbook_unavailable: 'runbook run lock/host/i-0abc1234def567890 has ended (COMPLETED)' },
    );
    expect(remediationProgress(known, taken)).toEqual([
      '02:00:09 step drain (drainHost) succeeded after 2 attempts',
      'phase finishing',
    ]);
    // a read of the runbook answers for itself
    expect(remediationKnown(running, live({ steps: [] }))).toEqual(live({ steps: [] }));
  });

  it('says when it is paused and resumed, and cuts long gate details', () => {
    const running = view({}, { phase: 'running' });
    const paused = view({ paused: { reason: 'looking at it', actor: 'operator:1234abcd', at } }, { phase: 'paused' });
    expect(remediationProgress(running, paused)).toEqual(['paused: looking at it (by operator:1234abcd)']);
    expect(remediationProgress(paused, running)).toEqual(['resumed', 'phase running']);
    const long: GateRecord = { gate: 'governor', at, verdict: 'fail', detail: { note: 'x'.repeat(200) } };
    const [line] = remediationProgress(view({}), view({ gates: [long] }));
    expect(line).toMatch(/^02:00:05 governor    fail   \{"note":"x+…$/);
    expect(line.length).toBeLessThan(130);
  });

  it('keeps one space after a gate name longer than its column', () => {
    const busy: GateRecord = {
      gate: 'replacement_in_progress',
      at,
      verdict: 'fail',
      detail: { remediations: ['event/a'] },
    };
    expect(remediationProgress(view({}), view({ gates: [busy] }))).toEqual([
      '02:00:05 replacement_in_progress fail   {"remediations":["event/a"]}',
    ]);
  });

  it('is finished when Temporal has closed the workflow, not merely when the outcome is known', () => {
    expect(remediationFinished(view({}, { outcome: 'REMEDIATED' }))).toBe(false);
    expect(remediationFinished(view({}, { outcome: 'REMEDIATED', status: 'COMPLETED' }))).toBe(true);
    expect(remediationFinished(view({}, { status: 'TERMINATED' }))).toBe(true);
  });
});
