/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON that the assertions check */
// Drills, explain --live and quarantine through the REST API and the lazarus CLI, on the real dev server with the
// harness's workers and a drill worker (dry-run activities).
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDrillActivities } from '../../activities/drill';
import { runCli } from '../../cli/main';
import { drillTaskQueue } from '../../contracts/workflow-ids';
import { startTestApi, type TestApi } from '../support/api-client';
import { RemediationHarness } from '../support/remediation-harness';
import { createTestWorker } from '../support/temporal';
import { useTestStack } from '../support/test-stack';

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
beforeAll(() => ({ env } = stack));

async function lazarus(
  api: TestApi,
  args: string[],
  token = 'dev-operator-token',
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli([...args, '--url', api.server.url, '--token', token], {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    cwd: os.tmpdir(),
    now: () => Date.now(),
  });
  return { code, out, err };
}

describe('know before acting, through the API and the CLI', () => {
  it('drill replay of a JSONL file: invalid lines named, the recorded gaps kept, the actions that would run, no page or step; explain --live names the kill switch; quarantine release needs a reason', async () => {
    const h = new RemediationHarness(env);
    const drillQueue = drillTaskQueue(h.taskQueue);
    const drillWorker = await createTestWorker(env, {
      taskQueue: drillQueue,
      activities: createDrillActivities({
        client: env.client,
        taskQueue: drillQueue,
        liveMatch: async (event) => Promise.resolve(h.match(event)),
      }),
    });
    const api = await startTestApi({ temporal: env.client, taskQueue: h.taskQueue, region: h.region });
    const drillRun = drillWorker.run();
    try {
      await h.run(async () => {
        // a JSONL file: two events (two hosts) 0.5 s apart and one invalid line
        const t0 = Date.now();
        const first = h.event({ occurred_at: new Date(t0).toISOString() });
        const second = h.event({ host: h.hosts[1].instanceId, occurred_at: new Date(t0 + 500).toISOString() });
        const lines = [
          JSON.stringify({ event: first, received_at: new Date(t0).toISOString() }),
          JSON.stringify({ event: second, received_at: new Date(t0 + 500).toISOString() }),
          JSON.stringify({ ...h.event(), service: '' }),
        ];
        const dir = await mkdtemp(path.join(os.tmpdir(), 'drill-'));
        const file = path.join(dir, 'burst.jsonl');
        await writeFile(file, `${lines.join('\n')}\n`);
        const drill = await lazarus(api, ['drill', 'replay', file, '--json']);
        expect(drill.err).toMatch(/skipped events\[2\]: service: /);
        expect(drill.code).toBe(0);
        const report = JSON.parse(drill.out);
        expect(report.events).toBe(2);
        expect(report.rows.map((r: { incident_key: string }) => r.incident_key)).toEqual([
          first.incident_key,
          second.incident_key,
        ]);
        expect(report.rows.map((r: { outcome: string }) => r.outcome)).toEqual(['REMEDIATED', 'REMEDIATED']);
        expect(report.rows[1].offset_ms).toBe(500);
        expect(report.rows[0].actions.map((a: { activity: string }) => a.activity)).toEqual(['drainHost', 'cloneHost']);
        expect(h.pages).toEqual([]);
        expect(h.stepCalls).toEqual([]);
        const table = await lazarus(api, ['drill', 'show', report.drill_id]);
        expect(table.out).toContain('REMEDIATED');
        expect(table.out).toContain('would act on');

        // explain --live through the API: the kill switch turned on through the API is named
        const on = await api.call('PUT', `/v1/killswitch?region=${h.region}`, {
          role: 'operator',
          body: { scope: 'global', enabled: true, reason: 'bad AMI rollout' },
        });
        expect(on.status).toBe(200);
        const explained = await api.call('POST', '/v1/explain', { role: 'viewer', body: h.event() });
        expect(explained.status).toBe(200);
        expect(explained.body.first_stop).toMatchObject({ gate: 'kill_switch', outcome: 'KILL_SWITCH' });
        expect(explained.body.first_stop.reason).toContain('bad AMI rollout');
        const eventFile = path.join(dir, 'event.json');
        await writeFile(eventFile, JSON.stringify(h.event()));
        const cli = await lazarus(api, ['explain', '--live', eventFile], 'dev-viewer-token');
        expect(cli.code).toBe(1);
        expect(cli.out).toContain('First gate that would stop it: kill_switch → KILL_SWITCH');
        const bad = await api.call('POST', '/v1/explain', { role: 'viewer', body: { ...h.event(), region: 7 } });
        expect(bad.status).toBe(400);

        // quarantine: the governor view carries it; a release needs an operator and a reason
        // (in a whole-suite run other files' governors are running with their workers gone: only this region's are read)
        const view = await api.call('GET', `/v1/governor?region=${h.region}`, { role: 'viewer' });
        expect({ status: view.status, quarantine: view.body.quarantine }).toMatchObject({
          status: 200,
          quarantine: { region: h.region },
        });
        const noReason = await api.call('POST', `/v1/quarantine/replace-unhealthy-host/release?region=${h.region}`, {
          role: 'operator',
          body: {},
        });
        expect(noReason.status).toBe(400);
        expect(JSON.stringify(noReason.body)).toContain('reason');
        const viewer = await lazarus(
          api,
          ['quarantine', 'release', 'replace-unhealthy-host', '--reason', 'x', '--region', h.region],
          'dev-viewer-token',
        );
        expect(viewer.code).toBe(3);
        const listed = await lazarus(api, ['quarantine', '--region', h.region], 'dev-viewer-token');
        expect(listed.out).toContain('0 rule(s) quarantined');
      });
    } finally {
      drillWorker.shutdown();
      await drillRun;
      await api.server.close();
    }
  });
});
