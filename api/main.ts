// `node dist/api/main.js`: the REST API as a process. Connects to Temporal lazily (an unreachable Temporal
// gives 503s, not a failed start), serves until SIGINT/SIGTERM. Token configuration that cannot be used (no token, a
// missing or unreadable tokens file, development tokens on an address other machines reach) refuses to start with
// one line on stderr and exit status 1.
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { declaredRegions } from '../core/resolved-config';
import { createAwsClients } from '../platform/aws-clients';
import { createSnapshotCache, readSensorMapping } from '../platform/config-files';
import { clientConnectionOptions } from '../platform/temporal-connection';
import { temporalDataConverter } from '../platform/payload-codec';
import { loadTokens, requireLoopbackForDevelopmentTokens } from './auth';
import { apiRegion, readApiConfig } from './config';
import { entityTaskQueue } from '../contracts/task-queues';
import type { ApiDependencies } from './dependencies';
import { createApiMetrics, registerStateGauges } from './metrics';
import { startApiServer } from './server';

async function main(): Promise<void> {
  const config = readApiConfig(process.env);
  // LAZARUS_API_TOKENS_FILE, when set, must be readable; api/api-tokens.yaml of the checkout is read if it exists
  const tokens = loadTokens(process.env, path.join(__dirname, '..', '..', 'api', 'api-tokens.yaml'));
  requireLoopbackForDevelopmentTokens(tokens, config.host);
  if (tokens.some((entry) => entry.development)) {
    process.stderr.write(
      'lazarus api: development tokens enabled (LAZARUS_API_DEV_TOKENS): dev-sensor-token, dev-viewer-token and ' +
        `dev-operator-token are accepted on ${config.host} (docs/api.md)\n`,
    );
  }
  // The regions Lazarus serves, from services/deployment.yaml under LAZARUS_CONFIG_ROOT (default: the working
  // directory), read once at start: an event or a control change for another region is a 400 naming `region`.
  const configRoot = process.env.LAZARUS_CONFIG_ROOT ?? process.cwd();
  const deployment = (await createSnapshotCache({ configRoot })()).deployment;
  const regions = declaredRegions(deployment);
  const region = apiRegion(process.env, config.runtime.aws.region, regions, deployment.region);
  if (region === undefined) {
    throw new Error(
      `LAZARUS_API_REGION: the API's default region "${process.env.LAZARUS_API_REGION?.trim()}" is not declared in ` +
        `${path.join(configRoot, 'services', 'deployment.yaml')} (declared: ${regions.join(', ')})`,
    );
  }
  // The vendor routes' sensor mapping (services/sensors.yaml, optional), read once at start like the regions.
  const sensorMapping = await readSensorMapping(configRoot);
  const connection = Connection.lazy({ ...clientConnectionOptions(config.runtime.temporal), connectTimeout: '5s' });
  // LAZARUS_PAYLOAD_KEY: the same payload codec as the workers (it must read what they encrypt).
  const temporal = new Client({
    connection,
    namespace: config.runtime.temporal.namespace,
    ...temporalDataConverter(process.env),
  });
  const aws = config.streamName ? createAwsClients(config.runtime.aws, { maxAttempts: 2 }) : undefined;
  const deps: ApiDependencies = {
    temporal,
    taskQueue: config.runtime.temporal.taskQueue,
    entityTaskQueue: entityTaskQueue(config.runtime.temporal.taskQueue),
    region,
    ...(aws && config.streamName ? { kinesis: { client: aws.kinesis, streamName: config.streamName } } : {}),
    declaredRegions: regions,
    maxFutureSkewMs: config.maxFutureSkewMs,
    // loaded only once the tokens are good: a start that is refused does not wait for the vendor adapters to load
    sensors: (await import('./sensor-wiring')).createSensorIntake(sensorMapping.mapping, config.runtime.aws),
  };
  const metrics = createApiMetrics({ defaultMetrics: true });
  registerStateGauges(metrics, deps, { cacheMs: config.metricsCacheMs });
  const server = await startApiServer({
    deps,
    tokens,
    metrics,
    port: config.port,
    host: config.host,
    rateLimit: config.rateLimit,
    console: {
      ...(config.runtime.actuators.temporalUiUrl ? { temporalUiUrl: config.runtime.actuators.temporalUiUrl } : {}),
      namespace: config.runtime.temporal.namespace,
    },
  });
  process.stdout.write(
    `lazarus api: listening on ${server.url} (console ${server.url}/; events ${config.streamName ? `to Kinesis stream ${config.streamName}` : 'start remediations directly'}; ` +
      `regions ${regions.join(', ')}, default ${region}; sensor mapping ${sensorMapping.file ?? 'built-in defaults'}` +
      `${sensorMapping.mapping.sns.verify_signatures ? '' : '; SNS signatures NOT verified'})\n`,
  );
  const stop = (): void => {
    // A connection still retrying an unreachable Temporal may never finish closing: do not wait for it forever.
    setTimeout(() => process.exit(0), 3000).unref();
    void server.close().finally(() => {
      void connection.close().finally(() => process.exit(0));
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`lazarus api: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
});
