import {
  fromNagiosNotification,
  IgnoredSensorPayloadError,
  MalformedSensorPayloadError,
} from '../../../ingest/adapters';

// What the notify-host-by-lazarus command posts for a host going down, macros expanded.
const hostDown = {
  NOTIFICATIONTYPE: 'PROBLEM',
  HOSTNAME: 'web-042.us-east-1.example.com',
  HOSTADDRESS: '10.0.3.17',
  HOSTSTATE: 'DOWN',
  HOSTSTATETYPE: 'HARD',
  HOSTPROBLEMID: '4711',
  HOSTOUTPUT: 'CRITICAL - Host Unreachable (10.0.3.17)',
  TIMET: '1795827600',
  _HOSTINSTANCE_ID: 'i-0123456789abcdef0',
  _HOSTSERVICE: 'web',
  _HOSTREGION: 'us-east-1',
  _HOSTENVIRONMENT: 'production',
};

const healthCritical = {
  NOTIFICATIONTYPE: 'PROBLEM',
  HOSTNAME: 'i-0123456789abcdef0',
  SERVICEDESC: 'HTTP health check',
  SERVICESTATE: 'CRITICAL',
  SERVICESTATETYPE: 'SOFT',
  SERVICEPROBLEMID: '991',
  SERVICEOUTPUT: 'HTTP CRITICAL: HTTP/1.1 503 Service Unavailable',
  TIMET: 1795827600,
};

describe('fromNagiosNotification', () => {
  it('turns a HARD host DOWN notification into a NagiosHostAlarm for the instance', () => {
    expect(fromNagiosNotification(hostDown)).toEqual({
      incident_key: 'nagios/web-042.us-east-1.example.com/host/4711',
      event_type: 'NagiosHostAlarm',
      source: 'nagios',
      service: 'web',
      host: 'i-0123456789abcdef0',
      region: 'us-east-1',
      environment: 'prod',
      occurred_at: '2026-11-28T01:00:00.000Z',
      host_state_type: 'HARD',
      details: {
        nagios_host: 'web-042.us-east-1.example.com',
        state: 'DOWN',
        output: 'CRITICAL - Host Unreachable (10.0.3.17)',
      },
    });
  });

  it('turns a CRITICAL health check into HealthcheckDown, taking defaults for what the host does not say', () => {
    const event = fromNagiosNotification(healthCritical, {
      service: 'checkout',
      region: 'eu-west-1',
      environment: 'stage',
    });
    expect(event).toMatchObject({
      incident_key: 'nagios/i-0123456789abcdef0/HTTP health check/991',
      event_type: 'HealthcheckDown',
      service: 'checkout',
      host: 'i-0123456789abcdef0',
      region: 'eu-west-1',
      environment: 'stage',
      host_state_type: 'SOFT',
    });
  });

  it('types other CRITICAL service checks as NagiosServiceAlarm', () => {
    const event = fromNagiosNotification(
      { ...healthCritical, SERVICEDESC: 'Disk /var' },
      { service: 'checkout', region: 'eu-west-1', environment: 'prod' },
    );
    expect(event.event_type).toBe('NagiosServiceAlarm');
  });

  it('uses receivedAt when the notification carries no TIMET', () => {
    const withoutTime: Record<string, unknown> = { ...hostDown };
    delete withoutTime.TIMET;
    expect(fromNagiosNotification(withoutTime, { receivedAt: '2026-11-22T02:00:00.000Z' }).occurred_at).toBe(
      '2026-11-22T02:00:00.000Z',
    );
  });

  it.each([
    ['a recovery', { ...hostDown, NOTIFICATIONTYPE: 'RECOVERY', HOSTSTATE: 'UP' }],
    ['an acknowledgement', { ...hostDown, NOTIFICATIONTYPE: 'ACKNOWLEDGEMENT' }],
    ['a WARNING service state', { ...healthCritical, SERVICESTATE: 'WARNING' }],
  ])('ignores %s', (_label, payload) => {
    expect(() => fromNagiosNotification(payload, { service: 's', region: 'r', environment: 'prod' })).toThrow(
      IgnoredSensorPayloadError,
    );
  });

  it.each([
    ['HOSTSTATETYPE', { ...hostDown, HOSTSTATETYPE: 'FIRM' }],
    ['HOSTSTATE', { ...hostDown, HOSTSTATE: 'ON FIRE' }],
    ['HOSTNAME', { ...hostDown, HOSTNAME: undefined }],
    ['_HOSTINSTANCE_ID', { ...hostDown, _HOSTINSTANCE_ID: undefined }],
    ['_HOSTENVIRONMENT', { ...hostDown, _HOSTENVIRONMENT: 'qa' }],
    ['TIMET', { ...hostDown, TIMET: 'yesterday' }],
    ['NOTIFICATIONTYPE', { ...hostDown, NOTIFICATIONTYPE: 42 }],
  ])('rejects a broken payload, naming %s', (field, payload) => {
    const act = (): unknown => fromNagiosNotification(payload);
    expect(act).toThrow(MalformedSensorPayloadError);
    expect(act).toThrow(expect.objectContaining({ field }) as Error);
  });

  it('rejects a service missing everywhere, naming the custom variable', () => {
    const withoutService: Record<string, unknown> = { ...hostDown };
    delete withoutService._HOSTSERVICE;
    expect(() => fromNagiosNotification(withoutService)).toThrow(
      '_HOSTSERVICE: missing, and no default was configured',
    );
  });

  it('rejects what is not an object', () => {
    expect(() => fromNagiosNotification('HOST DOWN')).toThrow(MalformedSensorPayloadError);
  });
});
