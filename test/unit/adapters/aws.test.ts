import { fromAwsHealthEvent, IgnoredSensorPayloadError, MalformedSensorPayloadError } from '../../../ingest/adapters';

// An EventBridge record for an EC2 instance retirement, as AWS Health delivers it.
const retirement = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'AWS Health Event',
  source: 'aws.health',
  account: '123456789012',
  time: '2026-11-22T01:30:00Z',
  region: 'us-east-1',
  resources: ['i-0a1b2c3d4e5f67890', 'i-0fedcba9876543210'],
  detail: {
    eventArn:
      'arn:aws:health:us-east-1::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_abc123',
    service: 'EC2',
    eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
    eventTypeCategory: 'scheduledChange',
    startTime: '2026-12-01T00:00:00Z',
    eventDescription: [
      { language: 'en_US', latestDescription: 'EC2 has detected degradation of the underlying hardware.' },
    ],
    affectedEntities: [
      { entityValue: 'i-0a1b2c3d4e5f67890', tags: { service: 'web', environment: 'production' } },
      { entityValue: 'i-0fedcba9876543210', tags: { service: 'checkout', environment: 'prod' } },
    ],
  },
};

describe('fromAwsHealthEvent', () => {
  it('makes one AWSScheduledEvent per affected instance, service and environment from its tags', () => {
    const events = fromAwsHealthEvent(retirement);
    expect(events).toEqual([
      {
        incident_key: 'aws-health/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_abc123/i-0a1b2c3d4e5f67890',
        event_type: 'AWSScheduledEvent',
        source: 'aws',
        service: 'web',
        host: 'i-0a1b2c3d4e5f67890',
        region: 'us-east-1',
        environment: 'prod',
        occurred_at: '2026-11-22T01:30:00Z',
        details: {
          event_arn: retirement.detail.eventArn,
          event_type_code: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
          scheduled_start: '2026-12-01T00:00:00Z',
        },
      },
      expect.objectContaining({ service: 'checkout', host: 'i-0fedcba9876543210' }) as unknown,
    ]);
  });

  it('prefers the tags the caller knows, with its own tag keys and default environment', () => {
    const [event] = fromAwsHealthEvent(
      { ...retirement, resources: ['i-0a1b2c3d4e5f67890'] },
      {
        instanceTags: { 'i-0a1b2c3d4e5f67890': { 'lazarus:service': 'search' } },
        serviceTag: 'lazarus:service',
        environment: 'stage',
      },
    );
    expect(event).toMatchObject({ service: 'search', environment: 'stage' });
  });

  it('ignores health events that are not EC2 scheduled changes', () => {
    expect(() =>
      fromAwsHealthEvent({ ...retirement, detail: { ...retirement.detail, eventTypeCategory: 'issue' } }),
    ).toThrow(IgnoredSensorPayloadError);
  });

  it.each([
    ['source', { ...retirement, source: 'aws.ec2' }, 'expected an AWS Health Event'],
    ['resources', { ...retirement, resources: ['arn:aws:ec2:us-east-1:123:volume/vol-1'] }, 'is not an instance id'],
    [
      'resources',
      { ...retirement, resources: [], detail: { ...retirement.detail, affectedEntities: [] } },
      'names no instance',
    ],
    ['resources', { ...retirement, detail: { ...retirement.detail, affectedEntities: [] } }, 'has no "service" tag'],
    ['detail.eventArn', { ...retirement, detail: { ...retirement.detail, eventArn: undefined } }, 'missing'],
    ['detail', { ...retirement, detail: 'EC2' }, 'expected an object'],
  ])('rejects a broken record, naming %s', (field, record, problem) => {
    const act = (): unknown => fromAwsHealthEvent(record);
    expect(act).toThrow(MalformedSensorPayloadError);
    expect(act).toThrow(problem);
    expect(act).toThrow(expect.objectContaining({ field }) as Error);
  });
});
