// The local Temporal dev server: temporal-dev.yaml turned into `temporal server start-dev` flags, and started.
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { Connection } from '@temporalio/client';
import { DevConfigError, ServiceStartError } from './errors';
import { projectRoot, venvBin } from './paths';
import { assertPortFree, httpOk, spawnService, type RunningService } from './service-process';
import schema from './temporal-dev.schema.json';

export interface TemporalDevConfig {
  ip: string;
  port: number;
  ui_port?: number | null;
  namespace: string;
  db_filename: string | null;
  sqlite_pragmas?: Record<string, string>;
  search_attributes?: Record<string, string>;
  dynamic_config?: Record<string, unknown>;
  log_level?: string;
  /** Set by `npm start` (not the YAML file) when LAZARUS_PAYLOAD_KEY is set: the Web UI decodes through it. */
  ui_codec_endpoint?: string;
}

export const defaultConfigFile: string = path.join(projectRoot, 'temporal-dev.yaml');

const validate = new Ajv({ allErrors: true }).compile<TemporalDevConfig>(schema);

export function loadTemporalDevConfig(file: string = defaultConfigFile): TemporalDevConfig {
  let raw: unknown;
  try {
    raw = parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DevConfigError(file, `cannot be read as YAML: ${(err as Error).message}`);
  }
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
    throw new DevConfigError(file, problems.join('; '));
  }
  return raw;
}

/** The `temporal server start-dev` arguments for a config; db_filename is resolved against `baseDir`. */
export function startDevArgs(config: TemporalDevConfig, baseDir: string = projectRoot): string[] {
  const args = ['server', 'start-dev', '--ip', config.ip, '--port', String(config.port)];
  args.push('--namespace', config.namespace);
  if (config.ui_port == null) args.push('--headless');
  else args.push('--ui-port', String(config.ui_port), '--ui-disable-news-fetch');
  if (config.db_filename) args.push('--db-filename', path.resolve(baseDir, config.db_filename));
  for (const [pragma, value] of Object.entries(config.sqlite_pragmas ?? {})) {
    args.push('--sqlite-pragma', `${pragma}=${value}`);
  }
  for (const [name, type] of Object.entries(config.search_attributes ?? {})) {
    args.push('--search-attribute', `${name}=${type}`);
  }
  for (const [key, value] of Object.entries(config.dynamic_config ?? {})) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  if (config.log_level) args.push('--log-level', config.log_level);
  if (config.ui_codec_endpoint && config.ui_port != null) args.push('--ui-codec-endpoint', config.ui_codec_endpoint);
  return args;
}

export interface RunningTemporal {
  readonly address: string;
  readonly namespace: string;
  readonly uiUrl: string | undefined;
  readonly process: RunningService;
}

async function frontendAnswers(address: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1000 });
    await connection.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

export async function startTemporalDevServer(
  config: TemporalDevConfig,
  options: {
    baseDir?: string;
    echo?: boolean;
    binary?: string;
    /** Interrupts the start: the server is stopped and the call rejects with StartAbortedError. */
    signal?: AbortSignal;
    /** The server's environment (default this process's). */
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<RunningTemporal> {
  const binary = options.binary ?? venvBin('temporal');
  if (!fs.existsSync(binary)) {
    throw new ServiceStartError('temporal', `the Temporal CLI is not installed at ${binary}: run \`npm run setup\``);
  }
  await assertPortFree('Temporal gRPC frontend', config.ip, config.port);
  if (config.ui_port != null) await assertPortFree('Temporal Web UI', config.ip, config.ui_port);
  if (config.db_filename) {
    fs.mkdirSync(path.dirname(path.resolve(options.baseDir ?? projectRoot, config.db_filename)), { recursive: true });
  }
  const address = `${config.ip}:${config.port}`;
  const uiUrl = config.ui_port == null ? undefined : `http://${hostForUrl(config.ip)}:${config.ui_port}`;
  const proc = await spawnService({
    name: 'temporal',
    command: binary,
    args: startDevArgs(config, options.baseDir),
    echo: options.echo,
    signal: options.signal,
    env: options.env,
    readyTimeoutMs: 60_000,
    ready: async () => (await frontendAnswers(address)) && (uiUrl === undefined || (await httpOk(uiUrl))),
  });
  return { address, namespace: config.namespace, uiUrl, process: proc };
}

function hostForUrl(ip: string): string {
  return ip === '127.0.0.1' || ip === '0.0.0.0' ? 'localhost' : ip;
}
