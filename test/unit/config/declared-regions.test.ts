// services/deployment.yaml declares the regions Lazarus serves: `region:` alone (the one-region shorthand) or
// `regions:` with per-region checker nodes and breakers; and the edge checks built on them.
/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest matchers are typed any */
import type { Client } from '@temporalio/client';
import { formatConfigIssue } from '../../../core/config';
import { checkEvent } from '../../../core/config/event-validation';
import { breakerOf, declaredRegions } from '../../../core/resolved-config';
import { createEntityActivities } from '../../../activities/entities';
import { decodeStreamRecord } from '../../../ingest/bridge/activities/record';
import { eventOf, filesWith, issuesOf, snapshotOf } from './config-fixture';

const deploymentOf = (yaml: string) => snapshotOf(filesWith({ 'services/deployment.yaml': yaml })).deployment;
const problemsOf = (yaml: string) => issuesOf(filesWith({ 'services/deployment.yaml': yaml })).map(formatConfigIssue);

describe('declared regions in services/deployment.yaml', () => {
  it('region: alone declares that one region', () => {
    const deployment = deploymentOf('region: us-east-1\n');
    expect(deployment.regions).toEqual(['us-east-1']);
    expect(declaredRegions(deployment)).toEqual(['us-east-1']);
    expect(deployment.region_settings?.['us-east-1']?.checker_nodes.map((n) => n.zone)).toEqual([
      'us-east-1a',
      'us-east-1b',
      'us-east-1c',
    ]);
  });

  it('regions: each with default or own checker nodes and breaker; the home region is the first (or region:)', () => {
    const yaml = `regions:
  - name: us-east-1
  - name: eu-west-1
    checker_nodes:
      - { name: checker-a, zone: eu-west-1a }
      - { name: checker-b, zone: eu-west-1b }
    breaker: { open_threshold: 3 }
breaker: { open_threshold: 7, close_threshold: 1, window: 5m }
`;
    const deployment = deploymentOf(yaml);
    expect(deployment.region).toBe('us-east-1');
    expect(deployment.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(deployment.checker_nodes.map((n) => n.task_queue)).toEqual([
      'lazarus-checker-us-east-1a',
      'lazarus-checker-us-east-1b',
      'lazarus-checker-us-east-1c',
    ]);
    expect(deployment.region_settings?.['eu-west-1']?.checker_nodes.map((n) => n.task_queue)).toEqual([
      'lazarus-checker-eu-west-1a',
      'lazarus-checker-eu-west-1b',
    ]);
    expect(deployment.breaker).toEqual({ open_threshold: 7, close_threshold: 1, window_ms: 5 * 60_000 });
    expect(breakerOf(deployment, 'eu-west-1')).toEqual({ open_threshold: 3, close_threshold: 1, window_ms: 300_000 });
    expect(deploymentOf(`region: eu-west-1\n${yaml}`).region).toBe('eu-west-1');
  });

  it('top-level checker_nodes belong to the home region', () => {
    const deployment = deploymentOf(`region: us-east-1
regions: [{ name: us-east-1 }, { name: eu-west-1 }]
checker_nodes: [{ name: n1, zone: z1 }, { name: n2, zone: z2 }]
`);
    expect(deployment.region_settings?.['us-east-1']?.checker_nodes.map((n) => n.name)).toEqual(['n1', 'n2']);
    expect(deployment.region_settings?.['eu-west-1']?.checker_nodes.map((n) => n.zone)).toEqual([
      'eu-west-1a',
      'eu-west-1b',
      'eu-west-1c',
    ]);
  });

  it('refuses: no region at all, a duplicate region, a home region not in regions, a bad name, shared queues', () => {
    expect(problemsOf('quorum: 2\n').join('\n')).toMatch(/region/);
    expect(problemsOf('regions: [{ name: us-east-1 }, { name: us-east-1 }]\n').join('\n')).toContain(
      'duplicate region "us-east-1"',
    );
    expect(problemsOf('region: ap-south-1\nregions: [{ name: us-east-1 }]\n').join('\n')).toContain(
      'the home region "ap-south-1" is not one of regions (us-east-1)',
    );
    expect(problemsOf('regions: [{ name: US_East }]\n').join('\n')).toMatch(/regions\[0\]\.name|regions\.0\.name/);
    expect(problemsOf('regions: []\n').length).toBeGreaterThan(0);
    const shared = `regions:
  - { name: us-east-1, checker_nodes: [{ name: a, zone: z, task_queue: q }, { name: b, zone: y }] }
  - { name: eu-west-1, checker_nodes: [{ name: a, zone: x, task_queue: q }, { name: b, zone: w }] }
`;
    expect(problemsOf(shared).join('\n')).toContain('duplicate checker node task_queue "q"');
    expect(
      problemsOf('regions:\n  - { name: eu-west-1, checker_nodes: [{ name: a, zone: z }] }\n').join('\n'),
    ).toContain('quorum 2 exceeds the 1 checker nodes');
    expect(
      problemsOf('regions:\n  - { name: eu-west-1, breaker: { open_threshold: 2, close_threshold: 2 } }\n').join('\n'),
    ).toContain('must be below open_threshold (2)');
  });
});

describe('the edge checks of the declared regions', () => {
  const event = eventOf({ region: 'us-east-1x' });

  it('checkEvent names region for an undeclared one, and passes a declared one', () => {
    const refused = checkEvent(event, { declaredRegions: ['us-east-1'] });
    expect(refused).toMatchObject({ ok: false, field: 'region' });
    expect(refused.ok ? '' : refused.problem).toContain('"us-east-1x" is not a region declared');
    expect(checkEvent({ ...event, region: 'us-east-1' }, { declaredRegions: ['us-east-1'] }).ok).toBe(true);
    expect(checkEvent(event).ok).toBe(true); // no list given: not checked (offline tools)
  });

  it('the bridge dead-letters a record of an undeclared region as unknown_region', () => {
    const data = new TextEncoder().encode(JSON.stringify(event));
    expect(decodeStreamRecord(data, 1 << 20, { declaredRegions: ['us-east-1'] })).toMatchObject({
      kind: 'unusable',
      reason: 'unknown_region',
      detail: expect.stringMatching(/^region: "us-east-1x" is not a region declared/),
    });
    expect(decodeStreamRecord(data, 1 << 20, { declaredRegions: ['us-east-1x'] }).kind).toBe('event');
  });
});

describe('entity activities and undeclared regions', () => {
  function client(found: boolean): { client: Client; started: string[] } {
    const started: string[] = [];
    const notFound = Object.assign(new Error('not found'), { name: 'WorkflowNotFoundError' });
    const fake = {
      workflow: {
        getHandle: () => ({
          query: async () => {
            if (!found) {
              const { WorkflowNotFoundError } = await import('@temporalio/client');
              throw new WorkflowNotFoundError('not found', 'control/x', undefined);
            }
            return { region: 'r' };
          },
        }),
        start: (_type: string, options: { workflowId: string }) =>
          Promise.resolve(void started.push(options.workflowId)),
        executeUpdateWithStart: () => {
          started.push('update-with-start');
          return Promise.reject(notFound);
        },
      },
    } as unknown as Client;
    return { client: fake, started };
  }

  it('readControl refuses a region not in the declared list, and creates nothing without the list', async () => {
    const fake = client(false);
    const { readControl } = createEntityActivities({ client: fake.client, taskQueue: 'q', controlCacheMs: 0 });
    await expect(readControl('us-east-1x', ['us-east-1'])).rejects.toMatchObject({
      type: 'UndeclaredRegion',
      nonRetryable: true,
      message: expect.stringContaining('region us-east-1x is not declared in services/deployment.yaml'),
    });
    await expect(readControl('us-east-1x')).rejects.toMatchObject({ type: 'ControlMissing', nonRetryable: true });
    expect(fake.started).toEqual([]);
    await readControl('us-east-1', ['us-east-1']).catch(() => undefined);
    expect(fake.started).toEqual(['control/us-east-1']);
  });

  it('governorAdmit refuses an undeclared region (or a call without the list) before touching Temporal', async () => {
    const fake = client(true);
    const { governorAdmit } = createEntityActivities({ client: fake.client, taskQueue: 'q' });
    const request = {
      incident_key: 'k',
      service: 'web',
      region: 'us-east-1x',
      threshold: 5,
      window_ms: 60_000,
      breaker: { open_threshold: 5, close_threshold: 2, window_ms: 600_000 },
    };
    await expect(governorAdmit(request, ['us-east-1'])).rejects.toMatchObject({ type: 'UndeclaredRegion' });
    await expect(governorAdmit(request)).rejects.toMatchObject({ type: 'UndeclaredRegion' });
    expect(fake.started).toEqual([]);
  });
});
