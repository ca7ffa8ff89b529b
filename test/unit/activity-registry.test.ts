import { createActivities } from '../../activities';
import { createAwsClients, destroyAwsClients } from '../../platform/aws-clients';
import { activityCatalog } from '../../core';

describe('the activities the worker registers', () => {
  it('implement every runbook activity of the catalog under its catalog name', () => {
    // Clients are made but never called: nothing here talks to a server.
    const aws = createAwsClients({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
    try {
      const activities = createActivities({ aws }) as unknown as Record<string, unknown>;

      const missing = Object.keys(activityCatalog).filter((name) => typeof activities[name] !== 'function');

      expect(missing).toEqual([]);
      for (const extra of ['acknowledgePage', 'resolvePage', 'escalatePage', 'notify', 'listServiceHosts']) {
        expect(typeof activities[extra]).toBe('function');
      }
    } finally {
      destroyAwsClients(aws);
    }
  });
});
