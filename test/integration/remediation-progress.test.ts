// Progress while a runbook runs: GET /v1/events/{key} reads the runbook run's live steps (the remediation has them
// only once the run ends), `lazarus events show` shows each step with its attempts, and `lazarus submit --wait`
// prints each step as it starts, retries and ends. Real dev server, real workflows and API; the drain step waits on
// latches the test opens, so every state is observed deterministically, without sleeps.
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON that the assertions check; jest matchers are typed any */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ApiDependencies } from '../../api/dependencies';
import type { RemediationDetail } from '../../api/types';
import { showRemediation } from '../../api/remediations';
import { runCli } from '../../cli/main';
import type { RemediationStatus } from '../../contracts/trace';
import { hostLockId } from '../../contracts/workflow-ids';
import { startTestApi, type TestApi } from '../support/api-client';
import { RemediationHarness, step } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';
import { until } from '../support/wait';

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
beforeAll(() => ({ env } = stack));

/** A one-shot signal between the test and a step activity. */
function latch(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Runs `lazarus` in-process against the test's API; `output` fills as the command writes. */
async function lazarus(
  api: TestApi,
  args: string[],
  output: { out: string; err: string } = { out: '', err: '' },
): Promise<{ code: number; out: string; err: string }> {
  const code = await runCli([...args, '--url', api.server.url, '--token', 'dev-operator-token'], {
    stdout: (t) => void (output.out += t),
    stderr: (t) => void (output.err += t),
    cwd: os.tmpdir(),
    now: () => Date.now(),
  });
  return { code, ...output };
}

const gateNames = (body: unknown): string[] => (body as RemediationDetail).trace!.gates.map((g) => g.gate);

describe('progress of a running runbook', () => {
  it('GET /v1/events/{key}, events show and submit --wait show a step running, failing, retried and ended', async () => {
    // drain: attempt 1 fails (retryable), attempt 2 succeeds; each attempt runs until the test opens its latch
    const started = [latch(), latch()];
    const release = [latch(), latch()];
    const h = new RemediationHarness(env, {
      steps: [step('drain', 'drainHost'), step('clone', 'cloneHost', ['drain'])],
      stepBehaviour: {
        drainHost: async (_input, attempt) => {
          started[attempt - 1].open();
          await release[attempt - 1].opened;
          if (attempt === 1) throw new Error('throttled by the load balancer API');
          return { targetGroupArns: [] };
        },
      },
    });
    const key = `progress-${randomUUID()}`;
    const path = `/v1/events/${encodeURIComponent(key)}`;
    const lock = hostLockId(h.sickHost);
    await h.run(async () => {
      const api = await startTestApi({ temporal: env.client, taskQueue: h.taskQueue, region: h.region });
      try {
        const progress = { out: '', err: '' };
        const submitted = lazarus(
          api,
          [
            'submit',
            '--service',
            h.service,
            '--type',
            'HealthcheckDown',
            '--host',
            h.sickHost,
            '--region',
            h.region,
            '--key',
            key,
            '--wait',
            '--timeout',
            '50s',
          ],
          progress,
        );

        // 1. the first attempt of drain runs: the steps come live from the runbook run
        await started[0].opened;
        const running = await api.call('GET', path, { role: 'viewer' });
        expect(running.status).toBe(200);
        expect(running.body).toMatchObject({ status: 'RUNNING', phase: 'running', steps_source: 'runbook' });
        expect(running.body.outcome).toBeUndefined();
        expect(running.body.runbook_unavailable).toBeUndefined();
        expect(running.body.trace.runbook_workflow_id).toBe(lock);
        // the runbook's gates (the kill switch and the breaker, read before its first step) follow the remediation's
        expect(gateNames(running.body).slice(-3)).toEqual(['lock', 'kill_switch', 'breaker']);
        expect(running.body.trace.steps).toEqual([
          expect.objectContaining({
            id: 'drain',
            activity: 'drainHost',
            status: 'running',
            started_at: expect.any(Number),
            attempts: [{ attempt: 1, started_at: expect.any(Number) }],
          }),
          { id: 'clone', activity: 'cloneHost', status: 'waiting', attempts: [] },
        ]);
        const shownRunning = await lazarus(api, ['events', 'show', key]);
        expect(shownRunning.code).toBe(0);
        expect(shownRunning.out).toContain(`runbook steps (live, from ${lock}):`);
        expect(shownRunning.out).toMatch(/^drain\s+drainHost\s+running\s+1\s+0\s+\S+Z\s+-\s+-\s+-$/m);
        expect(shownRunning.out).toMatch(/^clone\s+cloneHost\s+waiting\s+0\s+0\s+-/m);
        // submit --wait has printed the step's start (it reads every second)
        await until(
          async () => Promise.resolve(progress.err),
          (err) => err.includes('step drain (drainHost) started'),
        );

        // 2. attempt 1 fails; attempt 2 runs, the failed attempt kept with its error
        release[0].open();
        await started[1].opened;
        const retried = await api.call('GET', path, { role: 'viewer' });
        expect(retried.body).toMatchObject({ status: 'RUNNING', steps_source: 'runbook' });
        const drain = retried.body.trace.steps[0];
        expect(drain).toMatchObject({ id: 'drain', status: 'running' });
        expect(drain.error).toBeUndefined();
        expect(drain.attempts).toEqual([
          {
            attempt: 1,
            started_at: expect.any(Number),
            ended_at: expect.any(Number),
            error: 'throttled by the load balancer API',
            error_type: 'Error',
          },
          { attempt: 2, started_at: expect.any(Number) },
        ]);
        expect(drain.attempts[1].started_at).toBeGreaterThanOrEqual(drain.attempts[0].ended_at as number);
        const shownRetried = await lazarus(api, ['events', 'show', key]);
        expect(shownRetried.out).toMatch(
          /^drain\s+drainHost\s+running\s+2\s+1\s+\S+Z\s+-\s+attempt 1: throttled by the load balancer API\s+-$/m,
        );
        expect(shownRetried.out).toMatch(/^drain\s+1\s+\S+Z\s+\S+Z\s+Error: throttled by the load balancer API$/m);
        expect(shownRetried.out).toMatch(/^drain\s+2\s+\S+Z\s+\(running\)\s+-$/m);
        await until(
          async () => Promise.resolve(progress.err),
          (err) =>
            err.includes(
              'step drain (drainHost) retrying, attempt 2 (attempt 1 failed: throttled by the load balancer API)',
            ),
        );

        // 3. attempt 2 succeeds, clone runs, the remediation ends with the runbook's final steps
        release[1].open();
        const waited = await submitted;
        expect(waited.code).toBe(0);
        const done = await api.call('GET', path, { role: 'viewer' });
        expect(done.body).toMatchObject({ status: 'COMPLETED', outcome: 'REMEDIATED', steps_source: 'remediation' });
        expect(done.body.runbook_unavailable).toBeUndefined();
        expect(done.body.trace.steps).toEqual([
          expect.objectContaining({
            id: 'drain',
            status: 'succeeded',
            attempts: [
              expect.objectContaining({ attempt: 1, error: 'throttled by the load balancer API' }),
              { attempt: 2, started_at: expect.any(Number), ended_at: expect.any(Number) },
            ],
          }),
          expect.objectContaining({
            id: 'clone',
            status: 'succeeded',
            attempts: [{ attempt: 1, started_at: expect.any(Number), ended_at: expect.any(Number) }],
          }),
        ]);
        expect(gateNames(done.body).filter((gate) => gate === 'kill_switch')).toHaveLength(1);

        // submit --wait printed each step as it started, retried and ended, once each and in order
        const lines = waited.err.split('\n');
        const expected = [
          'step drain (drainHost) started',
          'step drain (drainHost) retrying, attempt 2 (attempt 1 failed: throttled by the load balancer API)',
          'step drain (drainHost) succeeded after 2 attempts',
          'step clone (cloneHost) started',
          'step clone (cloneHost) succeeded',
          'outcome REMEDIATED',
        ];
        const found = expected.map((text) => lines.filter((line) => line.includes(text)));
        expect(found.map((matches) => matches.length)).toEqual(expected.map(() => 1));
        const order = expected.map((text) => lines.findIndex((line) => line.includes(text)));
        expect([...order].sort((a, b) => a - b)).toEqual(order);
        expect(waited.out).toMatch(/outcome\s+REMEDIATED/);
        expect(waited.out).toMatch(/^drain\s+drainHost\s+succeeded\s+2\s+1\s/m);
      } finally {
        for (const l of release) l.open();
        await api.server.close();
      }
    });
  });
});

/**
 * The fallbacks, which a real run shows only for a moment (the run ends between the two reads) or not at all: a
 * stand-in Temporal client whose remediation is running its runbook `lock/host/i-1`.
 */
describe('GET /v1/events/{key} when the runbook run cannot be read', () => {
  const parentRunId = 'run-of-the-remediation';
  const remediation: RemediationStatus = {
    workflow_id: 'event/k',
    incident_key: 'k',
    event: {
      incident_key: 'k',
      event_type: 'HealthcheckDown',
      source: 'api',
      service: 'web',
      host: 'i-1',
      region: 'us-east-1',
      environment: 'prod',
      occurred_at: '2026-11-22T02:00:00Z',
    },
    phase: 'running',
    started_at: 1,
    shadow: false,
    runbook_workflow_id: 'lock/host/i-1',
    gates: [{ gate: 'lock', at: 2, verdict: 'pass', detail: { lock: 'lock/host/i-1' } }],
    steps: [],
    following_pages: [],
  };
  const runbook: RemediationStatus = {
    ...remediation,
    workflow_id: 'lock/host/i-1',
    gates: [{ gate: 'kill_switch', at: 3, verdict: 'pass', detail: {} }],
    steps: [{ id: 'drain', activity: 'drainHost', status: 'running', attempts: [{ attempt: 1, started_at: 4 }] }],
  };

  /** The stand-in: the remediation answers `status`; the runbook run is described and queried as `child` says. */
  function deps(
    parent: RemediationStatus,
    child: { status: string; parentRunId: string; query: () => Promise<RemediationStatus> },
  ): { deps: ApiDependencies; asked: string[] } {
    const asked: string[] = [];
    const handle = (id: string, runId?: string) => ({
      describe: async () => {
        asked.push(`describe ${id}`);
        return Promise.resolve({
          runId: id === parent.workflow_id ? parentRunId : 'run-of-the-runbook',
          status: { name: id === parent.workflow_id ? 'RUNNING' : child.status },
          typedSearchAttributes: { get: () => undefined },
          ...(id === parent.workflow_id
            ? {}
            : { parentExecution: { workflowId: parent.workflow_id, runId: child.parentRunId } }),
        });
      },
      query: async () => {
        asked.push(`query ${id}${runId ? ` ${runId}` : ''}`);
        return id === parent.workflow_id ? Promise.resolve(parent) : await child.query();
      },
    });
    const temporal = {
      withDeadline: async <T>(_deadline: number, call: () => Promise<T>) => await call(),
      withAbortSignal: async <T>(_signal: AbortSignal, call: () => Promise<T>) => await call(),
      workflow: { getHandle: handle },
    } as unknown as Client;
    return { deps: { temporal, taskQueue: 'q', region: 'us-east-1' }, asked };
  }

  it('merges the live runbook run when it answers, pinned to the run that is this remediation`s child', async () => {
    const { deps: d, asked } = deps(remediation, {
      status: 'RUNNING',
      parentRunId,
      query: async () => Promise.resolve(runbook),
    });
    const shown = await showRemediation(d, 'k');
    expect(shown).toMatchObject({ steps_source: 'runbook', phase: 'running' });
    expect(shown.runbook_unavailable).toBeUndefined();
    expect(shown.trace?.steps).toEqual(runbook.steps);
    expect(shown.trace?.gates.map((g) => g.gate)).toEqual(['lock', 'kill_switch']);
    expect(asked).toEqual([
      'describe event/k',
      'query event/k',
      'describe lock/host/i-1',
      'query lock/host/i-1 run-of-the-runbook',
    ]);
  });

  it('falls back to the remediation`s status, saying why, when the run has ended, is not its child or fails', async () => {
    const cases = [
      { status: 'COMPLETED', parentRunId, why: 'runbook run lock/host/i-1 has ended (COMPLETED)' },
      {
        status: 'RUNNING',
        parentRunId: 'run-of-a-later-remediation',
        why: 'lock/host/i-1 is not the runbook run of this remediation (the lock changed hands)',
      },
      {
        status: 'RUNNING',
        parentRunId,
        failure: new Error('query timed out'),
        why: 'runbook run lock/host/i-1 did not answer: query timed out',
      },
    ];
    for (const { status, parentRunId: childParent, failure, why } of cases) {
      const { deps: d } = deps(remediation, {
        status,
        parentRunId: childParent,
        query: async () => (failure ? Promise.reject(failure) : Promise.resolve(runbook)),
      });
      const shown = await showRemediation(d, 'k');
      expect(shown).toMatchObject({ status: 'RUNNING', steps_source: 'remediation', runbook_unavailable: why });
      expect(shown.trace).toEqual(remediation);
    }
  });

  it('does not ask the runbook run once the remediation has its outcome', async () => {
    const decided: RemediationStatus = { ...remediation, phase: 'finishing', outcome: 'REMEDIATED' };
    const { deps: d, asked } = deps(decided, {
      status: 'COMPLETED',
      parentRunId,
      query: async () => Promise.resolve(runbook),
    });
    const shown = await showRemediation(d, 'k');
    expect(shown).toMatchObject({ steps_source: 'remediation', outcome: 'REMEDIATED' });
    expect(shown.runbook_unavailable).toBeUndefined();
    expect(asked).toEqual(['describe event/k', 'query event/k']);
  });
});
