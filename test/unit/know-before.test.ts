// Pure parts of drills and rule quarantine: the quarantine thresholds, the drill's timeline and report, the sandbox
// ids, the window compression of the dry-run configuration, the JSONL reader, and the deployment file's quarantine:.
import {
  defaultQuarantineThresholds,
  recordRuleRun,
  releaseRule,
  type RuleRecord,
  type RuleRun,
} from '../../core/quarantine';
import { buildDrillReport, drillRow, replayTimeline } from '../../workflows/drill-report';
import { compress, createDrillActivities } from '../../activities/drill';
import { createEntityActivities } from '../../activities/entities';
import type { Client } from '@temporalio/client';
import { entityPrefixOf, hostLockId, regionalGovernorId, drillIdOf } from '../../contracts/workflow-ids';
import { parseJsonLines } from '../../cli/commands/drill';
import type { LazarusEvent } from '../../core/event';
import type { MatchResult } from '../../core/resolved-config';
import type { RemediationStatus } from '../../contracts/trace';
import type { DrillInput } from '../../contracts/drill';
import { filesWith, issuesOf, snapshotOf } from './config/config-fixture';

const run = (i: number, outcome: string): RuleRun => ({
  workflow_id: `event/k${i}`,
  incident_key: `k${i}`,
  service: 'web',
  outcome,
  reason: outcome,
  at: i,
});

function feed(outcomes: string[], thresholds = defaultQuarantineThresholds): RuleRecord {
  let record: RuleRecord = { rule: 'r', runs: [] };
  outcomes.forEach((outcome, i) => {
    record = recordRuleRun(record, run(i, outcome), 'us-east-1', thresholds).record;
  });
  return record;
}

describe('rule quarantine thresholds', () => {
  it('three failed runs in a row quarantine the rule with them as evidence', () => {
    const record = feed(['REMEDIATED', 'STEP_FAILED', 'TIMED_OUT', 'STEP_FAILED']);
    expect(record.quarantine?.why).toBe('3 failed runs in a row (threshold 3)');
    expect(record.quarantine?.evidence.map((r) => r.incident_key)).toEqual(['k1', 'k2', 'k3']);
  });

  it('two failures, a success, a failure: not in a row, not quarantined', () => {
    expect(feed(['STEP_FAILED', 'STEP_FAILED', 'REMEDIATED', 'STEP_FAILED']).quarantine).toBeUndefined();
  });

  it('a success rate under 50% over the last 10 runs quarantines, only once 10 runs are recorded', () => {
    const pattern = ['STEP_FAILED', 'STEP_FAILED', 'REMEDIATED'];
    const nine = Array.from({ length: 9 }, (_, i) => pattern[i % 3]);
    expect(feed(nine).quarantine).toBeUndefined();
    const ten = [...nine, 'STEP_FAILED'];
    expect(feed(ten).quarantine?.why).toBe('success rate 30% over the last 10 runs (threshold 50%)');
  });

  it('outcomes where the runbook did not run do not count; a duplicate report counts once', () => {
    expect(feed(['STEP_FAILED', 'SHADOW', 'KILL_SWITCH', 'STEP_FAILED']).runs).toHaveLength(2);
    let record: RuleRecord = { rule: 'r', runs: [] };
    for (let i = 0; i < 3; i++)
      record = recordRuleRun(record, run(1, 'STEP_FAILED'), 'x', defaultQuarantineThresholds).record;
    expect(record.runs).toHaveLength(1);
  });

  it('stays quarantined whatever comes until released; a release starts afresh; disabled never quarantines', () => {
    const quarantined = feed(['STEP_FAILED', 'STEP_FAILED', 'STEP_FAILED', 'REMEDIATED', 'REMEDIATED']);
    expect(quarantined.quarantine).toBeDefined();
    expect(releaseRule(quarantined)).toEqual({ rule: 'r', runs: [] });
    expect(
      feed(['STEP_FAILED', 'STEP_FAILED', 'STEP_FAILED'], { ...defaultQuarantineThresholds, enabled: false })
        .quarantine,
    ).toBeUndefined();
  });

  it('services/deployment.yaml quarantine: sets the thresholds; a bad value names the field', () => {
    const deployment = 'region: us-east-1\nquarantine:\n  consecutive_failures: 5\n  min_success_rate: 0.8\n';
    const snapshot = snapshotOf(filesWith({ 'services/deployment.yaml': deployment }));
    expect(snapshot.deployment.quarantine).toEqual({
      enabled: true,
      consecutive_failures: 5,
      min_success_rate: 0.8,
      window_runs: 10,
    });
    const issues = issuesOf(
      filesWith({ 'services/deployment.yaml': 'region: us-east-1\nquarantine:\n  min_success_rate: 2\n' }),
    );
    expect(JSON.stringify(issues)).toContain('min_success_rate');
  });
});

describe('the drill worker', () => {
  it('serves every entity activity a remediation calls (on the drill sandbox), so no drill fails on an unregistered one', () => {
    // never called here: only the activities' names are compared
    const client = {} as Client;
    const entityNames = Object.keys(createEntityActivities({ client, taskQueue: 'q' }));
    const drill = createDrillActivities({
      client,
      taskQueue: 'q-drill',
      liveMatch: () => Promise.reject(new Error('unused')),
    });
    // readLiveGates is explain --live's, which no drill runs
    expect(entityNames.filter((name) => !(name in drill) && name !== 'readLiveGates')).toEqual([]);
  });
});

describe('drill sandbox ids', () => {
  it('a drill workflow reaches only ids under its prefix', () => {
    expect(entityPrefixOf('drill/abc/event/k1')).toBe('drill/abc/');
    expect(entityPrefixOf('event/k1')).toBe('');
    expect(drillIdOf('drill/abc/governor/service/web')).toBe('abc');
    expect(drillIdOf('governor/service/web')).toBeUndefined();
    expect(hostLockId('i-1', 'drill/abc/')).toBe('drill/abc/lock/host/i-1');
    expect(regionalGovernorId('us-east-1')).toBe('governor/region/us-east-1');
  });
});

const event = (key: string, occurred: string, service = 'web'): LazarusEvent => ({
  incident_key: key,
  event_type: 'HealthcheckDown',
  source: 'api',
  service,
  host: `i-${key}`,
  region: 'us-east-1',
  environment: 'prod',
  occurred_at: occurred,
});

describe('drill timeline and report', () => {
  it('keeps the received order and gaps divided by the speed, and each event`s age at receipt', () => {
    const t0 = Date.parse('2026-11-24T10:00:00Z');
    const timeline = replayTimeline(
      [
        { event: event('b', '2026-11-24T10:00:50Z'), received_at: t0 + 60_000 },
        { event: event('a', '2026-11-24T09:59:58Z'), received_at: t0 },
      ],
      10,
    );
    expect(timeline.map((i) => [i.event.incident_key, i.offset_ms, i.replay_offset_ms, i.age_ms])).toEqual([
      ['a', 0, 0, 2000],
      ['b', 60_000, 6000, 10_000],
    ]);
  });

  it('reports the breaker opening, rate-limited services, actions and the differences from what happened', () => {
    const status = (
      outcome: string,
      gate?: { gate: 'governor'; breaker: string; limited?: boolean },
    ): RemediationStatus => ({
      workflow_id: 'w',
      incident_key: 'k',
      event: event('k', '2026-11-24T10:00:00Z'),
      phase: 'done',
      started_at: 0,
      outcome: outcome as RemediationStatus['outcome'],
      shadow: false,
      gates: gate
        ? [
            {
              gate: 'governor',
              at: 0,
              verdict: outcome === 'REMEDIATED' ? 'pass' : 'fail',
              detail: {
                breaker: { state: gate.breaker },
                rate_limit: { count: 1, threshold: 5, limited: !!gate.limited },
              },
            },
          ]
        : [],
      steps:
        outcome === 'REMEDIATED'
          ? [{ id: 'drain', activity: 'drainHost', status: 'succeeded', input: { instanceId: 'i-k' }, attempts: [] }]
          : [],
      following_pages: [],
    });
    const items = replayTimeline(
      ['a', 'b', 'c', 'd'].map((k, i) => ({
        event: event(k, '2026-11-24T10:00:00Z', k === 'd' ? 'api' : 'web'),
        received_at: i,
        actual: {
          workflow_id: `event/${k}`,
          outcome: i < 2 ? 'REMEDIATED' : 'CIRCUIT_OPEN',
          ...(i < 2 ? {} : { stopped_at: 'governor' as const, breaker: 'open' as const }),
        },
      })),
      1,
    );
    const rows = [
      drillRow(items[3], 'w3', status('RATE_LIMITED', { gate: 'governor', breaker: 'closed', limited: true })),
      drillRow(items[0], 'w0', status('REMEDIATED', { gate: 'governor', breaker: 'closed' })),
      drillRow(items[1], 'w1', status('CIRCUIT_OPEN', { gate: 'governor', breaker: 'open' })),
      drillRow(items[2], 'w2', status('CIRCUIT_OPEN', { gate: 'governor', breaker: 'open' })),
    ];
    const input = { drill_id: 'x', actor: 'me', speed: 1, preconditions: 'pass' } as DrillInput;
    const report = buildDrillReport(input, rows, 0, 1);
    expect(report.rows.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(report.breaker_opened.map((b) => b.index)).toEqual([1]);
    expect(report.actual_breaker_opened.map((b) => b.index)).toEqual([2]);
    expect(report.rate_limited).toEqual([{ service: 'api', events: 1, first_index: 3 }]);
    expect(report.would_act).toEqual([
      { index: 0, incident_key: 'a', actions: [{ id: 'drain', activity: 'drainHost', input: { instanceId: 'i-k' } }] },
    ]);
    expect(report.differences.map((d) => [d.index, d.drill, d.actual])).toEqual([
      [1, 'CIRCUIT_OPEN at governor', 'REMEDIATED'],
      [3, 'RATE_LIMITED at governor', 'CIRCUIT_OPEN at governor'],
    ]);
    expect(report.outcomes).toEqual({ REMEDIATED: 1, CIRCUIT_OPEN: 2, RATE_LIMITED: 1 });
  });

  it('the dry-run configuration divides every window by the speed and sends the checker nodes to the drill queue', () => {
    const match = {
      service: { max_event_age_ms: 60_000, rate_limit: { threshold: 5, window_ms: 600_000 } },
      deployment: {
        checker_nodes: [{ name: 'a', zone: 'a', task_queue: 'lazarus-checker-a' }],
        breaker: { open_threshold: 5, close_threshold: 2, window_ms: 600_000 },
      },
    } as unknown as MatchResult;
    const compressed = compress(match, 60, 'lazarus-drill');
    expect(compressed.service?.rate_limit.window_ms).toBe(10_000);
    expect(compressed.service?.max_event_age_ms).toBe(1000);
    expect(compressed.deployment.breaker.window_ms).toBe(10_000);
    expect(compressed.deployment.checker_nodes[0].task_queue).toBe('lazarus-drill');
  });
});

describe('lazarus drill replay FILE', () => {
  it('reads one JSON value a line, skips blank lines, and names a bad line', () => {
    expect(parseJsonLines('{"a":1}\n\n{"b":2}\n', 'f.jsonl')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(() => parseJsonLines('{"a":1}\nnot json\n', 'f.jsonl')).toThrow(/f.jsonl line 2 is not JSON/);
  });
});
