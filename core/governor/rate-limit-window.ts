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

/**
 * One failure the service's governor counted: the host (or, for a service-level event, the service itself) that
 * failed, and the event that first reported it in the window. Alarms are not failures: four alarms about one host
 * are one failure.
 */
export interface CountedFailure {
  at: number;
  /** What failed: the host's instance id, or `service:<name>` for an event without a host. */
  failure: string;
  /** The incident key of the event that first reported this failure in the window (it decides for it). */
  incident_key: string;
  /** Whether that failure was over the threshold (its later alarms are too). */
  limited: boolean;
}

export interface FailureVerdict extends RateLimitVerdict {
  /** Whether this event is a new failure in the window (false: an alarm about a failure already counted). */
  counted: boolean;
  /** The event that first reported the same failure in the window: this one follows it. */
  duplicate_of?: string;
}

/** What failed, for counting: the host, or the service itself for an event without one. */
export function failureOf(event: { service: string; host?: string }): string {
  return event.host ?? `service:${event.service}`;
}

/**
 * Counts a failure (not an alarm) against the service's rate limit: distinct failures in the window, a host once.
 * An alarm about a failure already counted in the window is not counted again and shares that failure's verdict
 * (so an alarm about a host over the limit stays over it, and one about a host being fixed is never limited).
 * `failures`: the failures counted so far, any age (those outside the window are ignored).
 */
export function admitFailure(
  failures: readonly CountedFailure[],
  now: number,
  settings: { threshold: number; window_ms: number },
  failure: string,
): FailureVerdict {
  const inWindow = failures.filter((f) => f.at > now - settings.window_ms);
  const distinct = new Set(inWindow.map((f) => f.failure));
  const prior = inWindow.find((f) => f.failure === failure);
  const base = { threshold: settings.threshold, window_ms: settings.window_ms };
  if (prior) {
    return {
      ...base,
      count: distinct.size,
      limited: prior.limited,
      started_failing: false,
      counted: false,
      duplicate_of: prior.incident_key,
    };
  }
  const count = distinct.size + 1;
  return { ...base, count, limited: count > settings.threshold, started_failing: inWindow.length === 0, counted: true };
}
