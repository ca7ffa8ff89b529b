// `lazarus explain --from datadog|nagios|aws payload`: the event(s) a vendor payload maps to with services/sensors.yaml
// and EC2 (what the API's vendor route would submit), or why it maps to none (ignored, or what it would be
// dead-lettered as). Signatures of SNS messages are not checked here and subscriptions are not confirmed.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readRuntimeConfig } from '../../core/runtime-config';
import { environments, type Environment, type LazarusEvent } from '../../core/event';
import type { EventAttributes, SensorMapping } from '../../core/config';
import {
  createEc2InstanceDirectory,
  takeSensorPayload,
  type IntakeOutcome,
  type SensorName,
} from '../../ingest/adapters';
import { createAwsClients } from '../../platform/aws-clients';
import { readSensorMapping } from '../../platform/config-files';
import { CliUsageError } from '../errors';

export const vendorSensors: readonly SensorName[] = ['datadog', 'nagios', 'aws'];

export interface VendorExplainOptions {
  sensor: string;
  file: string;
  root: string;
  cwd: string;
  now: number;
  fallbackRegion: string;
  contentType?: string;
  query?: string;
  tokenId?: string;
  /** Do not ask EC2 (host names then map to nothing, instance tags are not read). */
  offline?: boolean;
}

/** The payload's content type: given, else JSON when it parses, else form fields (a pagerduty_nagios.pl queue file's
 * key=value lines are read as a form too). */
function bodyAndType(bytes: Buffer, given: string | undefined): { body: Buffer; contentType: string } {
  if (given) return { body: bytes, contentType: given };
  const text = bytes.toString('utf8');
  try {
    JSON.parse(text);
    return { body: bytes, contentType: 'application/json' };
  } catch {
    const lines = text.split(/\r?\n/).filter((line) => line.includes('='));
    const form =
      text.includes('&') || lines.length <= 1
        ? text.trim()
        : new URLSearchParams(lines.map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string])).toString();
    return { body: Buffer.from(form, 'utf8'), contentType: 'application/x-www-form-urlencoded' };
  }
}

function queryAttributes(query: string | undefined): EventAttributes {
  const params = new URLSearchParams(query ?? '');
  const environment = params.get('environment') ?? undefined;
  if (environment !== undefined && !(environments as readonly string[]).includes(environment)) {
    throw new CliUsageError(`--query environment: expected one of ${environments.join(', ')}`);
  }
  return {
    ...(params.get('service') ? { service: params.get('service')! } : {}),
    ...(environment ? { environment: environment as Environment } : {}),
    ...(params.get('region') ? { region: params.get('region')! } : {}),
  };
}

/** Map a vendor payload file the way the API's vendor route would. */
export async function explainVendorPayload(
  options: VendorExplainOptions,
): Promise<{ outcome: IntakeOutcome; mapping: SensorMapping; mappingFile?: string }> {
  if (!(vendorSensors as readonly string[]).includes(options.sensor)) {
    throw new CliUsageError(`--from: expected one of ${vendorSensors.join(', ')}`);
  }
  const sensor = options.sensor as SensorName;
  let bytes: Buffer;
  try {
    bytes = await readFile(resolve(options.cwd, options.file));
  } catch (error) {
    throw new CliUsageError(`cannot read ${options.file}: ${(error as Error).message}`);
  }
  const { mapping, file } = await readSensorMapping(options.root);
  const { body, contentType } = bodyAndType(bytes, options.contentType);
  const aws = readRuntimeConfig(process.env).aws;
  const clients = new Map<string, ReturnType<typeof createAwsClients>>();
  const directory =
    options.offline || !mapping.ec2_lookup.enabled
      ? undefined
      : createEc2InstanceDirectory({
          ec2For: (region) => {
            let client = clients.get(region);
            if (!client) {
              client = createAwsClients({ ...aws, region }, { maxAttempts: 1, requestTimeoutMs: 5000 });
              clients.set(region, client);
            }
            return client.ec2;
          },
          cacheMs: 0,
          missCacheMs: 0,
        });
  const sensorDefaults = mapping.sensors.find((entry) => entry.token_id === options.tokenId);
  try {
    const outcome = await takeSensorPayload(
      { sensor, body, contentType, receivedAt: new Date(options.now).toISOString() },
      {
        // explain reads the payload; it does not authenticate SNS messages nor confirm subscriptions
        mapping: { ...mapping, sns: { ...mapping.sns, verify_signatures: false } },
        query: queryAttributes(options.query),
        ...(sensorDefaults ? { sensor: sensorDefaults } : {}),
        fallbackRegion: options.fallbackRegion,
        ...(directory ? { directory } : {}),
      },
    );
    return { outcome, mapping, ...(file ? { mappingFile: file } : {}) };
  } finally {
    for (const client of clients.values()) client.ec2.destroy();
  }
}

/** How the outcome reads for a person; events are explained against the rules by the caller. */
export function renderVendorOutcome(outcome: IntakeOutcome, sensor: string, mappingFile: string | undefined): string {
  const lines = [
    `Payload from ${sensor}${'format' in outcome && outcome.format ? ` (${outcome.format})` : ''}, mapping ${mappingFile ?? 'built-in defaults'}`,
  ];
  switch (outcome.kind) {
    case 'ignored':
      lines.push(`Ignored (answered 202 and recorded): ${outcome.reason}`);
      break;
    case 'subscription':
      lines.push(`An SNS subscription message for ${outcome.topic_arn}: ${outcome.reason}`);
      break;
    case 'unusable':
      lines.push(
        `Maps to no event: ${outcome.field}: ${outcome.problem}`,
        `The API would keep it as a dead letter (reason ${outcome.reason}) and answer 202 { dead_letter, reason }.`,
      );
      break;
    case 'events':
      lines.push(`Maps to ${outcome.events.length} event${outcome.events.length === 1 ? '' : 's'}:`);
      for (const event of outcome.events) lines.push(JSON.stringify(event, null, 2));
      break;
  }
  return `${lines.join('\n')}\n`;
}

export type { LazarusEvent };
