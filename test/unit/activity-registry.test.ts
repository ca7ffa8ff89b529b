import { createActivities } from '../../activities';
import { actionActivityNames } from '../../activities/control-realm';
import { createAwsClients, destroyAwsClients } from '../../platform/aws-clients';
import { activityCatalog } from '../../core';
import { createActionQueueActivities, createMainQueueActivities } from '../../worker/lazarus-activities';
import type { Client } from '@temporalio/client';

describe('the activities the worker registers', () => {
  // Clients are made but never called: nothing here talks to a server.
  const aws = createAwsClients({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
  afterAll(() => destroyAwsClients(aws));
  const deps = { aws, client: {} as Client, taskQueue: 'q', configRoot: '/nonexistent' };

  it('implement every runbook activity of the catalog under its catalog name', () => {
    const activities = createActivities({ aws }) as unknown as Record<string, unknown>;

    const missing = Object.keys(activityCatalog).filter((name) => typeof activities[name] !== 'function');

    expect(missing).toEqual([]);
    for (const extra of ['acknowledgePage', 'resolvePage', 'escalatePage', 'notify', 'listServiceHosts']) {
      expect(typeof activities[extra]).toBe('function');
    }
  });

  it('the main queue registers no action: the runbook activities are the control realm queue alone', () => {
    const main = createMainQueueActivities(deps) as unknown as Record<string, unknown>;
    const actions = createActionQueueActivities({ ...deps, workerRegion: 'us-east-1' }) as unknown as Record<
      string,
      unknown
    >;

    expect(Object.keys(activityCatalog).filter((name) => name in main)).toEqual([]);
    expect(Object.keys(actions).sort()).toEqual([...actionActivityNames].sort());
    expect(Object.keys(activityCatalog).filter((name) => typeof actions[name] !== 'function')).toEqual([]);
    for (const kept of ['resolveEvent', 'readControl', 'censusService', 'escalatePage', 'describeInstance']) {
      expect(typeof main[kept]).toBe('function');
    }
  });
});
