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

export interface PagerDutyConfig {
  /** Events API v2 host[:port] (LAZARUS_PAGERDUTY_EVENTS_SERVER, default events.pagerduty.com); always https. */
  eventsServer: string;
  /** REST API base URL (LAZARUS_PAGERDUTY_API_URL, default https://api.pagerduty.com). */
  restUrl: string;
  /** REST API token (PAGERDUTY_API_TOKEN). */
  token?: string;
  /** `From` header for REST writes (LAZARUS_PAGERDUTY_FROM). */
  fromEmail?: string;
  /** PEM file of a CA to trust for the Events API (LAZARUS_PAGERDUTY_CA), e.g. the local emulator's. */
  caPath?: string;
}

export interface SmtpConfig {
  host: string;
  port: number;
  from: string;
  secure: boolean;
  ignoreTLS: boolean;
  user?: string;
  password?: string;
}

export interface ActuatorConfig {
  /** keepForensics default mode (LAZARUS_FORENSICS_MODE: stop | isolate, default stop). */
  forensicsMode: 'stop' | 'isolate';
  /** Security group for mode isolate (LAZARUS_ISOLATION_SECURITY_GROUP). */
  isolationSecurityGroupId?: string;
  /** Base URL of the Temporal Web UI for links in notifications (LAZARUS_TEMPORAL_UI_URL). */
  temporalUiUrl?: string;
}

export interface RuntimeConfig {
  temporal: TemporalConnectionConfig;
  aws: AwsConfig;
  pagerduty: PagerDutyConfig;
  /** Set when LAZARUS_SMTP_HOST is; without it email notifications fail (and are reported as failed). */
  smtp?: SmtpConfig;
  actuators: ActuatorConfig;
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
    pagerduty: readPagerDuty(env),
    ...(env.LAZARUS_SMTP_HOST?.trim() ? { smtp: readSmtp(env) } : {}),
    actuators: readActuators(env),
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

function optional(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

function httpUrl(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = optional(env, name);
  if (value !== undefined && !/^https?:\/\/\S+$/.test(value)) {
    throw new RuntimeConfigError(name, `expected an http(s) URL, got "${value}"`);
  }
  return value;
}

function readPagerDuty(env: Readonly<Record<string, string | undefined>>): PagerDutyConfig {
  const eventsServer = optional(env, 'LAZARUS_PAGERDUTY_EVENTS_SERVER') ?? 'events.pagerduty.com';
  if (!/^[^\s/:]+(:\d{1,5})?$/.test(eventsServer)) {
    throw new RuntimeConfigError(
      'LAZARUS_PAGERDUTY_EVENTS_SERVER',
      `expected host or host:port, got "${eventsServer}"`,
    );
  }
  const token = optional(env, 'PAGERDUTY_API_TOKEN');
  const fromEmail = optional(env, 'LAZARUS_PAGERDUTY_FROM');
  const caPath = optional(env, 'LAZARUS_PAGERDUTY_CA');
  return {
    eventsServer,
    restUrl: httpUrl(env, 'LAZARUS_PAGERDUTY_API_URL') ?? 'https://api.pagerduty.com',
    ...(token ? { token } : {}),
    ...(fromEmail ? { fromEmail } : {}),
    ...(caPath ? { caPath } : {}),
  };
}

function readSmtp(env: Readonly<Record<string, string | undefined>>): SmtpConfig {
  const port = Number(optional(env, 'LAZARUS_SMTP_PORT') ?? '25');
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RuntimeConfigError('LAZARUS_SMTP_PORT', `expected a port number, got "${env.LAZARUS_SMTP_PORT}"`);
  }
  const user = optional(env, 'LAZARUS_SMTP_USER');
  return {
    host: env.LAZARUS_SMTP_HOST?.trim() ?? '',
    port,
    from: optional(env, 'LAZARUS_SMTP_FROM') ?? 'lazarus@localhost',
    secure: env.LAZARUS_SMTP_SECURE === 'true',
    ignoreTLS: env.LAZARUS_SMTP_IGNORE_TLS === 'true',
    ...(user ? { user, password: env.LAZARUS_SMTP_PASSWORD ?? '' } : {}),
  };
}

function readActuators(env: Readonly<Record<string, string | undefined>>): ActuatorConfig {
  const mode = optional(env, 'LAZARUS_FORENSICS_MODE') ?? 'stop';
  if (mode !== 'stop' && mode !== 'isolate') {
    throw new RuntimeConfigError('LAZARUS_FORENSICS_MODE', `expected stop or isolate, got "${mode}"`);
  }
  const group = optional(env, 'LAZARUS_ISOLATION_SECURITY_GROUP');
  if (mode === 'isolate' && !group) {
    throw new RuntimeConfigError('LAZARUS_ISOLATION_SECURITY_GROUP', 'LAZARUS_FORENSICS_MODE=isolate needs a group');
  }
  const temporalUiUrl = httpUrl(env, 'LAZARUS_TEMPORAL_UI_URL');
  return {
    forensicsMode: mode,
    ...(group ? { isolationSecurityGroupId: group } : {}),
    ...(temporalUiUrl ? { temporalUiUrl } : {}),
  };
}
