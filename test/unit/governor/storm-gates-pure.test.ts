// The pure rules of the storm gates: failures counted once, locks that exclude each other, shadow precedence, the
// scale-down choice.
import { decideShadow, emptyControlState, type ControlState } from '../../../core/control';
import {
  acquireLock,
  admitFailure,
  failureOf,
  lockConflicts,
  releaseLock,
  type CountedFailure,
} from '../../../core/governor';
import { chooseRetirees, type RetireCandidate } from '../../../core/scaling';

const settings = { threshold: 2, window_ms: 60_000 };

describe('rate limit: distinct failures', () => {
  it('counts a host once; a later alarm about it shares its verdict and names the event that counted it', () => {
    const counted: CountedFailure[] = [];
    const count = (failure: string, at: number, key: string) => {
      const verdict = admitFailure(counted, at, settings, failure);
      if (verdict.counted) counted.push({ at, failure, incident_key: key, limited: verdict.limited });
      return verdict;
    };
    expect(count('i-1', 0, 'k1')).toMatchObject({ count: 1, counted: true, limited: false, started_failing: true });
    expect(count('i-1', 10, 'k2')).toMatchObject({ count: 1, counted: false, limited: false, duplicate_of: 'k1' });
    expect(count('i-2', 20, 'k3')).toMatchObject({ count: 2, counted: true, limited: false });
    expect(count('i-3', 30, 'k4')).toMatchObject({ count: 3, counted: true, limited: true });
    // an alarm about the host over the limit stays over it
    expect(count('i-3', 40, 'k5')).toMatchObject({ limited: true, counted: false, duplicate_of: 'k4' });
    // outside the window the host counts again
    expect(count('i-1', 60_001, 'k6')).toMatchObject({ counted: true });
  });

  it('a service-level event is the service failing', () => {
    expect(failureOf({ service: 'web' })).toBe('service:web');
    expect(failureOf({ service: 'web', host: 'i-1' })).toBe('i-1');
  });
});

describe('service locks', () => {
  const host = (id: string, holder: string) => ({ lock_id: `lock/host/${id}`, scope: 'host' as const, holder });
  const service = (holder: string) => ({ lock_id: 'lock/service/web', scope: 'service' as const, holder });

  it('host locks of different hosts coexist; the same host lock excludes', () => {
    const { grants } = acquireLock([], host('a', 'r1'), 1);
    expect(acquireLock(grants, host('b', 'r2'), 2).granted).toBe(true);
    expect(acquireLock(grants, host('a', 'r2'), 2)).toMatchObject({ granted: false, conflicts: [grants[0]] });
    expect(acquireLock(grants, host('a', 'r1'), 2).grants).toHaveLength(1); // idempotent for its holder
  });

  it('a service lock excludes every host lock of the service, and the reverse', () => {
    const withHost = acquireLock([], host('a', 'r1'), 1).grants;
    expect(acquireLock(withHost, service('r2'), 2).granted).toBe(false);
    const withService = acquireLock([], service('r2'), 1).grants;
    expect(lockConflicts(withService, host('a', 'r3'))).toHaveLength(1);
    expect(acquireLock(releaseLock(withService, 'r2'), host('a', 'r3'), 3).granted).toBe(true);
  });
});

describe('shadow precedence', () => {
  const state = (scope: string, enabled: boolean): ControlState => ({
    ...emptyControlState('r'),
    shadow: { [scope]: { enabled, reason: 'x', actor: 'y', at: 0 } },
  });
  const decide = (s: ControlState | undefined, configured: { service: boolean; deployment: boolean }) =>
    decideShadow(s, 'web', 'stateless', configured).shadow;
  const serviceConfig = { service: true, deployment: false };
  const deploymentConfig = { service: false, deployment: true };
  const none = { service: false, deployment: false };

  it('follows the table in docs/configuration.md', () => {
    expect(decide(undefined, none)).toBe(false);
    expect(decide(state('global', true), none)).toBe(true);
    expect(decide(state('service:web', false), serviceConfig)).toBe(false);
    expect(decide(state('profile:stateless', false), serviceConfig)).toBe(true);
    expect(decide(state('global', false), serviceConfig)).toBe(true);
    expect(decide(state('global', false), deploymentConfig)).toBe(false);
    expect(decide(state('service:web', false), deploymentConfig)).toBe(false);
    expect(decide(undefined, serviceConfig)).toBe(true);
    expect(decideShadow(state('global', false), 'web', 'stateless', serviceConfig)).toMatchObject({
      by: 'config:service',
      overridden: 'runtime:global',
    });
  });
});

describe('scale-down choice', () => {
  const now = 1_000_000;
  const candidates: RetireCandidate[] = [
    { instanceId: 'i-old', launched: now - 3_600_000, tags: {} },
    { instanceId: 'i-mid', launched: now - 1_800_000, tags: {} },
    { instanceId: 'i-clone', launched: now - 1_700_000, tags: { 'lazarus:remediation': 'event/k1/clone' } },
    { instanceId: 'i-new', launched: now - 30_000, tags: {} },
  ];

  it('never picks a host younger than its verification window nor one a running remediation launched', () => {
    const choice = chooseRetirees(candidates, {
      count: 2,
      policy: 'newest_first',
      now,
      minAgeMs: 600_000,
      running: ['event/k1'],
    });
    expect(choice.instanceIds).toEqual(['i-mid', 'i-old']);
    expect(choice.skipped.map((s) => s.instanceId).sort()).toEqual(['i-clone', 'i-new']);
  });

  it('without those, newest first as before', () => {
    expect(chooseRetirees(candidates, { count: 1, policy: 'newest_first', now, minAgeMs: 0 }).instanceIds).toEqual([
      'i-new',
    ]);
  });
});
