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
});
