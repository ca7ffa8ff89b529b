// Determinism guard: recorded histories of remediations (test/replay/histories/*.json) must replay through the
// current workflow code. A change that would break running remediations fails here; such a change needs
// patched()/deprecatePatch() or a new workflow type. Record the histories of a deliberate, versioned change with
// LAZARUS_RECORD_HISTORIES=1 and LAZARUS_RECORD_AS=<its version marker>: they are added beside the older ones (files
// named ...-<marker>.json), so every recorded path keeps replaying.
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { execFileSync } from 'node:child_process';
import { remediate } from '../../workflows';
import { failingStep, RemediationHarness, step } from '../support/remediation-harness';
import { venvBin } from '../../devstack/paths';
import { stackValue } from '../support/stack-env';
import { useTestStack } from '../support/test-stack';
import { remediationWorkflowId } from '../../contracts/workflow-ids';

const historyDir = path.join(__dirname, '..', 'replay', 'histories');

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
beforeAll(() => ({ env } = stack));

const recordedAs = process.env.LAZARUS_RECORD_AS ? `-${process.env.LAZARUS_RECORD_AS}` : '';

async function record(name: string, harness: RemediationHarness, occurredAt?: string): Promise<void> {
  const event = harness.event({
    incident_key: `replay-${name}${recordedAs}`,
    ...(occurredAt ? { occurred_at: occurredAt } : {}),
  });
  await harness.run(() =>
    env.client.workflow.execute(remediate, {
      taskQueue: harness.taskQueue,
      workflowId: remediationWorkflowId(event.incident_key),
      args: [event, {}],
    }),
  );
  // The CLI writes the canonical JSON form that historyFromJSON reads.
  const show = (workflowId: string): string =>
    execFileSync(
      venvBin('temporal'),
      ['workflow', 'show', '-w', workflowId, '-o', 'json', '--address', stackValue('temporalAddress')],
      {
        encoding: 'utf8',
      },
    );
  const file = (kind: string) => path.join(historyDir, `${kind}-${name}${recordedAs}.json`);
  fs.writeFileSync(file('remediate'), show(remediationWorkflowId(event.incident_key)));
  // a decision that acts has a runbook run (the lock); a no-action one has none
  if (!occurredAt) fs.writeFileSync(file('runbook'), show(`lock/host/${harness.sickHost}`));
}

(process.env.LAZARUS_RECORD_HISTORIES === '1' ? it : it.skip)('records fresh histories', async () => {
  fs.mkdirSync(historyDir, { recursive: true });
  await record('remediated', new RemediationHarness(env));
  await record(
    'step-failed',
    new RemediationHarness(env, {
      steps: [
        step('drain', 'drainHost', [], {
          compensate: { activity: 'restoreHost', input: { instanceId: '${event.host}' } },
        }),
        step('clone', 'cloneHost', ['drain']),
      ],
      stepBehaviour: { cloneHost: failingStep('no capacity') },
    }),
  );
  // a no-action decision: an event past its acknowledgement window (LATE: a note on its page, the team told)
  await record('late', new RemediationHarness(env), new Date(Date.now() - 120_000).toISOString());
});

it('replays every recorded remediation history with the current workflow code', () => {
  const files = fs.readdirSync(historyDir).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThanOrEqual(4);
  const output = execFileSync(
    process.execPath,
    [path.join(__dirname, '..', 'replay', 'replay-histories.js'), stackValue('workflowBundle'), historyDir],
    { encoding: 'utf8' },
  );
  const results = JSON.parse(output) as Array<{ file: string; ok: boolean; error?: string }>;
  expect(results.map((r) => r.file).sort()).toEqual([...files].sort());
  const failures = results.filter((r) => !r.ok);
  expect(failures).toEqual([]);
});
