// Vendor payloads as the vendors send them (test/fixtures/vendors, sources in its README) through the real API
// routes, EC2 lookups through the real SDK to the emulator, SNS signatures checked against a certificate served
// locally, and the remediations they start run by the real workflows (RemediationHarness) on the dev server.
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON that the assertions check; jest matchers are typed any */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTagsCommand, DescribeInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { resolveSensorMapping } from '../../core/config';
import { createEc2InstanceDirectory, createSnsVerifier } from '../../ingest/adapters';
import { fetchText } from '../../api/sensor-wiring';
import { startTestApi, type TestApi } from '../support/api-client';
import { launchTestHosts } from '../support/fleet';
import { sample } from '../support/prometheus';
import { RemediationHarness, step } from '../support/remediation-harness';
import { createSnsSigner } from '../support/sns-signing';
import { useTestStack } from '../support/test-stack';
import { until } from '../support/wait';
import { fixture, fixtureText } from '../unit/adapters/vendor-fixtures';

const stack = useTestStack({ temporal: true, aws: true });

const sick = new Set<string>();
let gate: Promise<void> = Promise.resolve();
let entered: () => void = () => undefined;
let h: RemediationHarness;
let api: TestApi;
let workers: { stop: () => void; done: Promise<unknown> };
let certServer: http.Server;
const confirmations: string[] = [];
let certBase = '';
const signer = createSnsSigner();
/** Instances in the emulator: web (tags service/environment), named (a Name tag, app/stage tags), bare (no tags). */
const hosts: Record<'web' | 'named' | 'bare' | 'nagios', { id: string; dns: string }> = {} as never;
const name = `web-${randomUUID().slice(0, 6)}`;

async function instance(id: string): Promise<{ id: string; dns: string }> {
  const out = await stack.aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return { id, dns: out.Reservations?.[0]?.Instances?.[0]?.PrivateDnsName ?? '' };
}

describe('vendor payloads through POST /v1/sensors/*', () => {
  beforeAll(async () => {
    const { aws, env } = stack;
    const service = `svc-${randomUUID().slice(0, 8)}`;
    const [web, named, bare, nagios] = await launchTestHosts(aws.ec2, { service, count: 4 });
    await aws.ec2.send(
      new CreateTagsCommand({
        Resources: [web, nagios],
        Tags: [
          { Key: 'service', Value: service },
          { Key: 'environment', Value: 'prod' },
        ],
      }),
    );
    await aws.ec2.send(
      new CreateTagsCommand({
        Resources: [named],
        Tags: [
          { Key: 'app', Value: service },
          { Key: 'stage', Value: 'prod' },
        ],
      }),
    );
    Object.assign(hosts, {
      web: await instance(web),
      named: await instance(named),
      bare: await instance(bare),
      nagios: await instance(nagios),
    });

    certServer = http.createServer((request, response) => {
      if (request.url?.startsWith('/confirm')) confirmations.push(request.url);
      response.end(request.url === '/cert.pem' ? signer.certificatePem : 'ok');
    });
    await new Promise<void>((resolve) => certServer.listen(0, '127.0.0.1', resolve));
    certBase = `http://127.0.0.1:${(certServer.address() as AddressInfo).port}`;

    h = new RemediationHarness(env, {
      hostIds: [web, named, bare, nagios, ...[1, 2, 3, 4].map((i) => `i-0ffffffffffffff0${i}`)],
      health: (zone, host) => (zone !== 'census' && sick.has(host.instanceId) ? 'unhealthy' : 'healthy'),
      steps: [step('drain', 'drainHost'), step('clone', 'cloneHost', ['drain'], { timeout_ms: 60_000 })],
      stepBehaviour: {
        cloneHost: async () => {
          entered();
          await gate;
          return {};
        },
      },
    });
    const mapping = resolveSensorMapping({
      tag_keys: { service: ['service', 'app'], environment: ['environment', 'stage'] },
      sns: {
        certificate_url_pattern: `^http://127\\.0\\.0\\.1:\\d+/`,
        subscribe_url_pattern: `^http://127\\.0\\.0\\.1:\\d+/confirm`,
      },
    });
    api = await startTestApi({
      temporal: env.client,
      taskQueue: h.taskQueue,
      region: h.region,
      declaredRegions: [h.region],
      sensors: {
        mapping,
        // the harness's region is made up per test run: its instances live in the emulator's us-east-1
        directory: createEc2InstanceDirectory({ ec2For: () => aws.ec2, cacheMs: 500, missCacheMs: 0 }),
        snsVerifier: createSnsVerifier({
          certificateUrlPattern: mapping.sns.certificate_url_pattern,
          fetchText: (url) => fetchText(url),
        }),
        confirmSubscription: async (url) => void (await fetchText(url)),
      },
    });
    await h.start();
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    workers = { stop, done: h.run(() => stopped) };
  });

  afterAll(async () => {
    workers?.stop();
    await workers?.done;
    await api?.server.close();
    await new Promise((resolve) => certServer?.close(resolve));
    const ids = Object.values(hosts).map((host) => host.id);
    if (ids.length) await stack.aws.ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
  });

  const query = (): string => `?region=${h.region}`;

  async function outcomeOf(key: string): Promise<string> {
    const shown = await until(
      () => api.call('GET', `/v1/events/${encodeURIComponent(key)}`, { role: 'viewer' }),
      (r) => r.body.status === 'COMPLETED',
      40_000,
    );
    return String(shown.body.outcome);
  }

  async function metric(series: string): Promise<number> {
    return sample((await api.call('GET', '/metrics', { role: 'none' })).text, series) ?? 0;
  }

  describe('Datadog webhooks', () => {
    it('the default payload about a private DNS name remediates that instance; a re-trigger while it runs joins it', async () => {
      sick.clear();
      sick.add(hosts.web.id);
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      const cloning = new Promise<void>((resolve) => (entered = resolve));
      const now = String(Date.now());
      const payload = fixtureText('datadog/default-payload-triggered.json')
        .replaceAll('ip-10-0-1-17.ec2.internal', hosts.web.dns)
        .replaceAll('1796192640000', now);
      const first = await api.call('POST', `/v1/sensors/datadog${query()}`, { role: 'sensor', raw: payload });
      expect(first).toMatchObject({
        status: 202,
        body: { events: [expect.objectContaining({ workflow_id: expect.any(String) })] },
      });
      const firstKey = String(first.body.events[0].incident_key);
      const shown = await api.call('GET', `/v1/events/${encodeURIComponent(firstKey)}`, { role: 'viewer' });
      expect(shown.status).toBe(200);

      let secondKey = '';
      const again = JSON.parse(payload) as Record<string, string>;
      again.title = again.title.replace('[Triggered', '[Re-Triggered');
      again.id = `${again.id}1`;
      try {
        await cloning; // the first remediation holds the host's lock
        const second = await api.call('POST', `/v1/sensors/datadog${query()}`, { role: 'sensor', body: again });
        expect(second.status).toBe(202);
        secondKey = String(second.body.events[0].incident_key);
        expect(await outcomeOf(secondKey)).toBe('LOCKED');
      } finally {
        release();
        gate = Promise.resolve();
      }
      expect(await outcomeOf(firstKey)).toBe('REMEDIATED');
      const described = await stack.env.client.workflow.getHandle(String(first.body.events[0].workflow_id)).describe();
      expect(described.searchAttributes.LazarusHost).toEqual([hosts.web.id]);
      await until(
        () => Promise.resolve(h.calls('resolvePage')),
        (keys) => keys.includes(secondKey),
      );
    });

    it('recovered, no data and warn are answered 202 ignored and counted; an unknown shape is a dead letter', async () => {
      for (const path of [
        'default-payload-recovered',
        'template-all-variables-no-data',
        'template-all-variables-warn',
      ]) {
        const answer = await api.call('POST', `/v1/sensors/datadog${query()}`, {
          role: 'sensor',
          body: fixture(`datadog/${path}.json`),
        });
        expect(answer).toMatchObject({ status: 202, body: { ignored: expect.any(String) } });
      }
      expect(await metric('lazarus_sensor_payloads_total{source="datadog",outcome="ignored",reason="recovered"}')).toBe(
        1,
      );
      expect(await metric('lazarus_sensor_payloads_total{source="datadog",outcome="ignored",reason="no_data"}')).toBe(
        1,
      );
      const unknown = await api.call('POST', '/v1/sensors/datadog', {
        role: 'sensor',
        body: fixture('datadog/unknown-shape.json'),
      });
      expect(unknown).toMatchObject({
        status: 202,
        body: { dead_letter: expect.stringMatching(/^sensor:datadog:/), reason: 'unknown_shape' },
      });
    });
  });

  describe('AWS Health', () => {
    type HealthEvent = { time: string; detail: { eventRegion: string; affectedEntities: Array<{ tags?: unknown }> } };
    function healthEvent(path: string, instanceId: string): HealthEvent {
      const event = JSON.parse(fixtureText(path).replaceAll('i-0123456789abcdef0', instanceId)) as HealthEvent;
      event.time = new Date().toISOString();
      event.detail.eventRegion = h.region;
      return event;
    }

    it('through SNS: confirms the subscription only for the allowed host, then acts on a signed notification in the event region', async () => {
      sick.clear();
      sick.add(hosts.named.id);
      const confirm = (url: string) =>
        signer.sign({
          ...fixture<Record<string, string>>('aws/sns-subscription-confirmation.json'),
          SubscribeURL: url,
          SigningCertURL: `${certBase}/cert.pem`,
        });
      const text = {
        role: 'sensor' as const,
        contentType: 'text/plain; charset=UTF-8',
        headers: { 'x-amz-sns-message-type': 'SubscriptionConfirmation' },
      };
      const refused = await api.call('POST', '/v1/sensors/aws', {
        ...text,
        raw: JSON.stringify(confirm('https://attacker.example.com/confirm')),
      });
      expect(refused).toMatchObject({ status: 200, body: { subscription: { confirmed: false } } });
      const confirmed = await api.call('POST', '/v1/sensors/aws', {
        ...text,
        raw: JSON.stringify(confirm(`${certBase}/confirm?Token=abc`)),
      });
      expect(confirmed).toMatchObject({ status: 200, body: { subscription: { confirmed: true } } });
      expect(confirmations).toEqual(['/confirm?Token=abc']);

      const event = healthEvent('aws/health-reboot-backup-region-delivery.json', hosts.named.id);
      delete event.detail.affectedEntities[0].tags; // service and environment come from the instance's app/stage tags
      const notification = signer.sign(
        {
          ...fixture<Record<string, string>>('aws/sns-notification.json'),
          Message: JSON.stringify(event),
          SigningCertURL: `${certBase}/cert.pem`,
        },
        '2',
      );
      const tampered = { ...notification, Message: notification.Message.replace('reboot', 'rebooot') };
      const bad = await api.call('POST', '/v1/sensors/aws', { ...text, raw: JSON.stringify(tampered) });
      expect(bad).toMatchObject({ status: 202, body: { reason: 'bad_signature', field: 'Signature' } });
      const accepted = await api.call('POST', '/v1/sensors/aws', { ...text, raw: JSON.stringify(notification) });
      expect(accepted).toMatchObject({
        status: 202,
        body: { events: [expect.objectContaining({ incident_key: expect.stringContaining(hosts.named.id) })] },
      });
      const key = String(accepted.body.events[0].incident_key);
      expect(await outcomeOf(key)).toBe('REMEDIATED');
      const described = await stack.env.client.workflow
        .getHandle(String(accepted.body.events[0].workflow_id))
        .describe();
      expect(described.searchAttributes).toMatchObject({
        LazarusRegion: [h.region],
        LazarusEventType: ['AWSScheduledEvent'],
      });
    });

    it("AWS's retirement sample for an untagged instance is escalated, not refused; closed and state-change events are ignored", async () => {
      sick.clear();
      const unmapped = await api.call('POST', '/v1/sensors/aws', {
        role: 'sensor',
        body: healthEvent('aws/health-retirement-arn-no-resources.json', hosts.bare.id),
      });
      expect(unmapped.status).toBe(202);
      const workflowId = String(unmapped.body.events[0].workflow_id);
      // the remediation records its service as a search attribute once it has read the configuration
      await until(
        () => stack.env.client.workflow.getHandle(workflowId).describe(),
        (described) => JSON.stringify(described.searchAttributes.LazarusService) === '["unmapped"]',
      );
      for (const path of ['aws/health-retirement-closed.json', 'aws/ec2-state-change.json']) {
        const answer = await api.call('POST', '/v1/sensors/aws', {
          role: 'sensor',
          body: healthEvent(path, hosts.bare.id),
        });
        expect(answer).toMatchObject({ status: 202, body: { ignored: expect.any(String) } });
      }
      expect(await metric('lazarus_sensor_payloads_total{source="aws",outcome="ignored",reason="closed"}')).toBe(1);
      // the fixture's own region is not one this deployment declares: kept as a dead letter, never a 4xx
      const elsewhere = await api.call('POST', '/v1/sensors/aws', {
        role: 'sensor',
        body: fixture('aws/health-retirement-arn-no-resources.json'),
      });
      expect(elsewhere).toMatchObject({ status: 202, body: { reason: 'unknown_region', field: 'region' } });
      await stack.env.client.workflow
        .getHandle(workflowId)
        .terminate('test over')
        .catch(() => undefined);
    });
  });

  describe('Nagios and Icinga', () => {
    it("pagerduty_nagios.pl's form for a host without custom variables remediates the instance its DNS name resolves to", async () => {
      sick.clear();
      sick.add(hosts.nagios.id);
      const form = fixtureText('nagios/pagerduty-nagios-pl-host-down.form')
        .trim()
        .replaceAll('ip-10-0-2-33.ec2.internal', hosts.nagios.dns);
      const answer = await api.call('POST', `/v1/sensors/nagios${query()}`, {
        role: 'sensor',
        raw: form.replace('HOSTEVENTID=4821', `HOSTEVENTID=${Date.now()}`),
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(answer).toMatchObject({
        status: 202,
        body: { events: [expect.objectContaining({ incident_key: expect.stringContaining(hosts.nagios.dns) })] },
      });
      expect(await outcomeOf(String(answer.body.events[0].incident_key))).toBe('REMEDIATED');
      const recovery = await api.call('POST', `/v1/sensors/nagios${query()}`, {
        role: 'sensor',
        raw: fixtureText('nagios/pagerduty-nagios-pl-service-recovery.form').trim(),
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(recovery).toMatchObject({ status: 202, body: { ignored: expect.stringContaining('RECOVERY') } });
    });

    it('a host name EC2 does not know is kept as a dead letter with its route and reason, and replays once the host is tagged', async () => {
      sick.clear();
      const payload = {
        ...fixture('nagios/opsgenie-host-unreachable.json'),
        host_name: name,
        host_problem_id: String(Date.now()),
      };
      const answer = await api.call('POST', `/v1/sensors/nagios${query()}`, { role: 'sensor', body: payload });
      expect(answer).toMatchObject({
        status: 202,
        body: { dead_letter: expect.stringMatching(/^sensor:nagios:/), reason: 'unmapped_host', field: 'HOSTNAME' },
      });
      const id = String(answer.body.dead_letter);
      const shown = await api.call('GET', `/v1/deadletters/${encodeURIComponent(id)}`, { role: 'operator' });
      expect(shown.body).toMatchObject({
        reason: 'unmapped_host',
        source: { route: 'POST /v1/sensors/nagios', query: `region=${h.region}`, field: 'HOSTNAME' },
        payload_text: JSON.stringify(payload),
      });
      const listed = await api.call('GET', '/v1/deadletters?reason=unmapped_host', { role: 'operator' });
      expect(listed.body.dead_letters.map((letter: { id: string }) => letter.id)).toContain(id);
      expect(
        await metric('lazarus_sensor_payloads_total{source="nagios",outcome="dead_lettered",reason="unmapped_host"}'),
      ).toBe(1);

      const still = await api.call('POST', `/v1/deadletters/${encodeURIComponent(id)}/replay`, { role: 'operator' });
      expect(still).toMatchObject({
        status: 422,
        body: { error: { code: 'still_invalid', message: expect.stringMatching(/^HOSTNAME: unmapped_host/) } },
      });
      await stack.aws.ec2.send(
        new CreateTagsCommand({ Resources: [hosts.nagios.id], Tags: [{ Key: 'Name', Value: name }] }),
      );
      const replayed = await until(
        () => api.call('POST', `/v1/deadletters/${encodeURIComponent(id)}/replay`, { role: 'operator' }),
        (r) => r.status === 200,
      );
      expect(replayed.body).toMatchObject({
        dead_letter: { status: 'replayed' },
        incident_key: expect.stringMatching(/\/unreachable$/),
      });
      // set by the remediation's first workflow task (with the rule it matched), so read until it has run
      const described = await until(
        () => stack.env.client.workflow.getHandle(String(replayed.body.workflow_id)).describe(),
        (d) => (d.searchAttributes.LazarusHost ?? []).length > 0,
      );
      expect(described.searchAttributes).toMatchObject({
        LazarusHost: [hosts.nagios.id],
        LazarusEventType: ['NagiosHostUnreachable'],
      });
      await stack.env.client.workflow
        .getHandle(String(replayed.body.workflow_id))
        .terminate('test over')
        .catch(() => undefined);
    });

    it('our own API keeps answering 400 naming the field; a bad documented query parameter is ours too', async () => {
      const bad = await api.call('POST', '/v1/events', { role: 'sensor', body: { ...h.event(), environment: 'qa' } });
      expect(bad).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/^environment: /) } } });
      const query = await api.call('POST', '/v1/sensors/nagios?environment=qa', {
        role: 'sensor',
        body: fixture('nagios/project-json-host-down.json'),
      });
      expect(query).toMatchObject({
        status: 400,
        body: { error: { message: expect.stringMatching(/^environment: /) } },
      });
    });
  });
});
