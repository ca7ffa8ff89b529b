import { formatConfigIssue } from '../../../core/config';
import { filesWith, issuesOf, snapshotOf } from './config-fixture';

const header = 'name: replace_host\nsteps:\n';
const drain = '  - id: drain\n    activity: drainHost\n    input:\n      instanceId: ${event.host}\n';

function runbookIssues(steps: string): string[] {
  return issuesOf(filesWith({ 'profiles/runbooks/replace_host.yaml': header + steps })).map(formatConfigIssue);
}

describe('runbook DAG validation', () => {
  it('rejects an activity that is not in the catalog', () => {
    expect(runbookIssues('  - id: drain\n    activity: rebootHost\n    input: {}\n')).toEqual([
      'profiles/runbooks/replace_host.yaml:4:5: steps[0].activity: unknown activity "rebootHost" (not in core/activity-catalog.ts)',
    ]);
  });

  it('rejects a step that lacks an input its activity requires', () => {
    expect(runbookIssues('  - id: drain\n    activity: drainHost\n    input:\n      drainTimeoutMs: 1000\n')).toEqual([
      'profiles/runbooks/replace_host.yaml:5:5: steps[0].input: drainHost requires input "instanceId"',
    ]);
  });

  it('rejects an input the activity does not take', () => {
    expect(runbookIssues(`${drain}      force: true\n`)).toEqual([
      'profiles/runbooks/replace_host.yaml:7:7: steps[0].input.force: drainHost takes no input "force" (it takes: instanceId, drainTimeoutMs, heartbeatTimeoutMs)',
    ]);
  });

  it('checks compensation activities and inputs too', () => {
    expect(
      runbookIssues(`${drain}    compensate:\n      activity: restoreHost\n      input: { instanceId: x }\n`),
    ).toEqual([
      'profiles/runbooks/replace_host.yaml:9:7: steps[0].compensate.input: restoreHost requires input "targetGroupArns"',
    ]);
  });

  it('rejects duplicate step ids', () => {
    expect(runbookIssues(drain + drain)).toEqual([
      'profiles/runbooks/replace_host.yaml:7:5: steps[1].id: duplicate step id "drain" (first used by steps[0])',
    ]);
  });

  it('rejects needs that name no step, and reports the steps downstream as unreachable', () => {
    const issues = runbookIssues(
      `${drain}    needs: [warmup]\n  - id: forensics\n    activity: keepForensics\n    needs: [drain]\n    input:\n      instanceId: \${event.host}\n      remediationId: \${remediation.id}\n`,
    );
    expect(issues).toEqual([
      'profiles/runbooks/replace_host.yaml:7:13: steps[0].needs[0]: needs unknown step "warmup"',
      'profiles/runbooks/replace_host.yaml:10:5: steps[1].needs: step "forensics" is unreachable: it depends on "drain", which can never run',
    ]);
  });

  it('rejects a cycle once, naming its steps, and marks what depends on it unreachable', () => {
    const issues = runbookIssues(
      [
        '  - id: a\n    activity: waitHealthy\n    needs: [b]\n    input: { instanceId: x }\n',
        '  - id: b\n    activity: waitHealthy\n    needs: [a]\n    input: { instanceId: x }\n',
        '  - id: c\n    activity: waitHealthy\n    needs: [b]\n    input: { instanceId: x }\n',
      ].join(''),
    );
    expect(issues).toEqual([
      'profiles/runbooks/replace_host.yaml:5:5: steps[0].needs: cycle: a → b → a',
      'profiles/runbooks/replace_host.yaml:13:5: steps[2].needs: step "c" is unreachable: it depends on "b", which can never run',
    ]);
  });

  it('rejects a step that needs itself as a cycle', () => {
    expect(
      runbookIssues('  - id: a\n    activity: waitHealthy\n    needs: [a]\n    input: { instanceId: x }\n'),
    ).toEqual(['profiles/runbooks/replace_host.yaml:5:5: steps[0].needs: cycle: a → a']);
  });

  it('rejects references to unknown event fields and malformed references', () => {
    const issues = runbookIssues(
      '  - id: drain\n    activity: drainHost\n    input:\n      instanceId: ${event.hostname}\n      drainTimeoutMs: ${ttl}\n',
    );
    expect(issues).toEqual([
      expect.stringContaining('steps[0].input.instanceId: ${event.hostname}: events have no field "hostname"'),
      expect.stringContaining('steps[0].input.drainTimeoutMs: malformed reference ${ttl}'),
    ]);
  });

  it('rejects references to parameters the profile using the runbook does not have', () => {
    const issues = runbookIssues(`${drain}      drainTimeoutMs: \${params.drain_wait}\n`);
    expect(issues).toEqual([
      expect.stringContaining(
        'replace_host.yaml:7:7: steps[0].input.drainTimeoutMs: ${params.drain_wait}: profile "basic" has no such parameter',
      ),
    ]);
  });

  it('accepts custom parameters the profile declares', () => {
    const snapshot = snapshotOf(
      filesWith({
        'profiles/runbooks/replace_host.yaml': `${header}${drain}      drainTimeoutMs: \${params.drain_wait}\n`,
        'profiles/basic.yaml': 'name: basic\nrules: [host_down]\nparams:\n  custom: { drain_wait: 1000 }\n',
      }),
    );
    expect(snapshot.services.web?.params.drain_wait).toBe(1000);
  });

  it('rejects remediation fields other than id', () => {
    expect(
      runbookIssues('  - id: drain\n    activity: drainHost\n    input:\n      instanceId: ${remediation.host}\n'),
    ).toEqual([expect.stringContaining('the only remediation field is ${remediation.id}')]);
  });

  it('rejects a reference to the output of a step that is not an ancestor', () => {
    const issues = runbookIssues(
      `${drain}  - id: verify\n    activity: waitHealthy\n    input:\n      instanceId: \${steps.clone.output.instanceId}\n  - id: clone\n    activity: cloneHost\n    needs: [drain]\n    input:\n      instanceId: \${event.host}\n      idempotencyKey: k\n`,
    );
    expect(issues).toEqual([
      expect.stringContaining(
        'steps[1].input.instanceId: ${steps.clone.output.instanceId}: step "clone" is not among the steps "verify" needs',
      ),
    ]);
  });

  it('accepts outputs of transitive ancestors', () => {
    const runbook = `${drain}  - id: clone\n    activity: cloneHost\n    needs: [drain]\n    input: { instanceId: i, idempotencyKey: k }\n  - id: register\n    activity: registerHost\n    needs: [clone]\n    input:\n      instanceId: i\n      targetGroupArns: \${steps.drain.output.targetGroupArns}\n`;
    expect(() => snapshotOf(filesWith({ 'profiles/runbooks/replace_host.yaml': header + runbook }))).not.toThrow();
  });

  it('rejects a reference to an output the activity does not produce', () => {
    const issues = runbookIssues(
      `${drain}  - id: verify\n    activity: waitHealthy\n    needs: [drain]\n    input:\n      instanceId: \${steps.drain.output.instanceId}\n`,
    );
    expect(issues).toEqual([
      expect.stringContaining('drainHost does not output "instanceId" (outputs: targetGroupArns)'),
    ]);
  });

  it('rejects a reference to a step that does not exist', () => {
    expect(
      runbookIssues(
        '  - id: drain\n    activity: drainHost\n    input:\n      instanceId: ${steps.boot.output.instanceId}\n',
      ),
    ).toEqual([expect.stringContaining('no step "boot" in this runbook')]);
  });

  it("lets a compensation use its own step's output", () => {
    const runbook = `${drain}    compensate:\n      activity: restoreHost\n      input:\n        instanceId: \${event.host}\n        targetGroupArns: \${steps.drain.output.targetGroupArns}\n`;
    expect(() => snapshotOf(filesWith({ 'profiles/runbooks/replace_host.yaml': header + runbook }))).not.toThrow();
  });

  it('rejects zero timeouts and a maximum retry interval below the initial one', () => {
    expect(
      issuesOf(
        filesWith({
          'profiles/runbooks/replace_host.yaml': `name: replace_host\nworkflow_timeout: 0m\nsteps:\n${drain}    timeout: 0s\n    retry: { initial_interval: 10s, maximum_interval: 5s }\n`,
        }),
      ).map(formatConfigIssue),
    ).toEqual([
      'profiles/runbooks/replace_host.yaml:2:1: workflow_timeout: must be longer than 0',
      'profiles/runbooks/replace_host.yaml:8:5: steps[0].timeout: must be longer than 0',
      'profiles/runbooks/replace_host.yaml:9:37: steps[0].retry.maximum_interval: must not be shorter than initial_interval (10s)',
    ]);
  });

  it('orders steps topologically, keeping file order between independent steps, and applies defaults', () => {
    const runbook = [
      '  - id: verify\n    activity: waitHealthy\n    needs: [clone]\n    input: { instanceId: i }\n',
      '  - id: clone\n    activity: cloneHost\n    input: { instanceId: i, idempotencyKey: k }\n    timeout: 10m\n    retry: { maximum_attempts: 5 }\n',
      '  - id: tag\n    activity: tagStandby\n    input: { instanceId: i, service: s }\n',
    ].join('');
    const snapshot = snapshotOf(filesWith({ 'profiles/runbooks/replace_host.yaml': header + runbook }));
    const resolved = snapshot.runbooks.replace_host;
    expect(resolved?.steps.map((step) => step.id)).toEqual(['clone', 'verify', 'tag']);
    expect(resolved?.workflow_timeout_ms).toBe(30 * 60_000);
    expect(resolved?.steps[0]).toMatchObject({
      timeout_ms: 600_000,
      retry: { maximum_attempts: 5, initial_interval_ms: 1000, backoff_coefficient: 2, maximum_interval_ms: 30_000 },
    });
    expect(resolved?.steps[1]?.timeout_ms).toBe(120_000);
  });
});
