import { buildSnapshot, matchEvent, resolveSensorMapping } from '../../../core/config';
import { snapshotVersion } from '../../../platform/content-hash';
import { fakeDirectory, fixture, intake } from '../adapters/vendor-fixtures';
import { eventOf, minimalFiles, shippedFiles } from './config-fixture';

function filesWith(sensors: string) {
  return [
    ...Object.entries(minimalFiles).map(([path, text]) => ({ path, text })),
    { path: 'services/sensors.yaml', text: sensors },
  ];
}

describe('the sensor mapping (services/sensors.yaml)', () => {
  it('the shipped file loads with the rest of the configuration', () => {
    const built = buildSnapshot(shippedFiles(), { hashContent: snapshotVersion });
    expect(built.errors).toBeUndefined();
  });

  it('reports schema and pattern problems at their line, as lazarus validate prints them', () => {
    const built = buildSnapshot(
      filesWith(
        'tag_keys:\n  service: []\nresolution:\n  attributes: [payload, tags]\nsns:\n  certificate_url_pattern: "(["\nsensors:\n  - { name: a, token_id: 0000000g }\n',
      ),
      { hashContent: snapshotVersion },
    );
    const problems = (built.errors ?? []).map(
      (issue) => `${issue.file}:${issue.line}: ${issue.path}: ${issue.message}`,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^services\/sensors\.yaml:2: tag_keys\.service: /),
        expect.stringMatching(/^services\/sensors\.yaml:4: resolution\.attributes\[1\]: must be one of/),
        expect.stringMatching(/^services\/sensors\.yaml:8: sensors\[0\]\.token_id: /),
      ]),
    );
    const patterns = buildSnapshot(filesWith('sns:\n  certificate_url_pattern: "(["\n'), {
      hashContent: snapshotVersion,
    });
    expect(patterns.errors?.map((issue) => issue.path)).toEqual(['sns.certificate_url_pattern']);
  });

  it('fills in the defaults and parses durations', () => {
    const mapping = resolveSensorMapping({ tag_keys: { service: ['app'] }, ec2_lookup: { cache: '2m' } });
    expect(mapping.tag_keys).toEqual({ service: ['app'], environment: ['environment', 'env'], region: ['region'] });
    expect(mapping.ec2_lookup).toEqual({ enabled: true, cache_ms: 120_000, miss_cache_ms: 10_000 });
    expect(mapping.sns.verify_signatures).toBe(true);
  });

  it('per-sensor defaults apply by token, after the payload and the instance tags', async () => {
    const mapping = resolveSensorMapping({
      sensors: [{ name: 'nagios-eu', token_id: 'abcdef12', defaults: { region: 'eu-west-1', service: 'web' } }],
    });
    const directory = fakeDirectory([
      {
        instance_id: 'i-0bbbbbbbbbbbbbbb3',
        private_dns_name: 'ip-10-0-2-33.ec2.internal',
        tags: { environment: 'stage' },
      },
    ]);
    const { takeSensorPayload } = await import('../../../ingest/adapters');
    const outcome = await takeSensorPayload(
      {
        sensor: 'nagios',
        body: Buffer.from(JSON.stringify(fixture('nagios/pd-agent-v2-host-trigger.json'))),
        contentType: 'application/json',
        receivedAt: '2026-12-02T06:31:00.000Z',
      },
      { mapping, query: {}, sensor: mapping.sensors[0], fallbackRegion: 'us-east-1', directory },
    );
    expect(outcome).toMatchObject({
      kind: 'events',
      events: [expect.objectContaining({ region: 'eu-west-1', service: 'web', environment: 'stage' })],
    });
    expect(directory.calls).toEqual(['eu-west-1 name ip-10-0-2-33.ec2.internal']);
  });
});

describe('the shipped rules and vendor events that must not act', () => {
  const built = buildSnapshot(shippedFiles(), { hashContent: snapshotVersion });
  const snapshot = built.snapshot!;

  it('a HARD DOWN matches nagios_host_down; UNREACHABLE, a SOFT state and an unmapped instance match no rule', async () => {
    const directory = fakeDirectory([
      { instance_id: 'i-0bbbbbbbbbbbbbbb3', name: 'web-33', tags: { service: 'web', environment: 'prod' } },
    ]);
    const eventsOf = async (path: string) => {
      const outcome = await intake('nagios', fixture(path), { directory });
      if (outcome.kind !== 'events') throw new Error(`${path}: ${outcome.kind}`);
      return outcome.events[0];
    };
    expect(matchEvent(snapshot, eventOf({ service: 'web' })).rule?.name).toBe('nagios_host_down');
    expect(matchEvent(snapshot, await eventsOf('nagios/opsgenie-host-unreachable.json')).rule).toBeUndefined();
    expect(matchEvent(snapshot, await eventsOf('nagios/opsgenie-host-down-soft.json')).rule).toBeUndefined();
    const aws = await intake('aws', fixture('aws/health-retirement-arn-no-resources.json'), {
      directory: fakeDirectory([]),
    });
    if (aws.kind !== 'events') throw new Error(aws.kind);
    expect(aws.events[0].service).toBe('unmapped');
    expect(matchEvent(snapshot, aws.events[0]).rule).toBeUndefined();
  });
});
