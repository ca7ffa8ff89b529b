import { emptyRateLimitWindow, recordEvent, windowExpiresAt } from '../../../core/governor';

const settings = { threshold: 3, window_ms: 10 * 60_000 };

describe('rate limit window', () => {
  it('limits the event after the threshold within the window', () => {
    let window = emptyRateLimitWindow();
    const verdicts = [0, 1000, 2000, 3000].map((t) => {
      const r = recordEvent(window, t, settings);
      window = r.window;
      return r.verdict;
    });
    expect(verdicts.map((v) => v.limited)).toEqual([false, false, false, true]);
    expect(verdicts.map((v) => v.count)).toEqual([1, 2, 3, 4]);
  });

  it('forgets events older than the window, and says when the service starts failing again', () => {
    let window = emptyRateLimitWindow();
    for (const t of [0, 1, 2]) window = recordEvent(window, t, settings).window;
    const later = recordEvent(window, settings.window_ms + 10, settings);
    expect(later.verdict).toMatchObject({ count: 1, limited: false, started_failing: true });
  });

  it('reports when the window will be empty', () => {
    const { window } = recordEvent(emptyRateLimitWindow(), 5000, settings);
    expect(windowExpiresAt(window, settings.window_ms)).toBe(5000 + settings.window_ms);
    expect(windowExpiresAt(emptyRateLimitWindow(), settings.window_ms)).toBeUndefined();
  });
});
