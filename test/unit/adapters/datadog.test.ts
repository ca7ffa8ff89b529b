/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest matchers are typed any */
import { titlePrefix } from '../../../ingest/adapters';
import { fixture, fakeDirectory, intake } from './vendor-fixtures';

const web = fakeDirectory([
  {
    instance_id: 'i-0aaaaaaaaaaaaaaa1',
    private_dns_name: 'ip-10-0-1-17.ec2.internal',
    private_ip: '10.0.1.17',
    tags: { service: 'web', environment: 'prod' },
  },
  { instance_id: 'i-0aaaaaaaaaaaaaaa2', name: 'web-17', tags: { Name: 'web-17', app: 'web' } },
]);

describe('Datadog webhooks', () => {
  it("maps the integration's default payload: transition and host from the title, the private DNS name resolved through EC2", async () => {
    const outcome = await intake('datadog', fixture('datadog/default-payload-triggered.json'), { directory: web });
    expect(outcome).toMatchObject({
      kind: 'events',
      format: 'datadog-default',
      events: [
        expect.objectContaining({
          event_type: 'HealthcheckDown',
          source: 'datadog',
          host: 'i-0aaaaaaaaaaaaaaa1',
          service: 'web',
          environment: 'prod',
          region: 'us-east-1',
          occurred_at: '2026-12-02T06:24:00.000Z',
          incident_key: 'datadog/alert/ip-10-0-1-17.ec2.internal/7412398174650281234',
          details: expect.objectContaining({
            alert_transition: 'Triggered',
            host_name: 'ip-10-0-1-17.ec2.internal',
            resolution: expect.objectContaining({ host: 'private_dns_name', service: 'instance_tags' }),
          }),
        }),
      ],
    });
  });

  it('maps a template of every alert variable, service and environment from $TAGS (env:production is prod)', async () => {
    const outcome = await intake('datadog', fixture('datadog/template-all-variables-triggered.json'), {
      directory: fakeDirectory([]),
    });
    expect(outcome).toMatchObject({
      kind: 'events',
      format: 'datadog-template',
      events: [
        expect.objectContaining({
          host: 'i-0123456789abcdef0',
          service: 'checkout',
          environment: 'prod',
          incident_key: 'datadog/123456790/i-0123456789abcdef0/7412398174650299999',
        }),
      ],
    });
  });

  it('resolves a Name-tag host with configured tag keys (app:, stage:) and the region tag', async () => {
    const outcome = await intake('datadog', fixture('datadog/recommended-template-retriggered.json'), {
      directory: web,
      mapping: { tag_keys: { service: ['service', 'app'], environment: ['env', 'stage'], region: ['region'] } },
    });
    expect(outcome).toMatchObject({
      kind: 'events',
      events: [expect.objectContaining({ host: 'i-0aaaaaaaaaaaaaaa2', service: 'web', environment: 'prod' })],
    });
  });

  it.each([
    ['datadog/default-payload-recovered.json', 'recovered'],
    ['datadog/template-all-variables-no-data.json', 'no_data'],
    ['datadog/template-all-variables-warn.json', 'warn'],
  ])('ignores %s (%s)', async (path, label) => {
    expect(await intake('datadog', fixture(path))).toMatchObject({ kind: 'ignored', label });
  });

  it('dead-letters an unknown shape, a host name EC2 does not know, and a payload without service', async () => {
    expect(await intake('datadog', fixture('datadog/unknown-shape.json'))).toMatchObject({
      kind: 'unusable',
      reason: 'unknown_shape',
    });
    expect(
      await intake('datadog', fixture('datadog/default-payload-triggered.json'), { directory: fakeDirectory([]) }),
    ).toMatchObject({ kind: 'unusable', reason: 'unmapped_host', field: 'tags' });
    const noService = { ...fixture('datadog/template-all-variables-triggered.json'), tags: 'env:prod' };
    expect(await intake('datadog', noService, { directory: fakeDirectory([]) })).toMatchObject({
      kind: 'unusable',
      reason: 'missing_field',
      field: 'service',
    });
  });

  it('takes documented query defaults when the payload and the instance name no service', async () => {
    const noService = { ...fixture('datadog/template-all-variables-triggered.json'), tags: '' };
    const outcome = await intake('datadog', noService, {
      directory: fakeDirectory([]),
      query: { service: 'checkout', environment: 'stage', region: 'eu-west-1' },
    });
    expect(outcome).toMatchObject({
      kind: 'events',
      events: [expect.objectContaining({ service: 'checkout', environment: 'stage', region: 'eu-west-1' })],
    });
  });

  it('reads the transition and scope of a title with a priority prefix', () => {
    expect(titlePrefix('[P1] [Triggered on {host:web-1,env:prod}] web down')).toEqual({
      transition: 'Triggered',
      scope: 'host:web-1,env:prod',
    });
    expect(titlePrefix('[Recovered] web down')).toEqual({ transition: 'Recovered' });
  });

  it('accepts a template sent with "encode as form"', async () => {
    const form = new URLSearchParams({
      alert_transition: 'Triggered',
      alert_id: '42',
      id: '77',
      hostname: 'i-0123456789abcdef0',
      tags: 'service:web,env:prod',
    }).toString();
    expect(
      await intake('datadog', form, { contentType: 'application/x-www-form-urlencoded', directory: fakeDirectory([]) }),
    ).toMatchObject({
      kind: 'events',
      events: [expect.objectContaining({ service: 'web', host: 'i-0123456789abcdef0' })],
    });
  });
});
