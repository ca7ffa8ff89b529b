// Secrets by reference: `secret:NAME` resolves from LAZARUS_SECRET_<NAME> or the secrets file; plain values pass;
// a missing secret is an error naming it, never showing a value.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import {
  createSecretResolver,
  resolveSecretForActivity,
  SecretMissingError,
  SecretMissingFailureType,
  secretRefName,
} from '../../../platform/secrets';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazarus-secrets-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('parses references and leaves plain values alone', () => {
  expect(secretRefName('secret:PD_WEB')).toBe('PD_WEB');
  expect(secretRefName('R0UT1NGKEY')).toBeUndefined();
  expect(createSecretResolver({ env: {} }).resolve('https://hooks.example/x')).toBe('https://hooks.example/x');
});

it('resolves from the environment first, then the secrets file', () => {
  const file = path.join(dir, 'secrets.yaml');
  fs.writeFileSync(file, 'PD_WEB: from-file\nSLACK_OPS: https://hooks.example/ops\n');
  const resolver = createSecretResolver({ env: { LAZARUS_SECRET_PD_WEB: 'from-env', LAZARUS_SECRETS_FILE: file } });
  expect(resolver.resolve('secret:PD_WEB')).toBe('from-env');
  expect(resolver.resolve('secret:SLACK_OPS')).toBe('https://hooks.example/ops');
  // read on each lookup: a rotated file applies at once
  fs.writeFileSync(file, 'SLACK_OPS: https://hooks.example/rotated\n');
  expect(resolver.resolve('secret:SLACK_OPS')).toBe('https://hooks.example/rotated');
});

it('names a missing secret and where it was looked for, never a value', () => {
  const file = path.join(dir, 'other.yaml');
  fs.writeFileSync(file, 'SOMETHING_ELSE: top-secret-value\n');
  const resolver = createSecretResolver({ env: { LAZARUS_SECRETS_FILE: file } });
  expect(() => resolver.resolve('secret:PD_WEB')).toThrow(SecretMissingError);
  expect(() => resolver.resolve('secret:PD_WEB')).toThrow(/secret "PD_WEB" is not set: define LAZARUS_SECRET_PD_WEB/);
  expect(() => resolver.resolve('secret:lower')).toThrow(/not a valid secret name/);
  fs.writeFileSync(file, 'PD_WEB: [top-secret-value\n');
  let message = '';
  try {
    resolver.resolve('secret:PD_WEB');
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toMatch(/not valid YAML/);
  expect(message).not.toContain('top-secret-value');
  expect(() =>
    createSecretResolver({ env: { LAZARUS_SECRETS_FILE: path.join(dir, 'none') } }).resolve('secret:A'),
  ).toThrow(/unreadable \(ENOENT\)/);
});

it('fails an activity non-retryably, naming the secret', () => {
  let failure: unknown;
  try {
    resolveSecretForActivity(createSecretResolver({ env: {} }), 'secret:PD_WEB');
  } catch (err) {
    failure = err;
  }
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect((failure as ApplicationFailure).nonRetryable).toBe(true);
  expect((failure as ApplicationFailure).type).toBe(SecretMissingFailureType);
  expect((failure as ApplicationFailure).message).toContain('PD_WEB');
});
