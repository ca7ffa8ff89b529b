// The codec endpoint's settings from the environment, and the dev server flag npm start adds for the Web UI.
import { randomBytes } from 'node:crypto';
import { codecServerOptionsFromEnv, defaultCodecCorsOrigins } from '../../../platform/codec-server';
import { startDevArgs, type TemporalDevConfig } from '../../../devstack/temporal-dev';

const key = randomBytes(32).toString('base64');

it('needs the payload key, and defaults to loopback, port 8888, the local Web UI origins and no token', () => {
  expect(() => codecServerOptionsFromEnv({})).toThrow(/LAZARUS_PAYLOAD_KEY/);
  const options = codecServerOptionsFromEnv({ LAZARUS_PAYLOAD_KEY: key });
  expect({ host: options.host, port: options.port, token: options.authToken }).toEqual({
    host: '127.0.0.1',
    port: 8888,
    token: undefined,
  });
  expect(options.corsOrigins ?? defaultCodecCorsOrigins).toEqual(defaultCodecCorsOrigins);
});

it('reads host, port, origins and token, and names a bad port', () => {
  const options = codecServerOptionsFromEnv({
    LAZARUS_PAYLOAD_KEY: key,
    LAZARUS_CODEC_HOST: '0.0.0.0',
    LAZARUS_CODEC_PORT: '9999',
    LAZARUS_CODEC_CORS_ORIGINS: 'https://temporal.example.com, http://localhost:8233',
    LAZARUS_CODEC_AUTH_TOKEN: 'tok',
  });
  expect(options).toMatchObject({
    host: '0.0.0.0',
    port: 9999,
    corsOrigins: ['https://temporal.example.com', 'http://localhost:8233'],
    authToken: 'tok',
  });
  expect(() => codecServerOptionsFromEnv({ LAZARUS_PAYLOAD_KEY: key, LAZARUS_CODEC_PORT: 'x' })).toThrow(
    /LAZARUS_CODEC_PORT/,
  );
});

it('gives the dev server --ui-codec-endpoint only with a UI', () => {
  const config: TemporalDevConfig = {
    ip: '127.0.0.1',
    port: 7233,
    ui_port: 8233,
    namespace: 'default',
    db_filename: null,
  };
  const withCodec = startDevArgs({ ...config, ui_codec_endpoint: 'http://127.0.0.1:8888' });
  expect(withCodec.slice(withCodec.indexOf('--ui-codec-endpoint'))).toEqual([
    '--ui-codec-endpoint',
    'http://127.0.0.1:8888',
  ]);
  expect(startDevArgs(config)).not.toContain('--ui-codec-endpoint');
  expect(startDevArgs({ ...config, ui_port: null, ui_codec_endpoint: 'http://x' })).not.toContain(
    '--ui-codec-endpoint',
  );
});
