import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createNotifyActivities, NotifyCounters, type NotifyMessage, type NotifyResult } from '../../activities/notify';
import { createPagerActivities } from '../../activities/pager';
import { freePort } from '../../devstack/service-process';
import { startNotifyReceivers, type RunningNotifyReceivers } from '../../devstack/notify-receivers';
import type { RunningPagerDutyEmulator } from '../../devstack/pagerduty-emulator';
import { stackValue } from '../support/stack-env';
import { getJson, pagerClientFor, startPagerDutyEmulator } from '../support/stand-ins';

const notifyIn = (
  activities: ReturnType<typeof createNotifyActivities>,
  message: NotifyMessage,
): Promise<NotifyResult> => new MockActivityEnvironment().run(activities.notify, message);

describe('notify activity: Slack, email and PagerDuty note against local receivers', () => {
  let receivers: RunningNotifyReceivers;
  let emulator: RunningPagerDutyEmulator;
  const routingKey = 'R0UTINGKEY0000000000000000000002';

  beforeAll(async () => {
    [receivers, emulator] = await Promise.all([startNotifyReceivers(), startPagerDutyEmulator()]);
  });
  afterAll(async () => {
    await Promise.all([receivers.stop(), emulator.stop()]);
  });
  afterEach(() => receivers.heal());

  function activities(counters = new NotifyCounters(), smtpPort = receivers.smtpPort) {
    const pager = createPagerActivities({ client: pagerClientFor(emulator) });
    return createNotifyActivities({
      smtp: { host: '127.0.0.1', port: smtpPort, ignoreTLS: true, from: 'lazarus@example.com' },
      addPageNote: (input) => pager.addPageNote(input),
      temporalUiUrl: 'http://localhost:8233',
      namespace: 'default',
      attempts: 3,
      retryDelayMs: 10,
      channelTimeoutMs: 1000,
      counters,
    });
  }

  function message(overrides: Partial<NotifyMessage> = {}): NotifyMessage {
    return {
      kind: 'remediated',
      service: 'checkout',
      host: 'i-0abc',
      outcome: 'REMEDIATED',
      reason: 'replaced by i-0def',
      workflowId: `event/${randomUUID()}`,
      channels: { slack_webhooks: [receivers.slackWebhookUrl], emails: ['oncall@example.com', 'team@example.com'] },
      ...overrides,
    };
  }

  it('sends a Block Kit message, an email and a PagerDuty note, each naming service, host, outcome and link', async () => {
    const incidentKey = `event/${randomUUID()}`;
    await createPagerActivities({ client: pagerClientFor(emulator) }).triggerPage({
      routingKey,
      incidentKey,
      summary: 'checkout i-0abc down',
      source: 'nagios',
    });
    const sent = message({ incidentKey, channels: { ...message().channels, pagerduty_routing_key: routingKey } });

    const result = await notifyIn(activities(), sent);

    expect(result.failed).toEqual([]);
    expect(result.delivered.map((r) => r.channel).sort()).toEqual(['email', 'pagerduty', 'slack']);
    const link = `http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(sent.workflowId!)}`;
    const slack = JSON.stringify(receivers.webhooks().at(-1)?.body);
    for (const text of ['checkout', 'i-0abc', 'REMEDIATED', 'replaced by i-0def', link]) expect(slack).toContain(text);
    expect(receivers.webhooks().at(-1)?.body).toMatchObject({ blocks: expect.any(Array) as unknown });
    const email = receivers.emails().at(-1)!;
    expect(email.to).toEqual(['oncall@example.com', 'team@example.com']);
    expect(email.subject).toBe('[lazarus] Lazarus remediated the problem: checkout / i-0abc');
    expect(email.text).toContain(link);
    const note = emulator.state().incidents.find((i) => i.incident_key === incidentKey)?.notes[0]?.content;
    expect(note).toContain('Outcome: REMEDIATED');
  });

  it('skips the PagerDuty note of an event no page carries (a scale event), without failing or retrying it', async () => {
    const sent = message({
      kind: 'remediated',
      incidentKey: `scale/${randomUUID()}`,
      channels: { slack_webhooks: [], emails: ['team@example.com'], pagerduty_routing_key: routingKey },
    });

    const result = await notifyIn(activities(), sent);

    expect(result.failed).toEqual([]);
    expect(result.delivered.map((r) => r.channel)).toEqual(['email']);
    expect(result.skipped).toEqual([expect.objectContaining({ channel: 'pagerduty', attempts: 1, skipped: true })]);
    expect(result.skipped?.[0].error).toMatch(/^no page: no PagerDuty incident has incident key scale\//);
  });

  it('reports a Slack webhook that stays down as failed, after bounded retries, and still sends the email', async () => {
    const counters = new NotifyCounters();
    receivers.failWebhooks(500);
    const emailsBefore = receivers.emails().length;

    const result = await notifyIn(activities(counters), message({ kind: 'escalated', reason: 'quorum timeout' }));

    expect(result.failed).toEqual([expect.objectContaining({ channel: 'slack', ok: false, attempts: 3 })]);
    expect(result.delivered.map((r) => r.channel)).toEqual(['email']);
    expect(counters.failed.slack).toBe(1);
    expect(counters.retries.slack).toBe(2);
    expect(receivers.emails().length).toBe(emailsBefore + 1);
  });

  it('during an outage reports the channel failed at once instead of waiting out its retries, and tries again later', async () => {
    const counters = new NotifyCounters();
    let now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const notify = activities(counters);
      const slackOnly = () =>
        notifyIn(
          notify,
          message({ kind: 'escalated', channels: { slack_webhooks: [receivers.slackWebhookUrl], emails: [] } }),
        );
      receivers.failWebhooks(500);
      const webhooksBefore = receivers.webhooks().length;

      // two deliveries fail after their attempts; the third is not tried
      for (let i = 0; i < 2; i++) expect((await slackOnly()).failed[0]).toMatchObject({ attempts: 3 });
      const skipped = (await slackOnly()).failed[0];
      expect(skipped).toMatchObject({ channel: 'slack', ok: false, attempts: 0 });
      expect(skipped.error).toMatch(/^not tried: its last 2 deliveries failed \(last: .*500/);
      expect(counters.failed.slack).toBe(3);
      expect(receivers.webhooks().length).toBe(webhooksBefore); // failed posts are not recorded

      // 30 s later one delivery tries again, and Slack is back
      receivers.heal();
      now += 30_001;
      expect((await slackOnly()).delivered).toEqual([expect.objectContaining({ channel: 'slack', attempts: 1 })]);
      expect((await slackOnly()).delivered).toHaveLength(1);
    } finally {
      clock.mockRestore();
    }
  });

  it('starts no attempt that could not end within the channel budget (a hanging SMTP server: one attempt)', async () => {
    const hanging = net.createServer(() => undefined); // accepts and never greets
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const port = (hanging.address() as net.AddressInfo).port;
    try {
      const pager = createPagerActivities({ client: pagerClientFor(emulator) });
      const notify = createNotifyActivities({
        smtp: { host: '127.0.0.1', port, ignoreTLS: true, from: 'lazarus@example.com' },
        addPageNote: (input) => pager.addPageNote(input),
        attempts: 3,
        retryDelayMs: 10,
        channelTimeoutMs: 300,
        channelBudgetMs: 500,
      });
      const result = await notifyIn(
        notify,
        message({ channels: { slack_webhooks: [], emails: ['oncall@example.com'] } }),
      );
      expect(result.failed).toEqual([expect.objectContaining({ channel: 'email', ok: false, attempts: 1 })]);
    } finally {
      hanging.close();
    }
  });

  it('retries a webhook that fails once and counts it delivered', async () => {
    const counters = new NotifyCounters();
    receivers.failWebhooks(503, 1);

    const result = await notifyIn(
      activities(counters),
      message({ kind: 'acknowledged', channels: { slack_webhooks: [receivers.slackWebhookUrl], emails: [] } }),
    );

    expect(result.delivered).toEqual([expect.objectContaining({ channel: 'slack', attempts: 2 })]);
    expect(counters.sent.slack).toBe(1);
  });

  it('reports an SMTP server that is down as a failed email channel without throwing', async () => {
    const closedPort = await freePort();

    const result = await notifyIn(activities(new NotifyCounters(), closedPort), message({ kind: 'breaker_opened' }));

    expect(result.failed).toEqual([expect.objectContaining({ channel: 'email', ok: false })]);
    expect(result.failed[0].error).toMatch(/ECONNREFUSED|connect/i);
    expect(result.delivered.map((r) => r.channel)).toEqual(['slack']);
  });

  it('the run`s shared receivers record webhooks for other test files', async () => {
    const result = await notifyIn(
      createNotifyActivities({}),
      message({ channels: { slack_webhooks: [stackValue('slackWebhookUrl')], emails: [] } }),
    );

    expect(result.failed).toEqual([]);
    const seen = await getJson<{ webhooks: unknown[] }>(`${stackValue('receiverUrl')}/_receiver/webhooks`);
    expect(seen.webhooks.length).toBeGreaterThan(0);
  });
});
