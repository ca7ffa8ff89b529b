import { checkBreakerSettings, closedBreaker, reportService, type RegionalBreaker } from '../../../core/governor';

const settings = { open_threshold: 3, close_threshold: 1 };

function apply(breaker: RegionalBreaker, reports: Array<[string, boolean]>): RegionalBreaker {
  let b = breaker;
  reports.forEach(([service, failing], i) => {
    b = reportService(b, { service, failing, at: i }, settings).breaker;
  });
  return b;
}

describe('regional circuit breaker', () => {
  it('opens when the third distinct service starts failing, recording the cause', () => {
    const b = apply(closedBreaker(), [
      ['a', true],
      ['b', true],
      ['a', true],
    ]);
    expect(b.state).toBe('closed');
    const r = reportService(b, { service: 'c', failing: true, at: 10 }, settings);
    expect(r.breaker.state).toBe('open');
    expect(r.transition).toEqual({ to: 'open', at: 10, failing_count: 3, cause: 'c' });
  });

  it('stays open until the failing count falls to the close threshold (hysteresis)', () => {
    const open = apply(closedBreaker(), [
      ['a', true],
      ['b', true],
      ['c', true],
    ]);
    const two = reportService(open, { service: 'c', failing: false, at: 5 }, settings);
    expect(two.breaker.state).toBe('open');
    expect(two.transition).toBeUndefined();
    const one = reportService(two.breaker, { service: 'b', failing: false, at: 6 }, settings);
    expect(one.breaker.state).toBe('closed');
    expect(one.breaker.transitions.map((t) => t.to)).toEqual(['open', 'closed']);
  });

  it('rejects thresholds without hysteresis', () => {
    expect(() => checkBreakerSettings({ open_threshold: 2, close_threshold: 2 })).toThrow(/must be below/);
    expect(() => checkBreakerSettings(settings)).not.toThrow();
  });
});
