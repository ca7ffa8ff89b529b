// The progress lines `lazarus submit --wait` prints while a remediation runs (pure: two reads in, lines out).
import type { RemediationView } from '../../../cli/commands/events';
import { remediationFinished, remediationProgress } from '../../../cli/commands/remediation-progress';

type Trace = NonNullable<RemediationView['trace']>;
const at = Date.parse('2026-11-22T02:00:05Z');

function view(trace: Partial<Trace>, extra: Partial<RemediationView> = {}): RemediationView {
  return {
    incident_key: 'demo-1',
    status: 'RUNNING',
    phase: 'deciding',
    trace: {
      event: { service: 'web', host: 'i-0abc1234def567890', event_type: 'HealthcheckDown' },
      shadow: false,
      gates: [],
      steps: [],
      ...trace,
    },
    ...extra,
  };
}

const ruleGate = { gate: 'rule', at, verdict: 'pass', detail: { rule: 'replace-unhealthy-host' } };
const quorumGate = { gate: 'quorum', at: at + 1000, verdict: 'pass', detail: { yes: 3 } };
const drain = (status: string, attempts = 1, error?: string): Trace['steps'][number] => ({
  id: 'drain',
  activity: 'drainHost',
  status,
  attempts: Array.from({ length: attempts }, (_, i) => ({ started_at: at + 2000 + i * 1000 })),
  ...(status === 'succeeded' ? { ended_at: at + 2000 + attempts * 1000 } : {}),
  ...(error ? { error } : {}),
});

describe('remediation progress', () => {
  it('the first read prints every gate so far, then the phase', () => {
    expect(remediationProgress(undefined, view({ gates: [ruleGate] }))).toEqual([
      '02:00:05 rule        pass   {"rule":"replace-unhealthy-host"}',
      'phase deciding',
    ]);
  });

  it('a later read prints only what is new: gates, a step starting and retrying', () => {
    const first = view({ gates: [ruleGate], steps: [drain('waiting')] });
    const second = view({ gates: [ruleGate, quorumGate], steps: [drain('running')] }, { phase: 'running' });
    expect(remediationProgress(first, second)).toEqual([
      '02:00:06 quorum      pass   {"yes":3}',
      '02:00:07 step drain (drainHost) running',
      'phase running',
    ]);
    const third = view({ gates: second.trace!.gates, steps: [drain('running', 2, 'throttled')] }, { phase: 'running' });
    expect(remediationProgress(second, third)).toEqual([
      '02:00:08 step drain (drainHost) running (attempt 2): throttled',
    ]);
    expect(remediationProgress(third, third)).toEqual([]);
  });

  it('puts a step where it happened among the gates of the same read, and ends with the outcome', () => {
    const resolve = { gate: 'resolve', at: at + 9000, verdict: 'pass', detail: {} };
    const done = view(
      { gates: [ruleGate, quorumGate, resolve], steps: [drain('succeeded', 1)] },
      { phase: 'done', outcome: 'REMEDIATED', reason: 'replace_host completed', status: 'COMPLETED' },
    );
    expect(remediationProgress(view({ gates: [ruleGate] }), done)).toEqual([
      '02:00:06 quorum      pass   {"yes":3}',
      '02:00:08 step drain (drainHost) succeeded',
      '02:00:14 resolve     pass   {}',
      'phase done',
      'outcome REMEDIATED: replace_host completed',
    ]);
  });

  it('says when it is paused and resumed, and cuts long gate details', () => {
    const running = view({}, { phase: 'running' });
    const paused = view({ paused: { reason: 'looking at it', actor: 'operator:1234abcd' } }, { phase: 'paused' });
    expect(remediationProgress(running, paused)).toEqual(['paused: looking at it (by operator:1234abcd)']);
    expect(remediationProgress(paused, running)).toEqual(['resumed', 'phase running']);
    const long = { gate: 'governor', at, verdict: 'fail', detail: { note: 'x'.repeat(200) } };
    const [line] = remediationProgress(view({}), view({ gates: [long] }));
    expect(line).toMatch(/^02:00:05 governor    fail   \{"note":"x+…$/);
    expect(line.length).toBeLessThan(130);
  });

  it('keeps one space after a gate name longer than its column', () => {
    const busy = { gate: 'replacement_in_progress', at, verdict: 'fail', detail: { remediations: ['event/a'] } };
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
