import type { Client } from '@temporalio/client';
import { createEntityActivities } from '../../activities/entities';
import { emptyControlState } from '../../core/control';

/** Counts the reads of control/r1 (each read also asks the all-regions switch, control/all-regions, once). */
function countingClient(): {
  client: Client;
  queries: () => number;
  allRegionsQueries: () => number;
  fail: (on: boolean) => void;
} {
  let queries = 0;
  let allRegions = 0;
  let failing = false;
  const client = {
    workflow: {
      getHandle: (id: string) => ({
        query: async () => {
          if (id === 'control/all-regions') allRegions++;
          else queries++;
          await new Promise((r) => setTimeout(r, 20));
          if (failing) throw new Error('frontend unavailable');
          return emptyControlState('r1');
        },
      }),
    },
  } as unknown as Client;
  return { client, queries: () => queries, allRegionsQueries: () => allRegions, fail: (on) => (failing = on) };
}

describe('readControl caching', () => {
  it('shares one query among concurrent reads and reuses it within the cache window', async () => {
    const fake = countingClient();
    const { readControl } = createEntityActivities({ client: fake.client, taskQueue: 'q', controlCacheMs: 60_000 });
    await Promise.all([readControl('r1'), readControl('r1'), readControl('r1')]);
    await readControl('r1');
    expect(fake.queries()).toBe(1);
    expect(fake.allRegionsQueries()).toBe(1);
  });

  it('reads every time with a zero window, and never caches a failed read', async () => {
    const fake = countingClient();
    const { readControl } = createEntityActivities({ client: fake.client, taskQueue: 'q', controlCacheMs: 0 });
    await readControl('r1');
    await readControl('r1');
    expect(fake.queries()).toBe(2);

    const cached = createEntityActivities({ client: fake.client, taskQueue: 'q', controlCacheMs: 60_000 });
    fake.fail(true);
    await expect(cached.readControl('r1')).rejects.toThrow('frontend unavailable');
    fake.fail(false);
    await expect(cached.readControl('r1')).resolves.toMatchObject({ region: 'r1' });
  });
});
