import { fromDatadogWebhook, IgnoredSensorPayloadError, MalformedSensorPayloadError } from '../../../ingest/adapters';

// The webhook body as Datadog renders our template for a triggered monitor.
const triggered = {
  id: '7412398174650261882',
  alert_id: '91234567',
  alert_transition: 'Triggered',
  alert_type: 'error',
  title: '[Triggered on {host:i-0a1b2c3d4e5f67890}] checkout health check failing',
  date: '1795827600000',
  hostname: 'i-0a1b2c3d4e5f67890',
  alert_scope: 'host:i-0a1b2c3d4e5f67890',
  tags: 'env:production,host:i-0a1b2c3d4e5f67890,region:us-east-1,service:checkout,team:payments',
};

describe('fromDatadogWebhook', () => {
  it('turns a triggered monitor into a HealthcheckDown event from its tags', () => {
    expect(fromDatadogWebhook(triggered)).toEqual({
      incident_key: 'datadog/91234567/i-0a1b2c3d4e5f67890/7412398174650261882',
      event_type: 'HealthcheckDown',
      source: 'datadog',
      service: 'checkout',
      host: 'i-0a1b2c3d4e5f67890',
      region: 'us-east-1',
      environment: 'prod',
      occurred_at: '2026-11-28T01:00:00.000Z',
      details: {
        alert_id: '91234567',
        alert_transition: 'Triggered',
        title: '[Triggered on {host:i-0a1b2c3d4e5f67890}] checkout health check failing',
        alert_scope: 'host:i-0a1b2c3d4e5f67890',
      },
    });
  });

  it('accepts tags as a list, a numeric alert id, a chosen event type and a service-level alert', () => {
    const event = fromDatadogWebhook(
      {
        alert_id: 5,
        alert_transition: 'Re-Triggered',
        date: 1795827600,
        tags: ['service:web', 'lazarus_event_type:ScaleUp'],
      },
      { region: 'eu-west-1', environment: 'stage' },
    );
    expect(event).toMatchObject({
      incident_key: 'datadog/5/web',
      event_type: 'ScaleUp',
      service: 'web',
      region: 'eu-west-1',
      environment: 'stage',
      occurred_at: '2026-11-28T01:00:00.000Z',
    });
    expect(event.host).toBeUndefined();
  });

  it('gives each trigger of one monitor on one host its own incident key (a recurrence is a new incident)', () => {
    const again = fromDatadogWebhook({ ...triggered, id: '7412398174650299999', alert_transition: 'Re-Triggered' });
    expect(again.incident_key).toBe('datadog/91234567/i-0a1b2c3d4e5f67890/7412398174650299999');
    expect(again.incident_key).not.toBe(fromDatadogWebhook(triggered).incident_key);
  });

  it.each(['Recovered', 'Warn', 'No Data'])('ignores the %s transition', (transition) => {
    expect(() => fromDatadogWebhook({ ...triggered, alert_transition: transition })).toThrow(IgnoredSensorPayloadError);
  });

  it.each([
    ['tags', { ...triggered, tags: 'env:production,host:i-0a1b2c3d4e5f67890' }, 'no service:<name> tag'],
    ['tags', { ...triggered, tags: 'service:checkout,host:web-1,env:prod,region:us-east-1' }, 'is not an instance id'],
    ['tags', { ...triggered, tags: 'service:checkout,env:prod' }, 'no region:<region> tag'],
    ['tags', { ...triggered, tags: { service: 'checkout' } }, 'expected "k:v,k:v"'],
    ['alert_id', { ...triggered, alert_id: undefined }, 'missing'],
    ['date', { ...triggered, date: 'last tuesday' }, 'is not epoch time or ISO 8601'],
  ])('rejects a broken payload, naming %s', (field, payload, problem) => {
    const act = (): unknown => fromDatadogWebhook(payload);
    expect(act).toThrow(MalformedSensorPayloadError);
    expect(act).toThrow(problem);
    expect(act).toThrow(expect.objectContaining({ field }) as Error);
  });
});
