/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest matchers are typed any */
import { fixture, fakeDirectory, intake } from './vendor-fixtures';

const instance = 'i-0123456789abcdef0';
const tagged = fakeDirectory([{ instance_id: instance, tags: { app: 'web', stage: 'staging' } }]);
const mapping = {
  tag_keys: { service: ['service', 'app'], environment: ['environment', 'stage'], region: ['region'] },
};

describe('AWS Health through EventBridge', () => {
  it("maps AWS's retirement sample (an instance ARN, no resources) to an AWSScheduledEvent with the scheduled window", async () => {
    const outcome = await intake('aws', fixture('aws/health-retirement-arn-no-resources.json'), {
      directory: tagged,
      mapping,
    });
    expect(outcome).toMatchObject({ kind: 'events', format: 'eventbridge' });
    if (outcome.kind !== 'events') return;
    expect(outcome.events).toEqual([
      expect.objectContaining({
        event_type: 'AWSScheduledEvent',
        source: 'aws',
        host: instance,
        service: 'web',
        environment: 'stage',
        region: 'us-east-1',
        occurred_at: '2026-12-02T06:27:57Z',
        incident_key: expect.stringMatching(
          /^aws-health\/AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED_.*\/i-0123456789abcdef0$/,
        ),
        details: expect.objectContaining({
          event_type_code: 'AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED',
          scheduled_start: 'Wed, 16 Dec 2026 06:00:00 GMT',
          scheduled_end: 'Wed, 16 Dec 2026 08:00:00 GMT',
          status_code: 'upcoming',
          resolution: { host: 'instance_id', region: 'event', service: 'instance_tags', environment: 'instance_tags' },
        }),
      }),
    ]);
  });

  it('takes the region from detail.eventRegion, not the delivering region, and looks the instance up there', async () => {
    const directory = fakeDirectory([{ instance_id: instance, tags: {} }]);
    const outcome = await intake('aws', fixture('aws/health-reboot-backup-region-delivery.json'), { directory });
    expect(outcome).toMatchObject({
      kind: 'events',
      events: [
        expect.objectContaining({
          region: 'us-east-1',
          service: 'web',
          environment: 'prod',
          details: expect.objectContaining({ delivered_in: 'us-west-2' }),
        }),
      ],
    });
    expect(directory.calls).toEqual([`us-east-1 id ${instance}`]);
  });

  it.each([
    ['aws/health-retirement-closed.json', /closed/],
    ['aws/health-retirement-entity-resolved.json', /resolved/],
    ['aws/health-operational-issue.json', /not an EC2 scheduled change/],
    ['aws/ec2-state-change.json', /not an AWS Health event/],
  ])('ignores %s with the reason', async (path, reason) => {
    expect(await intake('aws', fixture(path))).toMatchObject({
      kind: 'ignored',
      reason: expect.stringMatching(reason),
    });
  });

  it('escalates an instance that maps to no service under the unmapped service instead of refusing it', async () => {
    const outcome = await intake('aws', fixture('aws/health-retirement-arn-no-resources.json'), {
      directory: fakeDirectory([]),
    });
    expect(outcome).toMatchObject({
      kind: 'events',
      events: [
        expect.objectContaining({
          service: 'unmapped',
          host: instance,
          details: expect.objectContaining({ unmapped: expect.stringContaining('not known to EC2') }),
        }),
      ],
    });
  });

  it('dead-letters what is no EventBridge event, and an SNS message it cannot verify', async () => {
    expect(await intake('aws', { hello: 'world' })).toMatchObject({ kind: 'unusable', reason: 'unknown_shape' });
    expect(await intake('aws', 'not json', { contentType: 'text/plain' })).toMatchObject({
      kind: 'unusable',
      reason: 'unknown_shape',
      field: '<body>',
    });
    const sns = {
      ...fixture('aws/sns-notification.json'),
      Message: JSON.stringify(fixture('aws/ec2-state-change.json')),
    };
    expect(await intake('aws', sns, { contentType: 'text/plain; charset=UTF-8' })).toMatchObject({
      kind: 'unusable',
      reason: 'bad_signature',
    });
  });

  it('reads the event inside an SNS Notification when verification is off (a local emulator)', async () => {
    const event = fixture('aws/health-retirement-arn-no-resources.json');
    const sns = { ...fixture('aws/sns-notification.json'), Message: JSON.stringify(event) };
    const outcome = await intake('aws', sns, {
      contentType: 'text/plain; charset=UTF-8',
      mapping: { sns: { verify_signatures: false, certificate_url_pattern: '^$', subscribe_url_pattern: '^$' } },
      directory: tagged,
    });
    expect(outcome).toMatchObject({
      kind: 'events',
      format: 'sns',
      events: [expect.objectContaining({ host: instance })],
    });
  });
});
