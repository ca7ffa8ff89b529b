// Reading the vendor fixtures (test/fixtures/vendors, each named with its source in the README there) and running
// them through the intake with a stand-in EC2 directory: the unit tests' arrangement.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSensorMapping, type SensorMapping } from '../../../core/config/sensor-mapping';
import {
  takeSensorPayload,
  type InstanceDirectory,
  type InstanceRecord,
  type IntakeOutcome,
  type SensorName,
} from '../../../ingest/adapters';

export const fixtureDir = join(__dirname, '..', '..', 'fixtures', 'vendors');

export function fixtureText(path: string): string {
  return readFileSync(join(fixtureDir, path), 'utf8');
}

export function fixture<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(fixtureText(path)) as T;
}

/** Instances as EC2 would answer, found by id, private DNS name, private IP or Name tag. */
export function fakeDirectory(instances: Array<Omit<InstanceRecord, 'matched_by' | 'region'>>): InstanceDirectory & {
  calls: string[];
} {
  const calls: string[] = [];
  return {
    calls,
    byId: async (region, id) => {
      calls.push(`${region} id ${id}`);
      const found = instances.find((instance) => instance.instance_id === id);
      return Promise.resolve(found ? { ...found, region, matched_by: 'instance_id' } : undefined);
    },
    byName: async (region, name, order) => {
      calls.push(`${region} name ${name}`);
      for (const resolution of order) {
        const found = instances.find((instance) =>
          resolution === 'private_dns_name'
            ? instance.private_dns_name === name || instance.private_dns_name?.startsWith(`${name}.`)
            : resolution === 'name_tag'
              ? instance.name === name
              : instance.private_ip !== undefined && name.includes(instance.private_ip.replace(/\./g, '-')),
        );
        if (found) return Promise.resolve({ ...found, region, matched_by: resolution });
      }
      return Promise.resolve(undefined);
    },
  };
}

export async function intake(
  sensor: SensorName,
  body: string | object,
  options: {
    directory?: InstanceDirectory;
    mapping?: Partial<SensorMapping>;
    contentType?: string;
    query?: Record<string, string>;
  } = {},
): Promise<IntakeOutcome> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return await takeSensorPayload(
    {
      sensor,
      body: Buffer.from(text),
      contentType: options.contentType ?? 'application/json',
      receivedAt: '2026-12-02T06:31:00.000Z',
    },
    {
      mapping: { ...defaultSensorMapping, ...options.mapping },
      query: options.query ?? {},
      fallbackRegion: 'us-east-1',
      ...(options.directory ? { directory: options.directory } : {}),
    },
  );
}
