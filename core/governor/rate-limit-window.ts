// Per-service rate limit over a rolling window: every event is counted, acted on or not.

export interface RateLimitWindow {
  /** Event times (epoch ms), oldest first, all within the window. */
  events: number[];
}

export interface RateLimitVerdict {
  /** Events in the window, this one included. */
  count: number;
  threshold: number;
  window_ms: number;
  /** True when this event is over the threshold: no remediation. */
  limited: boolean;
  /** The service had no events in the window before this one. */
  started_failing: boolean;
}

export function emptyRateLimitWindow(): RateLimitWindow {
  return { events: [] };
}

/** Drops events older than the window; returns a new window. */
export function pruneWindow(window: RateLimitWindow, now: number, windowMs: number): RateLimitWindow {
  const cutoff = now - windowMs;
  const firstKept = window.events.findIndex((t) => t > cutoff);
  return { events: firstKept === -1 ? [] : window.events.slice(firstKept) };
}

/** Records one event and decides: the (threshold+1)th event within the window is rate limited. */
export function recordEvent(
  window: RateLimitWindow,
  now: number,
  settings: { threshold: number; window_ms: number },
): { window: RateLimitWindow; verdict: RateLimitVerdict } {
  const pruned = pruneWindow(window, now, settings.window_ms);
  const next = { events: [...pruned.events, now] };
  return {
    window: next,
    verdict: {
      count: next.events.length,
      threshold: settings.threshold,
      window_ms: settings.window_ms,
      limited: next.events.length > settings.threshold,
      started_failing: pruned.events.length === 0,
    },
  };
}

/** When the window empties if no further event comes (the service then stops failing). */
export function windowExpiresAt(window: RateLimitWindow, windowMs: number): number | undefined {
  const last = window.events[window.events.length - 1];
  return last === undefined ? undefined : last + windowMs;
}
