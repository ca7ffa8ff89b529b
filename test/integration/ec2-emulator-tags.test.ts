// The AWS emulator as devstack/moto_server.py starts it reads an instance's tags from that instance's own entry. moto
// as installed found them by scanning every tag of every resource for each instance a tag filter looked at (a
// one-service DescribeInstances took ~0.85 s in a 600-host fleet, and a burst of quorum peer listings held the emulator
// for 20 s at the start of the storm bench, starving the worker). Here moto runs in-process with the launcher's
// patches loaded and the full scan made to count its calls: the filters and the tags answered stay moto's.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { projectRoot, venvBin } from '../../devstack/paths';

const listing = `
import json, runpy, sys
runpy.run_path(sys.argv[1], run_name='lazarus_moto')  # the launcher's patches, without starting a server
import boto3
from moto import mock_aws
from moto.ec2.models.tags import TagBackend
scans = []
full_scan = TagBackend.describe_tags
def counted(self, filters=None):
    scans.append(filters)
    return full_scan(self, filters)
TagBackend.describe_tags = counted
with mock_aws():
    ec2 = boto3.client('ec2', region_name='us-east-1')
    for s in range(20):
        ec2.run_instances(ImageId='ami-12c6146b', MinCount=3, MaxCount=3, TagSpecifications=[{'ResourceType': 'instance',
            'Tags': [{'Key': 'lazarus:service', 'Value': f'svc-{s}'}, {'Key': 'Name', 'Value': f'host-{s}'}]}])
    first = [i for r in ec2.describe_instances(Filters=[{'Name': 'tag:lazarus:service', 'Values': ['svc-7']}])['Reservations'] for i in r['Instances']]
    ec2.delete_tags(Resources=[first[0]['InstanceId']], Tags=[{'Key': 'Name'}])
    ec2.create_tags(Resources=[first[1]['InstanceId']], Tags=[{'Key': 'lazarus:service', 'Value': 'svc-moved'}])
    again = [i for r in ec2.describe_instances(Filters=[{'Name': 'tag:lazarus:service', 'Values': ['svc-7', 'svc-moved']}])['Reservations'] for i in r['Instances']]
    by_key = [i['InstanceId'] for r in ec2.describe_instances(Filters=[{'Name': 'tag-key', 'Values': ['Name']}])['Reservations'] for i in r['Instances']]
    print(json.dumps({
        'first': [sorted((t['Key'], t['Value']) for t in i['Tags']) for i in first],
        'again': sorted([sorted((t['Key'], t['Value']) for t in i.get('Tags', [])) for i in again]),
        'with_name': len(by_key),
        'scans_for_instances': len([f for f in scans if f and 'resource-id' in f]),
    }))
`;

it("answers tag filters from each instance's own tags, never by scanning every resource's", () => {
  const launcher = path.join(projectRoot, 'devstack', 'moto_server.py');
  const out = execFileSync(venvBin('python'), ['-c', listing, launcher], { encoding: 'utf8', timeout: 60_000 });
  const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
    first: string[][][];
    again: string[][][];
    with_name: number;
    scans_for_instances: number;
  };
  expect(result.first).toEqual([
    [
      ['Name', 'host-7'],
      ['lazarus:service', 'svc-7'],
    ],
    [
      ['Name', 'host-7'],
      ['lazarus:service', 'svc-7'],
    ],
    [
      ['Name', 'host-7'],
      ['lazarus:service', 'svc-7'],
    ],
  ]);
  // the untagged Name and the moved service are seen at once
  expect(result.again).toEqual([
    [
      ['Name', 'host-7'],
      ['lazarus:service', 'svc-7'],
    ],
    [
      ['Name', 'host-7'],
      ['lazarus:service', 'svc-moved'],
    ],
    [['lazarus:service', 'svc-7']],
  ]);
  expect(result.with_name).toBe(59);
  expect(result.scans_for_instances).toBe(0);
});
