import { readRuntimeConfig, RuntimeConfigError } from '../../core/runtime-config';

describe('readRuntimeConfig', () => {
  it('defaults to a local dev server, the lazarus task queue and real AWS in us-east-1', () => {
    const config = readRuntimeConfig({});
    expect(config.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'lazarus' });
    expect(config.aws).toEqual({ region: 'us-east-1', endpoint: undefined });
  });

  it('reads a Temporal Cloud style setup: address, namespace, mTLS files', () => {
    const config = readRuntimeConfig({
      TEMPORAL_ADDRESS: 'acme.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'acme.a1b2c',
      TEMPORAL_TLS_CERT: '/etc/lazarus/client.pem',
      TEMPORAL_TLS_KEY: '/etc/lazarus/client.key',
      AWS_REGION: 'eu-west-1',
    });
    expect(config.temporal.tls).toEqual({
      certPath: '/etc/lazarus/client.pem',
      keyPath: '/etc/lazarus/client.key',
      caPath: undefined,
      serverName: undefined,
    });
    expect(config.aws.region).toBe('eu-west-1');
  });

  it('names the variable when a value is malformed', () => {
    expect(() => readRuntimeConfig({ TEMPORAL_ADDRESS: 'no-port' })).toThrow(/TEMPORAL_ADDRESS: expected host:port/);
    expect(() => readRuntimeConfig({ LAZARUS_AWS_ENDPOINT: 'localhost:4566' })).toThrow(RuntimeConfigError);
    expect(() => readRuntimeConfig({ TEMPORAL_TLS_CERT: '/a.pem' })).toThrow(/TEMPORAL_TLS_KEY/);
  });

  it('defaults to real PagerDuty, no SMTP and forensics by stopping the host', () => {
    const config = readRuntimeConfig({});
    expect(config.pagerduty).toEqual({ eventsServer: 'events.pagerduty.com', restUrl: 'https://api.pagerduty.com' });
    expect(config.smtp).toBeUndefined();
    expect(config.actuators).toEqual({ forensicsMode: 'stop' });
  });

  it('reads the local stand-ins npm start hands the worker', () => {
    const config = readRuntimeConfig({
      LAZARUS_PAGERDUTY_EVENTS_SERVER: '127.0.0.1:4567',
      LAZARUS_PAGERDUTY_API_URL: 'http://127.0.0.1:4568',
      LAZARUS_PAGERDUTY_CA: '/tmp/pd-ca.pem',
      PAGERDUTY_API_TOKEN: 'local',
      LAZARUS_SMTP_HOST: '127.0.0.1',
      LAZARUS_SMTP_PORT: '2525',
      LAZARUS_SMTP_IGNORE_TLS: 'true',
      LAZARUS_TEMPORAL_UI_URL: 'http://localhost:8233',
    });
    expect(config.pagerduty).toEqual({
      eventsServer: '127.0.0.1:4567',
      restUrl: 'http://127.0.0.1:4568',
      caPath: '/tmp/pd-ca.pem',
      token: 'local',
    });
    expect(config.smtp).toEqual({
      host: '127.0.0.1',
      port: 2525,
      from: 'lazarus@localhost',
      secure: false,
      ignoreTLS: true,
    });
    expect(config.actuators.temporalUiUrl).toBe('http://localhost:8233');
  });

  it('names the variable when an actuator setting is malformed', () => {
    expect(() => readRuntimeConfig({ LAZARUS_PAGERDUTY_EVENTS_SERVER: 'https://x' })).toThrow(
      /LAZARUS_PAGERDUTY_EVENTS_SERVER/,
    );
    expect(() => readRuntimeConfig({ LAZARUS_SMTP_HOST: 'mail', LAZARUS_SMTP_PORT: 'x' })).toThrow(/LAZARUS_SMTP_PORT/);
    expect(() => readRuntimeConfig({ LAZARUS_FORENSICS_MODE: 'isolate' })).toThrow(/LAZARUS_ISOLATION_SECURITY_GROUP/);
    expect(() => readRuntimeConfig({ LAZARUS_FORENSICS_MODE: 'delete' })).toThrow(/LAZARUS_FORENSICS_MODE/);
  });
});
