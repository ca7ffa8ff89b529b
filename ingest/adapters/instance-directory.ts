// Host names to EC2 instances and their tags, through DescribeInstances (the one I/O of the adapters). Answers are
// cached briefly (a storm of alerts about one host asks EC2 once), names that match nothing for a shorter while.
import { DescribeInstancesCommand, type EC2Client, type Filter, type Instance } from '@aws-sdk/client-ec2';
import type { HostResolution } from '../../core/config/sensor-mapping';

export interface InstanceRecord {
  instance_id: string;
  region: string;
  state?: string;
  private_dns_name?: string;
  private_ip?: string;
  /** The Name tag. */
  name?: string;
  tags: Record<string, string>;
  /** How the host was found: by its id, or by one of the mapping's host resolutions. */
  matched_by: 'instance_id' | HostResolution;
}

export interface InstanceDirectory {
  /** The instance, or undefined when EC2 does not know it; throws InstanceLookupError when EC2 cannot be asked. */
  byId(region: string, instanceId: string): Promise<InstanceRecord | undefined>;
  /** The one live instance the name resolves to by the first resolution in `order` that finds any. */
  byName(region: string, name: string, order: readonly HostResolution[]): Promise<InstanceRecord | undefined>;
}

export class InstanceLookupError extends Error {
  override readonly name = 'InstanceLookupError';
  constructor(
    readonly region: string,
    readonly what: string,
    readonly cause: unknown,
  ) {
    super(`EC2 DescribeInstances in ${region} for ${what} failed: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/** Several live instances answer to one name: none of them is chosen. */
export class AmbiguousHostError extends Error {
  override readonly name = 'AmbiguousHostError';
  constructor(
    readonly host: string,
    readonly instances: string[],
  ) {
    super(`host name "${host}" matches ${instances.length} instances (${instances.join(', ')})`);
  }
}

export interface Ec2InstanceDirectoryOptions {
  /** The EC2 client of a region (one per region: instances are looked up where the event is). */
  ec2For(region: string): EC2Client;
  cacheMs: number;
  missCacheMs: number;
  now?: () => number;
}

const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const ipHostName = /^ip-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(\..*)?$/;

/** The private IP a host name stands for: an address itself, or EC2's ip-10-0-1-17[.<domain>] form. */
export function privateIpOf(name: string): string | undefined {
  const match = ipv4.exec(name) ?? ipHostName.exec(name);
  return match ? match.slice(1, 5).join('.') : undefined;
}

function filtersFor(resolution: HostResolution, name: string): Filter[] | undefined {
  switch (resolution) {
    case 'private_dns_name':
      return [{ Name: 'private-dns-name', Values: name.includes('.') ? [name] : [name, `${name}.*`] }];
    case 'private_ip': {
      const ip = privateIpOf(name);
      return ip ? [{ Name: 'private-ip-address', Values: [ip] }] : undefined;
    }
    case 'name_tag':
      return [{ Name: 'tag:Name', Values: [name] }];
  }
}

function recordOf(instance: Instance, region: string, matchedBy: InstanceRecord['matched_by']): InstanceRecord {
  const tags: Record<string, string> = {};
  for (const tag of instance.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
  return {
    instance_id: instance.InstanceId ?? '',
    region,
    ...(instance.State?.Name ? { state: instance.State.Name } : {}),
    ...(instance.PrivateDnsName ? { private_dns_name: instance.PrivateDnsName } : {}),
    ...(instance.PrivateIpAddress ? { private_ip: instance.PrivateIpAddress } : {}),
    ...(tags.Name ? { name: tags.Name } : {}),
    tags,
    matched_by: matchedBy,
  };
}

const gone = new Set(['terminated', 'shutting-down']);

export function createEc2InstanceDirectory(options: Ec2InstanceDirectoryOptions): InstanceDirectory {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; record: InstanceRecord | undefined }>();

  async function describe(region: string, what: string, request: { InstanceIds?: string[]; Filters?: Filter[] }) {
    try {
      const out = await options.ec2For(region).send(new DescribeInstancesCommand(request));
      return (out.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
    } catch (error) {
      if ((error as { name?: string }).name === 'InvalidInstanceID.NotFound') return [];
      throw new InstanceLookupError(region, what, error);
    }
  }

  async function cached(
    key: string,
    lookup: () => Promise<InstanceRecord | undefined>,
  ): Promise<InstanceRecord | undefined> {
    const hit = cache.get(key);
    if (hit && now() - hit.at < (hit.record ? options.cacheMs : options.missCacheMs)) return hit.record;
    const record = await lookup();
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { at: now(), record });
    return record;
  }

  return {
    byId: (region, instanceId) =>
      cached(`${region}/id/${instanceId}`, async () => {
        const [instance] = await describe(region, instanceId, { InstanceIds: [instanceId] });
        return instance ? recordOf(instance, region, 'instance_id') : undefined;
      }),
    byName: (region, name, order) =>
      cached(`${region}/name/${order.join(',')}/${name}`, async () => {
        for (const resolution of order) {
          const filters = filtersFor(resolution, name);
          if (!filters) continue;
          const live = (await describe(region, `${resolution} ${name}`, { Filters: filters })).filter(
            (instance) => !gone.has(instance.State?.Name ?? ''),
          );
          if (live.length > 1)
            throw new AmbiguousHostError(
              name,
              live.map((instance) => instance.InstanceId ?? ''),
            );
          if (live.length === 1) return recordOf(live[0], region, resolution);
        }
        return undefined;
      }),
  };
}
