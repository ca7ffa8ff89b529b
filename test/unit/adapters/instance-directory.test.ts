import type { EC2Client } from '@aws-sdk/client-ec2';
import { createEc2InstanceDirectory, privateIpOf } from '../../../ingest/adapters';

// A stand-in EC2 client (unit test): answers DescribeInstances from a list and records each call's filters.
function ec2(instances: Array<Record<string, unknown>>, calls: unknown[]): EC2Client {
  return {
    send: async (command: {
      input: { InstanceIds?: string[]; Filters?: Array<{ Name: string; Values: string[] }> };
    }) => {
      calls.push(command.input);
      const { InstanceIds, Filters } = command.input;
      const match = (instance: Record<string, unknown>): boolean => {
        if (InstanceIds) return InstanceIds.includes(instance.InstanceId as string);
        return (Filters ?? []).every((filter) => {
          const value =
            filter.Name === 'private-dns-name'
              ? instance.PrivateDnsName
              : filter.Name === 'private-ip-address'
                ? instance.PrivateIpAddress
                : ((instance.Tags as Array<{ Key: string; Value: string }>) ?? []).find(
                    (t) => `tag:${t.Key}` === filter.Name,
                  )?.Value;
          return filter.Values.some(
            (wanted) => wanted === value || (wanted.endsWith('*') && String(value).startsWith(wanted.slice(0, -1))),
          );
        });
      };
      return Promise.resolve({ Reservations: [{ Instances: instances.filter(match) }] });
    },
  } as unknown as EC2Client;
}

const web = {
  InstanceId: 'i-0aaaaaaaaaaaaaaa1',
  PrivateDnsName: 'ip-10-0-1-17.ec2.internal',
  PrivateIpAddress: '10.0.1.17',
  State: { Name: 'running' },
  Tags: [
    { Key: 'Name', Value: 'web-17' },
    { Key: 'service', Value: 'web' },
  ],
};

describe('EC2 instance directory', () => {
  it('finds a host by short or full private DNS name, IP form and Name tag, and caches answers briefly', async () => {
    const calls: unknown[] = [];
    let now = 0;
    const directory = createEc2InstanceDirectory({
      ec2For: () => ec2([web], calls),
      cacheMs: 1000,
      missCacheMs: 100,
      now: () => now,
    });
    const order = ['private_dns_name', 'private_ip', 'name_tag'] as const;
    expect(await directory.byName('us-east-1', 'ip-10-0-1-17', order)).toMatchObject({
      instance_id: web.InstanceId,
      matched_by: 'private_dns_name',
      tags: { service: 'web' },
    });
    expect(await directory.byName('us-east-1', 'web-17', order)).toMatchObject({ matched_by: 'name_tag' });
    expect(await directory.byName('us-east-1', 'web-17', ['private_ip', 'name_tag'])).toMatchObject({
      matched_by: 'name_tag',
    });
    expect(await directory.byId('us-east-1', web.InstanceId)).toMatchObject({
      name: 'web-17',
      matched_by: 'instance_id',
    });
    const asked = calls.length;
    await directory.byId('us-east-1', web.InstanceId);
    expect(calls.length).toBe(asked);
    now = 2000;
    await directory.byId('us-east-1', web.InstanceId);
    expect(calls.length).toBe(asked + 1);
    expect(privateIpOf('ip-10-0-1-17.eu-west-1.compute.internal')).toBe('10.0.1.17');
    expect(privateIpOf('web-17')).toBeUndefined();
  });

  it('refuses a name two live instances answer to, and ignores terminated ones', async () => {
    const twin = { ...web, InstanceId: 'i-0aaaaaaaaaaaaaaa2', PrivateDnsName: 'ip-10-0-1-18.ec2.internal' };
    const gone = { ...web, InstanceId: 'i-0aaaaaaaaaaaaaaa3', State: { Name: 'terminated' } };
    const both = createEc2InstanceDirectory({ ec2For: () => ec2([web, twin], []), cacheMs: 0, missCacheMs: 0 });
    await expect(both.byName('us-east-1', 'web-17', ['name_tag'])).rejects.toThrow(/matches 2 instances/);
    const one = createEc2InstanceDirectory({ ec2For: () => ec2([web, gone], []), cacheMs: 0, missCacheMs: 0 });
    expect(await one.byName('us-east-1', 'web-17', ['name_tag'])).toMatchObject({ instance_id: web.InstanceId });
  });
});
