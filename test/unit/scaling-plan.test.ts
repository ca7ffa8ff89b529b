import { planScaling, scalingRequestFrom, type ScalingLimits } from '../../core/scaling';

const limits: ScalingLimits = { min_hosts: 2, max_hosts: 10, max_step: 3, cooldown_ms: 60_000 };
const healthy = (active: number) => ({ active, unhealthy: 0 });

describe('scaling plans', () => {
  it('scales up within bounds', () => {
    expect(planScaling({ direction: 'up', delta: 2 }, healthy(4), limits, undefined, 0)).toMatchObject({
      verdict: 'act',
      count: 2,
      from: 4,
      to: 6,
      clipped_by: [],
    });
  });

  it('clips by the step and at the maximum, saying so', () => {
    expect(planScaling({ direction: 'up', delta: 40 }, healthy(4), limits, undefined, 0)).toMatchObject({
      verdict: 'act',
      count: 3,
      clipped_by: ['max_step 3 (asked 40)'],
    });
    expect(planScaling({ direction: 'up', delta: 3 }, healthy(9), limits, undefined, 0)).toMatchObject({
      verdict: 'act',
      count: 1,
      to: 10,
      clipped_by: ['max_hosts 10 (pool 9)'],
    });
  });

  it('never takes a pool below its minimum, and has nothing to do at a bound', () => {
    expect(planScaling({ direction: 'down', delta: -3 }, healthy(3), limits, undefined, 0)).toMatchObject({
      verdict: 'act',
      count: 1,
      to: 2,
    });
    expect(planScaling({ direction: 'down', delta: -1 }, healthy(2), limits, undefined, 0)).toMatchObject({
      verdict: 'refuse',
      kind: 'nothing_to_do',
    });
  });

  it('refuses a plan of the wrong sign: a ScaleDown that would add hosts, a ScaleUp that would remove', () => {
    expect(planScaling({ direction: 'down', target: 40 }, healthy(5), limits, undefined, 0)).toMatchObject({
      verdict: 'refuse',
      kind: 'wrong_sign',
    });
    expect(planScaling({ direction: 'up', delta: -2 }, healthy(5), limits, undefined, 0)).toMatchObject({
      verdict: 'refuse',
      kind: 'wrong_sign',
    });
  });

  it('reads a positive ScaleDown delta as a count of hosts to remove, and targets by their difference', () => {
    expect(planScaling({ direction: 'down', delta: 2 }, healthy(6), limits, undefined, 0)).toMatchObject({ to: 4 });
    expect(planScaling({ direction: 'up', target: 7 }, healthy(6), limits, undefined, 0)).toMatchObject({ count: 1 });
  });

  it('refuses to scale down while hosts are failing', () => {
    expect(
      planScaling({ direction: 'down', delta: -1 }, { active: 6, unhealthy: 1 }, limits, undefined, 0),
    ).toMatchObject({ verdict: 'refuse', kind: 'unhealthy_pool' });
  });

  it('respects the cooldown between actions', () => {
    expect(planScaling({ direction: 'up', delta: 1 }, healthy(4), limits, 1000, 30_000)).toMatchObject({
      verdict: 'cooldown',
      wait_ms: 31_000,
    });
    expect(planScaling({ direction: 'up', delta: 1 }, healthy(4), limits, 1000, 61_001).verdict).toBe('act');
  });

  it('refuses an event without a usable delta or target', () => {
    expect(planScaling(scalingRequestFrom('up', { delta: 'many' }), healthy(4), limits, undefined, 0)).toMatchObject({
      verdict: 'refuse',
      kind: 'bad_request',
    });
  });
});
