/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest matchers are typed any */
import { fixture, fixtureText, fakeDirectory, intake } from './vendor-fixtures';

const web33 = fakeDirectory([
  {
    instance_id: 'i-0bbbbbbbbbbbbbbb3',
    private_dns_name: 'ip-10-0-2-33.ec2.internal',
    private_ip: '10.0.2.33',
    name: 'web-33',
    tags: { Name: 'web-33', service: 'web', environment: 'prod' },
  },
]);
const form = 'application/x-www-form-urlencoded';

describe('Nagios and Icinga notifications', () => {
  it("maps pagerduty_nagios.pl's form fields for a host without custom variables through EC2 (HARD: Nagios notifies on hard states)", async () => {
    const outcome = await intake('nagios', fixtureText('nagios/pagerduty-nagios-pl-host-down.form'), {
      contentType: form,
      directory: web33,
    });
    expect(outcome).toMatchObject({
      kind: 'events',
      format: 'pagerduty-nagios-form',
      events: [
        expect.objectContaining({
          event_type: 'NagiosHostAlarm',
          host: 'i-0bbbbbbbbbbbbbbb3',
          service: 'web',
          environment: 'prod',
          host_state_type: 'HARD',
          occurred_at: '2026-12-02T06:31:00.000Z',
          incident_key: 'nagios/ip-10-0-2-33.ec2.internal/host/4821',
          details: expect.objectContaining({ state: 'DOWN', nagios_server: 'nagios01.example.com' }),
        }),
      ],
    });
  });

  it("maps the PagerDuty agent's v1 and Events v2 bodies", async () => {
    expect(
      await intake('nagios', fixture('nagios/pd-agent-v1-service-trigger.json'), { directory: web33 }),
    ).toMatchObject({
      kind: 'events',
      format: 'pagerduty-agent-v1',
      events: [
        expect.objectContaining({
          event_type: 'HealthcheckDown',
          incident_key: 'nagios/ip-10-0-2-33.ec2.internal/HTTP health/9921',
        }),
      ],
    });
    expect(await intake('nagios', fixture('nagios/pd-agent-v2-host-trigger.json'), { directory: web33 })).toMatchObject(
      {
        kind: 'events',
        format: 'pagerduty-events-v2',
        events: [
          expect.objectContaining({ event_type: 'NagiosHostAlarm', incident_key: expect.stringMatching(/\/7713$/) }),
        ],
      },
    );
  });

  it("keeps Opsgenie's SOFT DOWN as SOFT and UNREACHABLE distinct from DOWN, each its own incident", async () => {
    const soft = await intake('nagios', fixture('nagios/opsgenie-host-down-soft.json'), { directory: web33 });
    expect(soft).toMatchObject({
      kind: 'events',
      format: 'opsgenie-nagios',
      events: [
        expect.objectContaining({
          event_type: 'NagiosHostAlarm',
          host_state_type: 'SOFT',
          incident_key: 'nagios/web-33/host/1201/soft',
        }),
      ],
    });
    const unreachable = await intake('nagios', fixture('nagios/opsgenie-host-unreachable.json'), { directory: web33 });
    expect(unreachable).toMatchObject({
      kind: 'events',
      events: [
        expect.objectContaining({
          event_type: 'NagiosHostUnreachable',
          host_state_type: 'HARD',
          incident_key: 'nagios/web-33/host/1201/unreachable',
          details: expect.objectContaining({ state: 'UNREACHABLE' }),
        }),
      ],
    });
  });

  it('a SOFT CRITICAL health check is no HealthcheckDown', async () => {
    const payload = {
      NOTIFICATIONTYPE: 'PROBLEM',
      HOSTNAME: 'web-33',
      SERVICEDESC: 'HTTP health',
      SERVICESTATE: 'CRITICAL',
      SERVICESTATETYPE: 'SOFT',
      SERVICEPROBLEMID: '5',
    };
    expect(await intake('nagios', payload, { directory: web33 })).toMatchObject({
      kind: 'events',
      events: [expect.objectContaining({ event_type: 'NagiosServiceAlarm', host_state_type: 'SOFT' })],
    });
  });

  it("maps the project's JSON with custom variables without asking EC2 for the host", async () => {
    const directory = fakeDirectory([]);
    expect(await intake('nagios', fixture('nagios/project-json-host-down.json'), { directory })).toMatchObject({
      kind: 'events',
      format: 'nagios-json',
      events: [expect.objectContaining({ host: 'i-0123456789abcdef0', service: 'web', region: 'us-east-1' })],
    });
  });

  it.each([
    ['nagios/pagerduty-nagios-pl-service-recovery.form', 'recovery'],
    ['nagios/pd-agent-v1-acknowledge.json', 'acknowledgement'],
    ['nagios/project-json-flapping.json', 'flapping'],
    ['nagios/project-json-downtime.json', 'downtime'],
  ])('ignores %s (%s)', async (path, label) => {
    const body = path.endsWith('.form') ? fixtureText(path) : fixture(path);
    expect(
      await intake('nagios', body, { contentType: path.endsWith('.form') ? form : 'application/json' }),
    ).toMatchObject({
      kind: 'ignored',
      label,
    });
  });

  it('dead-letters an unknown host name, a bad state type and an unknown shape, naming the field', async () => {
    expect(
      await intake('nagios', fixtureText('nagios/pagerduty-nagios-pl-host-down.form'), {
        contentType: form,
        directory: fakeDirectory([]),
      }),
    ).toMatchObject({ kind: 'unusable', reason: 'unmapped_host', field: 'HOSTNAME' });
    const bad = { ...fixture('nagios/project-json-host-down.json'), HOSTSTATETYPE: 'MAYBE' };
    expect(await intake('nagios', bad)).toMatchObject({
      kind: 'unusable',
      reason: 'invalid_field',
      field: 'HOSTSTATETYPE',
    });
    expect(await intake('nagios', { foo: 'bar' })).toMatchObject({ kind: 'unusable', reason: 'unknown_shape' });
  });
});
