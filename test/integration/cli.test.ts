/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers (expect.any, ...) are typed any */
// The API commands of `lazarus`, run in-process against a running API on the dev server (remediations by
// RemediationHarness workers).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { runCli } from '../../cli/main';
import { LazarusRegion, LazarusService } from '../../contracts/search-attributes';
import { serviceGovernorId } from '../../contracts/workflow-ids';
import { startTestApi, type TestApi } from '../support/api-client';
import type { RemediationHarness } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';
import { until } from '../support/wait';

let h: RemediationHarness;
let api: TestApi;
const stack = useTestStack({ temporal: true, harness: true, api: true });
beforeAll(() => ({ harness: h, api } = stack));

async function lazarus(
  args: string[],
  token: string | null = 'dev-operator-token',
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli([...args, '--url', api.server.url, ...(token ? ['--token', token] : [])], {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    cwd: os.tmpdir(),
    now: () => Date.now(),
  });
  return { code, out, err };
}

describe('lazarus CLI against the API', () => {
  it('submit by flags starts a remediation; events show prints its outcome and trace; events list finds it', async () => {
    const key = `cli-${Date.now()}`;
    const submitted = await lazarus(
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
      ],
      'dev-sensor-token',
    );
    expect(submitted).toMatchObject({ code: 0, out: expect.stringContaining(`accepted ${key}: remediation started`) });

    const shown = await until(
      () => lazarus(['events', 'show', key], 'dev-viewer-token'),
      (r) => r.out.includes('REMEDIATED'),
    );
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/outcome\s+REMEDIATED/);
    expect(shown.out).toMatch(/quorum\s+pass/);
    expect(shown.out).toMatch(/drain\s+drainHost\s+succeeded/);

    const listed = await until(
      () => lazarus(['events', 'list', '--service', h.service, '--json'], 'dev-viewer-token'),
      (r) => r.out.includes(key) && r.out.includes('REMEDIATED'),
    );
    const parsed = JSON.parse(listed.out) as { events: Array<{ incident_key: string; outcome?: string }> };
    expect(parsed.events).toEqual([expect.objectContaining({ incident_key: key, outcome: 'REMEDIATED' })]);
    const table = await lazarus(['events', 'list', '--service', h.service], 'dev-viewer-token');
    expect(table.out.split('\n')[0]).toMatch(/^STARTED\s+INCIDENT\s+SERVICE\s+HOST\s+RULE\s+STATUS\s+OUTCOME$/);
  });

  it('submit --wait follows the remediation to its outcome, printing the decision trace as it grows', async () => {
    const key = `cli-wait-${Date.now()}`;
    const result = await lazarus(
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
        '45s',
      ],
      'dev-operator-token',
    );
    expect(result.code).toBe(0);
    expect(result.err).toContain(`accepted ${key}: remediation started; waiting for its outcome`);
    const progress = result.err.split('\n');
    const order = ['rule', 'quorum', 'step drain (drainHost) succeeded', 'outcome REMEDIATED'].map((text) =>
      progress.findIndex((line) => line.includes(text)),
    );
    expect(order.every((index) => index > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(result.out).toMatch(/status\s+COMPLETED/);
    expect(result.out).toMatch(/outcome\s+REMEDIATED/);
  });

  it('submit --wait gives up after --timeout with exit 6, and needs a token that may read', async () => {
    const submit = (key: string, timeout: string, token: string): Promise<{ code: number; out: string; err: string }> =>
      lazarus(
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
        ].concat(['--key', key, '--wait', '--timeout', timeout]),
        token,
      );
    const key = `cli-timeout-${Date.now()}`;
    const impatient = await submit(key, '1ms', 'dev-operator-token');
    expect(impatient.code).toBe(6);
    expect(impatient.err).toContain(`no outcome within 1ms; it goes on: lazarus events show ${key}`);
    await until(
      () => lazarus(['events', 'show', key], 'dev-viewer-token'),
      (r) => r.out.includes('COMPLETED'),
    );
    const sensorKey = `cli-sensor-${Date.now()}`;
    const sensor = await submit(sensorKey, '30s', 'dev-sensor-token');
    expect(sensor.code).toBe(3);
    expect(sensor.err).toContain('following a remediation needs a viewer or operator token');
    await until(
      () => lazarus(['events', 'show', sensorKey], 'dev-viewer-token'),
      (r) => r.out.includes('COMPLETED'),
    );
    expect((await lazarus(['submit', '--service', 'web', '--type', 'ScaleUp', '--timeout', '5s'])).code).toBe(2);
  });

  it('submit of an event file with a schema error exits 1 naming the field', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lazarus-cli-')), 'event.json');
    fs.writeFileSync(file, JSON.stringify({ ...h.event(), environment: 'qa' }));
    const result = await lazarus(['submit', file], 'dev-sensor-token');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/environment: .*\(400\)/);
  });

  it('exit codes: 3 without or with the wrong token, 4 for an unknown key, 5 when the API is unreachable, 2 on bad usage', async () => {
    expect((await lazarus(['events', 'list'], null)).code).toBe(3);
    expect((await lazarus(['killswitch', 'on', '--reason', 'x'], 'dev-viewer-token')).code).toBe(3);
    const unknown = await lazarus(['events', 'show', 'no-such-key'], 'dev-viewer-token');
    expect(unknown.code).toBe(4);
    expect(unknown.err).toContain('not found');
    expect((await lazarus(['pause', 'no-such-key', '--reason', 'x'])).code).toBe(4);
    const down = await runCli(['governor', '--url', 'http://127.0.0.1:1'], {
      stdout: () => undefined,
      stderr: () => undefined,
      cwd: os.tmpdir(),
      now: () => Date.now(),
    });
    expect(down).toBe(5);
    expect((await lazarus(['killswitch', 'on'])).code).toBe(2);
    expect((await lazarus(['events', 'nope'])).code).toBe(2);
  });

  it('killswitch on, status, off and shadow on record who and why', async () => {
    const on = await lazarus([
      'killswitch',
      'on',
      '--scope',
      'autoscaling',
      '--reason',
      'bad deploy',
      '--region',
      h.region,
    ]);
    expect(on.code).toBe(0);
    const status = await lazarus(['killswitch', 'status', '--region', h.region], 'dev-viewer-token');
    expect(status.out).toMatch(/kill switch\s+autoscaling\s+ON\s+operator:\w+/);
    expect(status.out).toContain('bad deploy');
    const off = await lazarus([
      'killswitch',
      'off',
      '--scope',
      'autoscaling',
      '--reason',
      'fixed',
      '--region',
      h.region,
      '--json',
    ]);
    expect(JSON.parse(off.out)).toMatchObject({ kill_switch: { autoscaling: { enabled: false, reason: 'fixed' } } });
    const shadow = await lazarus([
      'shadow',
      'on',
      '--scope',
      `service:${h.service}`,
      '--reason',
      'trial',
      '--region',
      h.region,
    ]);
    expect(shadow.out).toMatch(new RegExp(`shadow\\s+service:${h.service}\\s+ON`));
  });

  it('governor shows the service window after an event', async () => {
    const result = await until(
      () => lazarus(['governor', '--service', h.service, '--region', h.region], 'dev-viewer-token'),
      (r) => r.out.includes(h.service),
    );
    expect(result.code).toBe(0);
    expect(result.out).toMatch(new RegExp(`${h.service}\\s+[1-9]\\d*\\s+(yes|no)`));
  });

  it("governor without --service lists the region's running governors and names one that does not answer", async () => {
    // a governor started for this region on a task queue no worker polls (its worker gone), and one of another region
    const ghost = `${h.service}-ghost`;
    const elsewhere = `${h.service}-elsewhere`;
    const started = await Promise.all(
      [
        [ghost, h.region],
        [elsewhere, `${h.region}-other`],
      ].map(([service, region]) =>
        stack.env.client.workflow.start('serviceGovernor', {
          workflowId: serviceGovernorId(service),
          taskQueue: `nobody-polls-${randomUUID()}`,
          args: [{ service }],
          typedSearchAttributes: [
            { key: LazarusRegion, value: region },
            { key: LazarusService, value: service },
          ],
        }),
      ),
    );
    const ownApi = await startTestApi({
      temporal: stack.env.client,
      taskQueue: h.taskQueue,
      region: h.region,
      queryTimeoutMs: 1000,
    });
    try {
      // visibility is eventually consistent: until both of this region's governors are listed
      const result = await until(
        async () => {
          let out = '';
          const code = await runCli(
            ['governor', '--region', h.region, '--url', ownApi.server.url, '--token', 'dev-viewer-token'],
            {
              stdout: (t) => void (out += t),
              stderr: (t) => void (out += t),
              cwd: os.tmpdir(),
              now: () => Date.now(),
            },
          );
          return { code, out };
        },
        // the live governor's row, not only its name: on a loaded machine its query can miss the bound too, then ask again
        (r) =>
          r.out.includes(`governor of ${ghost} did not answer`) &&
          new RegExp(`${h.service}\\s+[1-9]\\d*\\s+(yes|no)`).test(r.out),
      );
      expect(result.code).toBe(0);
      expect(result.out).toMatch(new RegExp(`${h.service}\\s+[1-9]\\d*\\s+(yes|no)`));
      expect(result.out).toContain(
        `governor of ${ghost} did not answer: temporal unavailable: no answer within 1000 ms`,
      );
      expect(result.out).not.toContain(elsewhere);
    } finally {
      await ownApi.server.close();
      await Promise.all(started.map((handle) => handle.terminate('test done')));
    }
  });

  it('--help of each API command shows usage and examples', async () => {
    const commands = [
      'submit',
      'events',
      'pause',
      'resume',
      'cancel',
      'killswitch',
      'shadow',
      'governor',
      'deadletters',
    ];
    for (const name of commands) {
      const result = await lazarus([name, '--help']);
      expect(result.code).toBe(0);
      expect(result.out).toContain(`Usage: lazarus ${name}`);
      expect(result.out).toContain('Examples:');
    }
  });
});
