// The console's Regions read (regionOverviews) with a stubbed Temporal client: each region's rule quarantine is read
// beside its kill switch and breaker, and a read that fails names itself in that region's card while the rest shows.
import type { Client } from '@temporalio/client';
import { regionOverviews } from '../../api/console/overview';
import type { ApiDependencies } from '../../api/dependencies';
import { DependencyUnavailableError } from '../../api/errors';
import { emptyControlState } from '../../core/control';
import { emptyQuarantineState, type QuarantineState } from '../../core/quarantine';

const quarantined: QuarantineState = {
  region: 'r1',
  rules: {
    healthcheck_down: {
      rule: 'healthcheck_down',
      runs: [],
      quarantine: {
        rule: 'healthcheck_down',
        region: 'r1',
        since: 1_700_000_000_000,
        why: '3 failed runs in a row (threshold 3)',
        thresholds: { enabled: true, consecutive_failures: 3, min_success_rate: 0.5, window_runs: 10 },
        evidence: [],
      },
    },
  },
  history: [],
};

/** A Temporal client whose entity queries answer from `answer` (a thrown error is a failed read). */
function deps(answer: (workflowId: string) => unknown): ApiDependencies {
  const temporal = {
    withDeadline: async <T>(_deadline: number, call: () => Promise<T>): Promise<T> => await call(),
    withAbortSignal: async <T>(_signal: AbortSignal, call: () => Promise<T>): Promise<T> => await call(),
    workflow: {
      getHandle: (workflowId: string) => ({ query: async () => Promise.resolve(answer(workflowId)) }),
      list: () => ({
        [Symbol.asyncIterator]: () => ({ next: async () => Promise.resolve({ done: true, value: undefined }) }),
      }),
    },
  } as unknown as Client;
  return { temporal, taskQueue: 'q', region: 'r1' };
}

function entityAnswer(workflowId: string, quarantine: (region: string) => QuarantineState): unknown {
  const [kind, region] = workflowId.split('/');
  if (kind === 'control') return emptyControlState(region);
  if (kind === 'quarantine') return quarantine(region);
  return null; // a regional governor that has nothing to say yet
}

describe('the console regions read', () => {
  it('carries each region’s rule quarantine with the quarantined rule', async () => {
    const { regions } = await regionOverviews(
      deps((id) => entityAnswer(id, (region) => (region === 'r1' ? quarantined : emptyQuarantineState(region)))),
      ['r1', 'r2'],
    );
    expect(regions.map((r) => [r.region, Object.keys(r.quarantine?.rules ?? {}), r.errors])).toEqual([
      ['r1', ['healthcheck_down'], []],
      ['r2', [], []],
    ]);
    expect(regions[0].quarantine?.rules.healthcheck_down.quarantine?.why).toContain('3 failed runs');
  });

  it('names a rule quarantine that cannot be read in its region’s card and still shows the kill switch and breaker', async () => {
    const { regions } = await regionOverviews(
      deps((id) =>
        entityAnswer(id, (region) => {
          if (region === 'r2') throw new Error('quarantine/r2 did not answer');
          return emptyQuarantineState(region);
        }),
      ),
      ['r1', 'r2'],
    );
    const r2 = regions.find((r) => r.region === 'r2')!;
    expect(r2.quarantine).toBeUndefined();
    expect(r2.errors).toEqual([expect.stringMatching(/^rule quarantine: temporal unavailable/)]);
    expect(r2.control).toEqual(expect.objectContaining({ region: 'r2' }));
    expect(r2.breaker).toBeNull();
    expect(regions.find((r) => r.region === 'r1')!.errors).toEqual([]);
  });

  it('shows the rule quarantine when it alone could be read, and throws when nothing at all could be read', async () => {
    const only = (quarantineAnswers: boolean): ApiDependencies => {
      const d = deps((id) => {
        if (quarantineAnswers && id.startsWith('quarantine/')) return quarantined;
        throw new Error('connection refused');
      });
      (d.temporal as unknown as { workflow: { list: () => never } }).workflow.list = () => {
        throw new Error('connection refused');
      };
      return d;
    };
    const { regions } = await regionOverviews(only(true), ['r1']);
    expect(regions[0].quarantine).toEqual(quarantined);
    expect(regions[0].errors.map((e) => e.split(':')[0]).sort()).toEqual([
      'breaker',
      'kill switch',
      'service governors',
    ]);
    await expect(regionOverviews(only(false), ['r1'])).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});
