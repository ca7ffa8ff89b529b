/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers are typed any */
// The kill switch through the REST API and the CLI: a region's and the control realm's all-regions switch, every
// change audited (who, when, why) and listed newest first, and reasons bounded so the state always fits a Query.
import os from 'node:os';
import { runCli } from '../../cli/main';
import { controlLimits } from '../../core/control';
import type { TestApi } from '../support/api-client';
import type { RemediationHarness } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';

let h: RemediationHarness;
let api: TestApi;
const stack = useTestStack({ temporal: true, harness: true, api: true });
beforeAll(() => ({ harness: h, api } = stack));

async function lazarus(args: string[], token = 'dev-operator-token'): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCli([...args, '--url', api.server.url, '--token', token], {
    stdout: (t) => void (out += t),
    stderr: (t) => void (out += t),
    cwd: os.tmpdir(),
    now: () => Date.now(),
  });
  return { code, out };
}

describe('kill switch audit', () => {
  it('the all-regions switch: set through the API, read with every region, audited, listed by the CLI', async () => {
    const before = Date.now();
    const on = await api.call('PUT', '/v1/killswitch?region=all-regions', {
      body: { scope: 'autoscaling', enabled: true, reason: 'scaling bug in every region' },
    });
    expect(on.status).toBe(200);
    await api.call('PUT', '/v1/killswitch?region=all-regions', {
      body: { scope: 'autoscaling', enabled: false, reason: 'fix deployed' },
    });

    const regional = await api.call('GET', `/v1/killswitch?region=${h.region}`, { role: 'viewer' });
    expect(regional.body).toMatchObject({
      region: h.region,
      all_regions: {
        kill_switch: {
          autoscaling: { enabled: false, reason: 'fix deployed', actor: expect.stringMatching(/^operator:/) },
        },
      },
    });
    const history = await api.call('GET', '/v1/killswitch/history?region=all-regions', { role: 'viewer' });
    expect(history.status).toBe(200);
    expect(history.body).toMatchObject({
      region: 'all-regions',
      total: 2,
      kept_at_most: controlLimits.historyMax,
      history: [
        {
          kind: 'kill_switch',
          scope: 'autoscaling',
          enabled: false,
          reason: 'fix deployed',
          actor: expect.stringMatching(/^operator:/),
        },
        { kind: 'kill_switch', scope: 'autoscaling', enabled: true, reason: 'scaling bug in every region' },
      ],
    });
    const [newest] = (history.body as { history: Array<{ at: number }> }).history;
    expect(newest.at).toBeGreaterThanOrEqual(before);

    const metrics = await api.call('GET', '/metrics', { role: 'none' });
    expect(metrics.text).toContain('lazarus_killswitch_enabled{region="all-regions",scope="autoscaling"} 0');

    const cli = await lazarus(['kill-switch', 'history', '--all-regions', '--limit', '1'], 'dev-viewer-token');
    expect(cli.code).toBe(0);
    expect(cli.out).toMatch(/^all regions: 1 of 2 changes, newest first/);
    expect(cli.out).toMatch(/kill switch\s+autoscaling\s+off\s+operator:\w+\s+fix deployed/);
    expect(cli.out).not.toContain('scaling bug');
  });

  it("a region's history lists kill switch and shadow changes; the CLI shows the all-regions switch in status", async () => {
    expect(
      (await lazarus(['killswitch', 'on', '--region', h.region, '--scope', 'host_replacement', '--reason', 'bad AMI']))
        .code,
    ).toBe(0);
    await lazarus(['shadow', 'on', '--region', h.region, '--scope', `service:${h.service}`, '--reason', 'trial']);
    await lazarus(['kill-switch', 'on', '--all-regions', '--reason', 'stop everything']);

    const history = await lazarus(['killswitch', 'history', '--region', h.region], 'dev-viewer-token');
    expect(history.out).toMatch(new RegExp(`shadow\\s+service:${h.service}\\s+ON\\s+operator:\\w+\\s+trial`));
    expect(history.out).toMatch(/kill switch\s+host_replacement\s+ON\s+operator:\w+\s+bad AMI/);
    expect(history.out.indexOf('trial')).toBeLessThan(history.out.indexOf('bad AMI'));
    const status = await lazarus(['killswitch', 'status', '--region', h.region], 'dev-viewer-token');
    expect(status.out).toMatch(/kill switch \(all regions\)\s+global\s+ON\s+operator:\w+/);
    await lazarus(['kill-switch', 'off', '--all-regions', '--reason', 'resumed']);
  });

  it('refuses what could not be kept or does not exist, naming the field', async () => {
    const long = await api.call('PUT', `/v1/killswitch?region=${h.region}`, {
      body: { scope: 'global', enabled: true, reason: 'x'.repeat(controlLimits.reasonMaxChars + 1) },
    });
    expect(long.status).toBe(400);
    expect(long.body).toMatchObject({ error: { message: expect.stringMatching(/^reason: at most 500 characters/) } });
    const shadow = await api.call('PUT', '/v1/shadow?region=all-regions', {
      body: { scope: 'global', enabled: true, reason: 'r' },
    });
    expect(shadow.status).toBe(400);
    const limit = await api.call('GET', `/v1/killswitch/history?region=${h.region}&limit=0`, { role: 'viewer' });
    expect(limit.status).toBe(400);
    expect(limit.body).toMatchObject({ error: { message: expect.stringMatching(/^limit: /) } });
  });
});
