// Secrets referenced by name. Configuration may give a PagerDuty routing key or a Slack webhook URL as
// `secret:NAME` instead of the value; only that reference travels in workflow and activity inputs (so Temporal
// history holds the name, never the value), and the activity that calls out resolves it here, from the worker's
// environment (LAZARUS_SECRET_<NAME>) or a secrets file (LAZARUS_SECRETS_FILE, a YAML map of NAME: value).
// A plain value (no `secret:` prefix) is used as it is: fine locally, but it is then stored in history.
import fs from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import { parse as parseYaml } from 'yaml';

export const secretRefPrefix = 'secret:';
/** Names of secrets: upper-case letters, digits and underscores, starting with a letter (an environment name). */
export const secretNamePattern = /^[A-Z][A-Z0-9_]*$/;
/** Failure type of an activity whose secret cannot be resolved (non-retryable: configuration must change). */
export const SecretMissingFailureType = 'LazarusSecretMissing';

/** The secret's name when the value is a reference (`secret:NAME`), else undefined (a plain value). */
export function secretRefName(value: string): string | undefined {
  return value.startsWith(secretRefPrefix) ? value.slice(secretRefPrefix.length) : undefined;
}

export function isSecretRef(value: string): boolean {
  return secretRefName(value) !== undefined;
}

export class SecretMissingError extends Error {
  override readonly name = 'SecretMissingError';
  constructor(
    readonly secret: string,
    detail: string,
  ) {
    super(`secret "${secret}" ${detail}`);
  }
}

export interface SecretResolver {
  /** The value of a reference (`secret:NAME`), or a plain value as it is. Throws SecretMissingError. */
  resolve(value: string): string;
}

export interface SecretResolverOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** Default env.LAZARUS_SECRETS_FILE. Read on each lookup (cheap), so a rotated file applies at once. */
  secretsFile?: string;
}

/** Names the environment variable that holds a secret. */
export function secretEnvName(name: string): string {
  return `LAZARUS_SECRET_${name}`;
}

export function createSecretResolver(options: SecretResolverOptions = {}): SecretResolver {
  const env = options.env ?? process.env;
  const file = options.secretsFile ?? env.LAZARUS_SECRETS_FILE?.trim();

  function fromFile(name: string): string | undefined {
    if (!file) return undefined;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new SecretMissingError(name, `cannot be read: secrets file ${file} is unreadable (${code})`);
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text) as unknown;
    } catch {
      // never echo the file's content: it holds secrets
      throw new SecretMissingError(name, `cannot be read: secrets file ${file} is not valid YAML`);
    }
    if (parsed === null || parsed === undefined) return undefined;
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new SecretMissingError(name, `cannot be read: secrets file ${file} is not a map of NAME: value`);
    }
    const value = (parsed as Record<string, unknown>)[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value === '') {
      throw new SecretMissingError(name, `in secrets file ${file} is not a non-empty string`);
    }
    return value;
  }

  return {
    resolve(value) {
      const name = secretRefName(value);
      if (name === undefined) return value;
      if (!secretNamePattern.test(name)) {
        throw new SecretMissingError(name, 'is not a valid secret name (A-Z, 0-9 and _, starting with a letter)');
      }
      const fromEnv = env[secretEnvName(name)];
      if (fromEnv) return fromEnv;
      const found = fromFile(name);
      if (found !== undefined) return found;
      throw new SecretMissingError(
        name,
        `is not set: define ${secretEnvName(name)} in the worker's environment` +
          (file ? ` or ${name} in ${file}` : ' or set LAZARUS_SECRETS_FILE to a YAML file that defines it'),
      );
    },
  };
}

/** Resolves inside an activity: a missing secret fails it non-retryably, naming the secret (never a value). */
export function resolveSecretForActivity(resolver: SecretResolver, value: string): string {
  try {
    return resolver.resolve(value);
  } catch (err) {
    if (err instanceof SecretMissingError) {
      throw ApplicationFailure.nonRetryable(err.message, SecretMissingFailureType);
    }
    throw err;
  }
}

/** A reference or value as shown in logs and results: the reference itself, or a placeholder for a plain value. */
export function describeSecret(value: string): string {
  return isSecretRef(value) ? value : '(plain value)';
}
