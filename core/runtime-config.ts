// How a Lazarus process finds Temporal and AWS, read from an environment map (pure: the caller passes the env).
// Variable names follow the `temporal` CLI's, so one set of variables serves the CLI and Lazarus alike.

export interface TemporalConnectionConfig {
  /** host:port of the Temporal frontend (TEMPORAL_ADDRESS). */
  address: string;
  namespace: string;
  taskQueue: string;
  /** Paths to PEM files for mTLS (TEMPORAL_TLS_CERT / TEMPORAL_TLS_KEY); CA for a private CA (TEMPORAL_TLS_CA). */
  tls?: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string };
  /** Temporal Cloud API key (TEMPORAL_API_KEY); implies TLS. */
  apiKey?: string;
}

export interface AwsConfig {
  region: string;
  /** Endpoint override for a local emulator (LAZARUS_AWS_ENDPOINT); unset means real AWS. */
  endpoint?: string;
}

export interface RuntimeConfig {
  temporal: TemporalConnectionConfig;
  aws: AwsConfig;
}

export class RuntimeConfigError extends Error {
  override readonly name = 'RuntimeConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`environment variable ${variable}: ${message}`);
  }
}

export const defaultTaskQueue = 'lazarus';

export function readRuntimeConfig(env: Readonly<Record<string, string | undefined>>): RuntimeConfig {
  const address = env.TEMPORAL_ADDRESS?.trim() || '127.0.0.1:7233';
  if (!/^[^\s:]+:\d{1,5}$/.test(address)) {
    throw new RuntimeConfigError('TEMPORAL_ADDRESS', `expected host:port, got "${address}"`);
  }
  const tlsEnabled = env.TEMPORAL_TLS === 'true' || Boolean(env.TEMPORAL_TLS_CERT || env.TEMPORAL_TLS_CA);
  if (Boolean(env.TEMPORAL_TLS_CERT) !== Boolean(env.TEMPORAL_TLS_KEY)) {
    throw new RuntimeConfigError(
      env.TEMPORAL_TLS_CERT ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT',
      'mTLS needs both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY',
    );
  }
  const endpoint = env.LAZARUS_AWS_ENDPOINT?.trim() || undefined;
  if (endpoint !== undefined && !/^https?:\/\/\S+$/.test(endpoint)) {
    throw new RuntimeConfigError('LAZARUS_AWS_ENDPOINT', `expected an http(s) URL, got "${endpoint}"`);
  }
  return {
    temporal: {
      address,
      namespace: env.TEMPORAL_NAMESPACE?.trim() || 'default',
      taskQueue: env.LAZARUS_TASK_QUEUE?.trim() || defaultTaskQueue,
      ...(tlsEnabled
        ? {
            tls: {
              certPath: env.TEMPORAL_TLS_CERT,
              keyPath: env.TEMPORAL_TLS_KEY,
              caPath: env.TEMPORAL_TLS_CA,
              serverName: env.TEMPORAL_TLS_SERVER_NAME,
            },
          }
        : {}),
      ...(env.TEMPORAL_API_KEY ? { apiKey: env.TEMPORAL_API_KEY } : {}),
    },
    aws: { region: env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || 'us-east-1', endpoint },
  };
}
