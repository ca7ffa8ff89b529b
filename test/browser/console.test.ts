// The web console in a real browser (playwright-core driving Debian's chromium) against the real stack: Temporal dev
// server, the shipped rules and stateless profile, moto, the PagerDuty emulator, the fleet simulator's health
// endpoints probed from three checker nodes, and the REST API serving the console. An operator logs in, watches a
// remediation of a real run appear, opens its trace, turns the kill switch on with a reason and sees the next event
// stopped by it, and replays a dead letter. Screenshots go to test-results/console/.
/* eslint-disable @typescript-eslint/no-unsafe-member-access -- API bodies are untyped JSON the assertions check */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { deadLetterId, type DeadLetterEntry } from '../../contracts/dead-letter';
import type { QuarantineState } from '../../core/quarantine';
import { projectRoot } from '../../devstack/paths';
import { recordDeadLetter } from '../../ingest/bridge/activities/dead-letters';
import type { AwsClients } from '../../platform/aws-clients';
import { createActionQueueActivities, createMainQueueActivities } from '../../worker/lazarus-activities';
import { startTestApi, type TestApi } from '../support/api-client';
import { createLazarusWorkers, healthcheckDownEvent, testWorkerDependencies } from '../support/lazarus-stack';
import { stackValue } from '../support/stack-env';
import { pagerClientFor, postJson, sharedPagerDuty } from '../support/stand-ins';
import { uniqueTaskQueue } from '../support/temporal';
import { useTestStack } from '../support/test-stack';
import { until } from '../support/wait';

/** The browser: LAZARUS_CHROMIUM, else Debian's chromium (devstack/setup.js installs it where it can). */
function findChromium(): string | undefined {
  const candidates = [process.env.LAZARUS_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((file): file is string => !!file && fs.existsSync(file));
}
const chromiumPath = findChromium();
if (!chromiumPath) {
  process.stderr.write(
    'console browser tests skipped: no chromium found (LAZARUS_CHROMIUM, /usr/bin/chromium); ' +
      '`npm run setup` installs Debian’s chromium where apt-get can run as root\n',
  );
}
const describeInBrowser = chromiumPath ? describe : describe.skip;
jest.setTimeout(120_000);

const id = randomUUID().slice(0, 8);
const service = `console-${id}`;
/**
 * A service whose runbook may take 300 ms: a replacement cannot finish in that (the clone boots for 500 ms in the test
 * fleet before its health check can pass), so every replacement of its hosts ends TIMED_OUT, a failed run of the rule.
 */
const failingService = `console-fail-${id}`;
/** The shipped rule the health-check events match: its runbook is what fails and gets quarantined. */
const rule = 'healthcheck_down';
const region = `console-region-${id}`;
/** A second declared region where nothing happens: the overview shows both and filters by region. */
const otherRegion = `console-quiet-${id}`;
const routingKey = `CON${id.toUpperCase()}ROUTINGKEY00000000000`;
const taskQueue = uniqueTaskQueue('console');
const screenshots = path.join(projectRoot, 'test-results', 'console');
const operatorToken = 'dev-operator-token';

let env: TestWorkflowEnvironment;
let aws: AwsClients;
let configRoot: string;
let api: TestApi;
let workers: Worker[] = [];
let running: Array<Promise<void>> = [];
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let sick: string[] = [];
let main: ReturnType<typeof createMainQueueActivities>;

// Declared before useTestStack: jest runs afterAll hooks in declaration order, and the workers must stop before the
// stack tears its Temporal connection down.
afterAll(async () => {
  await browser?.close();
  await api?.server.close();
  for (const w of workers) w.shutdown();
  await Promise.all(running);
});

const stack = useTestStack({
  temporal: true,
  aws: true,
  configTree: () => ({
    region,
    taskQueue,
    // one failed run quarantines a rule (the shipped default is 3 in a row): one real failure is enough for the test
    deployment: 'quarantine:\n  consecutive_failures: 1\n',
    services: {
      [service]: `name: ${service}\nteam: sre\nprofile: stateless\nnotifications:\n  pagerduty_routing_key: ${routingKey}\n`,
      [failingService]:
        `name: ${failingService}\nteam: sre\nprofile: stateless\nparams:\n  workflow_timeout: 300ms\n` +
        `notifications:\n  pagerduty_routing_key: ${routingKey}\n`,
    },
  }),
});

beforeAll(async () => {
  ({ env, aws, configRoot } = stack);
  const created = await postJson<{ instanceIds: string[] }>(`${stackValue('fleetSimulatorUrl')}/services`, {
    name: service,
    hosts: 5,
  });
  // one sick host at a time: the peer check refuses to act while a third of the pool looks sick
  sick = created.body.instanceIds.slice(0, 2);
  await sicken(sick[0]);
  // default actuator timings: the failing service's runbook must outlive its 300 ms workflow_timeout timer
  const deps = testWorkerDependencies(env, {
    aws,
    pager: pagerClientFor(sharedPagerDuty()),
    taskQueue,
    configRoot,
    defaultTimings: true,
  });
  main = createMainQueueActivities(deps);
  workers = await createLazarusWorkers(
    env,
    main,
    taskQueue,
    createActionQueueActivities({ ...deps, workerRegion: region }),
  );
  running = workers.map((w) => w.run());
  api = await startTestApi(
    { temporal: env.client, taskQueue, region, declaredRegions: [region, otherRegion] },
    { console: { temporalUiUrl: 'http://localhost:8233', namespace: 'default', refreshMs: 500 } },
  );
  fs.mkdirSync(screenshots, { recursive: true });
});

async function sicken(host: string): Promise<void> {
  await postJson(`${stackValue('fleetSimulatorUrl')}/hosts/${host}/health`, { health: 'unhealthy' });
}

/** Log in through the form with `token`. */
async function logIn(target: Page, token: string): Promise<void> {
  await target.goto(`${api.server.url}/`);
  await target.getByLabel('API token').fill(token);
  await target.getByRole('button', { name: 'Log in' }).click();
}

/** Submit an event as a sensor would (POST /v1/events): the API starts its remediation. */
async function submit(host: string, of = service): Promise<string> {
  const incidentKey = `console-${id}-${host}`;
  await main.triggerPage({ routingKey, incidentKey, summary: `${host} health check down`, source: 'nagios' });
  const response = await api.call('POST', '/v1/events', {
    role: 'sensor',
    body: healthcheckDownEvent({ incidentKey, service: of, host, region }),
  });
  expect(response.status).toBe(202);
  return incidentKey;
}

describe('the console over HTTP', () => {
  it('keeps the login in an HttpOnly, SameSite=Strict cookie and refuses a change without its CSRF token', async () => {
    const login = await fetch(`${api.server.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${operatorToken}&next=/regions`,
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/regions');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = cookie.split(';')[0];
    const page = await fetch(`${api.server.url}/regions`, { headers: { cookie: session } });
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const csrf = /data-csrf="([^"]+)"/.exec(await page.text())![1];
    const change = (headers: Record<string, string>): Promise<Response> =>
      fetch(`${api.server.url}/v1/killswitch?region=${region}`, {
        method: 'PUT',
        headers: { cookie: session, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ scope: 'autoscaling', enabled: false, reason: 'csrf check' }),
      });
    const without = await change({});
    expect([without.status, ((await without.json()) as { error: { code: string } }).error.code]).toEqual([
      403,
      'csrf_rejected',
    ]);
    expect((await change({ 'x-csrf-token': csrf, origin: 'http://evil.example' })).status).toBe(403);
    expect((await change({ 'x-csrf-token': csrf })).status).toBe(200);
    // a sensor token does not open the console
    const sensor = await fetch(`${api.server.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=dev-sensor-token',
    });
    expect(sensor.status).toBe(403);
    expect(sensor.headers.get('set-cookie')).toBeNull();
  });
});

describeInBrowser('the console in a browser', () => {
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: chromiumPath!,
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
    context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    page = await context.newPage();
  });

  it('sends a wrong token back to the login with a message, then logs an operator in', async () => {
    await logIn(page, 'not-a-token');
    await expectText(page.getByRole('alert'), 'That token is not valid');
    await logIn(page, operatorToken);
    await page.getByRole('heading', { name: 'Remediations' }).waitFor();
    expect(await page.locator('.who').textContent()).toContain('operator');
  });

  it('shows a remediation of a real run appear without reload, with counts per outcome', async () => {
    const key = await submit(sick[0]);
    await page.getByLabel('Service').fill(service);
    await page.getByRole('button', { name: 'Apply' }).click();
    const row = page.locator(`tr[data-key="${key}"]`);
    await row.locator('.badge', { hasText: 'REMEDIATED' }).waitFor({ timeout: 60_000 });
    await expectText(page.locator('#counts'), '1 REMEDIATED');
    await page.screenshot({ path: path.join(screenshots, 'remediations.png') });
  });

  it('opens the trace: every gate, the three checker answers, each runbook step and the Temporal Web UI link', async () => {
    const key = `console-${id}-${sick[0]}`;
    await page.getByRole('link', { name: key }).click();
    const timeline = page.locator('#timeline');
    await timeline.locator('li.gate').first().waitFor();
    const gates = await timeline.locator('.gate-head strong').allTextContents();
    expect(gates).toEqual(expect.arrayContaining(['rule', 'governor', 'quorum', 'acknowledge', 'lock', 'resolve']));
    // the checker nodes' answers as the workflow recorded them (it decides once two of three passed)
    const answers = timeline.locator('.gate', { hasText: 'quorum' }).locator('tbody tr');
    expect(await answers.count()).toBeGreaterThanOrEqual(2);
    await expectText(answers.first(), 'HealthCheckDown');
    const steps = await page.locator('#steps .step h3').allTextContents();
    expect(steps.map((s) => s.split(' ')[0])).toEqual(['drain', 'clone', 'verify', 'register', 'forensics']);
    expect(await page.locator('#steps .badge', { hasText: 'succeeded' }).count()).toBe(5);
    expect(await page.locator('#temporal-link').getAttribute('href')).toBe(
      `http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(`event/${key}`)}`,
    );
    // finished: nothing to pause any more
    expect(await page.getByRole('button', { name: 'Pause' }).isDisabled()).toBe(true);
    await page.screenshot({ path: path.join(screenshots, 'trace.png') });
  });

  it('turns the kill switch on with a reason, and the next event is stopped by it', async () => {
    await page.getByRole('link', { name: 'Regions' }).click();
    await page.locator(`section.region[data-region="${otherRegion}"]`).waitFor();
    expect(await page.locator('section.region').count()).toBe(2);
    const global = page.locator(
      `section.region[data-region="${region}"] [data-kind="kill-switch"] tr[data-scope="global"]`,
    );
    await global.getByRole('button', { name: 'Turn on…' }).click();
    await global.getByLabel('Why turn kill switch global on?').fill('console test: freeze during the drill');
    await global.getByRole('button', { name: 'Turn on', exact: true }).click();
    await expectText(global, 'console test: freeze during the drill');
    await expectText(global.locator('.badge'), 'on');
    expect(await global.textContent()).toMatch(/operator:[0-9a-f]{8}/);
    await page.screenshot({ path: path.join(screenshots, 'regions.png'), fullPage: true });

    await sicken(sick[1]);
    const key = await submit(sick[1]);
    await page.getByRole('link', { name: 'Remediations' }).click();
    await page.getByLabel('Host').fill(sick[1]);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator(`tr[data-key="${key}"] .badge`, { hasText: 'KILL_SWITCH' }).waitFor({ timeout: 60_000 });

    // the change is audited with its actor
    await page.getByRole('link', { name: 'Audit' }).click();
    await expectText(page.locator('#audit-console'), 'PUT /v1/killswitch');
    await expectText(page.locator('#audit-control'), 'console test: freeze during the drill');
    const off = await api.call('PUT', `/v1/killswitch?region=${region}`, {
      body: { scope: 'global', enabled: false, reason: 'console test done' },
    });
    expect(off.status).toBe(200);
  });

  it('shows a rule quarantined by a real failed run with its evidence, and an operator releases it with a reason', async () => {
    // a real run of the shipped rule fails (its runbook exceeds the service's 300 ms): with a threshold of 1 in a
    // row, the worker's report of that run quarantines the rule in the region
    const created = await postJson<{ instanceIds: string[] }>(`${stackValue('fleetSimulatorUrl')}/services`, {
      name: failingService,
      hosts: 5,
    });
    const host = created.body.instanceIds[0];
    await sicken(host);
    const key = await submit(host, failingService);
    // (its report to the quarantine entity comes after the outcome is decided: wait for the workflow to close)
    const ended = await until(
      async () => (await api.call('GET', `/v1/events/${encodeURIComponent(key)}`)).body as Record<string, unknown>,
      (detail) => detail.status === 'COMPLETED',
      60_000,
    );
    expect([ended.outcome, ended.reason]).toEqual(['TIMED_OUT', expect.stringContaining('workflow_timeout')]);
    const card = page.locator(`section.region[data-region="${region}"]`);
    const quarantined = card.locator(`article.quarantined[data-rule="${rule}"]`);
    const viewer = await browser!.newContext();
    try {
      await page.getByRole('link', { name: 'Regions' }).click();
      await quarantined.waitFor({ timeout: 60_000 });
      await expectText(quarantined, '1 failed run in a row (threshold 1)');
      const evidence = quarantined.locator('.evidence li');
      expect(await evidence.count()).toBe(1);
      expect(await evidence.first().getAttribute('data-workflow-id')).toBe(`event/${key}`);
      await expectText(evidence.first(), 'TIMED_OUT');
      await expectText(evidence.first(), host);
      await expectText(card.locator('[data-role="quarantine-summary"]'), '1 quarantined');
      await page.screenshot({ path: path.join(screenshots, 'regions-quarantine.png'), fullPage: true });

      // a viewer sees it without a control that works
      const viewerPage = await viewer.newPage();
      await logIn(viewerPage, 'dev-viewer-token');
      await viewerPage.getByRole('heading', { name: 'Remediations' }).waitFor();
      await viewerPage.goto(`${api.server.url}/regions?region=${region}`);
      const viewerRelease = viewerPage.locator(`article.quarantined[data-rule="${rule}"]`).getByRole('button', {
        name: 'Release…',
      });
      await viewerRelease.waitFor();
      expect(await viewerRelease.isDisabled()).toBe(true);
    } finally {
      await viewer.close();
    }

    // the operator releases it: the reason is asked first, Cancel closes the form without a change
    const release = quarantined.getByRole('button', { name: 'Release…' });
    await release.click();
    await quarantined.getByRole('button', { name: 'Cancel' }).click();
    expect(await quarantined.locator('form').isHidden()).toBe(true);
    await release.click();
    await quarantined
      .getByLabel(`Why release rule ${rule} in ${region}?`)
      .fill('console test: clones boot slowly, the timeout is being raised');
    await quarantined.getByRole('button', { name: 'Release', exact: true }).click();
    await expectText(card.locator('[data-role="quarantine-summary"]'), 'none quarantined');
    expect(await quarantined.count()).toBe(0);
    await expectText(card.locator('[data-role="quarantine-history"]'), `${rule} released by operator:`);

    // recorded in Temporal with the operator as actor, and in the console's audit
    const state = (await api.call('GET', `/v1/quarantine?region=${region}`)).body as QuarantineState;
    expect(state.rules[rule].quarantine).toBeUndefined();
    expect(state.history.map((h) => h.what)).toEqual(['quarantined', 'released']);
    expect(state.history[1]).toMatchObject({
      rule,
      reason: 'console test: clones boot slowly, the timeout is being raised',
    });
    expect(state.history[1].actor).toMatch(/^operator:[0-9a-f]{8}$/);
    await page.getByRole('link', { name: 'Audit' }).click();
    const audited = page.locator('#audit-console tr', { hasText: `POST /v1/quarantine/${rule}/release` });
    await expectText(audited, state.history[1].actor);
    await expectText(audited, '200');
    await expectText(page.locator('#audit-control'), 'console test: clones boot slowly');
  });

  it('replays a dead letter: as is refused beside its button (422), corrected accepted, again refused (409)', async () => {
    const event = {
      ...healthcheckDownEvent({ incidentKey: `console-${id}-dl`, service, host: 'i-0deadbeef', region }),
    };
    const bytes = Buffer.from(JSON.stringify({ ...event, environment: 'qa' }));
    const source = {
      stream: `events-${id}`,
      shard_id: 'shardId-000000000000',
      sequence_number: `49590338271490256608559692538361571095921575989136580001`,
      partition_key: service,
      arrived_at: new Date().toISOString(),
    };
    const entry: DeadLetterEntry = {
      id: deadLetterId(source),
      reason: 'schema',
      detail: 'environment: must be one of: dev, stage, prod',
      source,
      payload_base64: bytes.toString('base64'),
      size_bytes: bytes.byteLength,
      dead_lettered_at: new Date().toISOString(),
    };
    expect(await recordDeadLetter({ client: env.client, taskQueue }, entry)).toBe(true);

    await page.getByRole('link', { name: 'Dead letters' }).click();
    await page.getByRole('button', { name: `Open dead letter ${entry.id}` }).click();
    await expectText(page.locator('#raw-payload'), '"environment":"qa"');
    await page.getByRole('button', { name: 'Replay as is' }).click();
    await expectText(page.locator('#replay-as-is-feedback'), 'Still invalid (422');
    const corrected = page.getByLabel('Corrected event (JSON)');
    await corrected.fill((await corrected.inputValue()).replace('"qa"', '"prod"'));
    await page.getByRole('button', { name: 'Replay corrected' }).click();
    await expectText(page.locator('#replay-corrected-feedback'), `Replayed as console-${id}-dl`);
    await page.screenshot({ path: path.join(screenshots, 'deadletters.png'), fullPage: true });
    await page.getByRole('button', { name: 'Replay as is' }).click();
    await expectText(page.locator('#replay-as-is-feedback'), 'Conflict (409');
    const stored = await api.call('GET', `/v1/deadletters/${encodeURIComponent(entry.id)}`);
    expect(stored.body.status).toBe('replayed');
    expect(stored.body.replay.actor).toMatch(/^operator:/);
  });

  it('says when Temporal is unreachable, keeps the last list, and recovers by itself', async () => {
    await page.goto(`${api.server.url}/`);
    await page.locator('#remediations tbody tr').first().waitFor();
    const unreachable = JSON.stringify({ error: { code: 'dependency_unavailable', message: 'temporal unavailable' } });
    await page.route('**/v1/events?**', (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: unreachable }),
    );
    await expectText(page.locator('#connection'), 'unreachable');
    expect(await page.locator('#remediations tbody tr').count()).toBeGreaterThan(0);
    await page.unroute('**/v1/events?**');
    await page.locator('#connection').waitFor({ state: 'hidden', timeout: 15_000 });
  });

  it('shows a viewer the trace without the controls', async () => {
    const viewer = await browser!.newContext();
    const viewerPage = await viewer.newPage();
    await logIn(viewerPage, 'dev-viewer-token');
    await viewerPage.getByRole('heading', { name: 'Remediations' }).waitFor();
    await viewerPage.goto(`${api.server.url}/remediations/${encodeURIComponent(`console-${id}-${sick[0]}`)}`);
    await viewerPage.locator('#timeline li.gate').first().waitFor();
    expect(await viewerPage.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    // the region filter narrows the overview to one region
    await viewerPage.goto(`${api.server.url}/regions?region=${region}`);
    const toggle = viewerPage.locator('[data-kind="kill-switch"] tr[data-scope="global"] button.toggle');
    await toggle.waitFor();
    expect(await toggle.isDisabled()).toBe(true);
    expect(await viewerPage.locator('section.region').count()).toBe(1);
    await viewer.close();
  });

  it('sends a page whose session ended back to the login with a message', async () => {
    await page.goto(`${api.server.url}/regions`);
    const other = await context.newPage();
    await other.goto(`${api.server.url}/`);
    await other.getByRole('button', { name: 'Log out' }).click();
    await expectText(other.getByRole('alert'), 'logged out');
    await page.waitForURL(/\/login\?m=expired/, { timeout: 15_000 });
    await expectText(page.getByRole('alert'), 'Your session has ended');
  });
});

/** Wait until the locator's text contains `text`. */
async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  await until(
    async () => (await locator.textContent({ timeout: 10_000 })) ?? '',
    (content) => content.includes(text),
    20_000,
  );
}
