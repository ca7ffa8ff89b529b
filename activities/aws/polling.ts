// Waiting inside an activity: heartbeats while polling, and sleeps that end early when Temporal cancels the attempt.
import { asyncLocalStorage } from '@temporalio/activity';

/** Heartbeat when running as a Temporal activity; a no-op when called directly (scripts, the simulator). */
export function heartbeatIfActivity(details?: unknown): void {
  asyncLocalStorage.getStore()?.heartbeat(details);
}

/** Sleep that a Temporal cancellation interrupts (throws CancelledFailure) when in an activity. */
export async function pause(ms: number): Promise<void> {
  const context = asyncLocalStorage.getStore();
  if (context) await context.sleep(ms);
  else await new Promise((resolve) => setTimeout(resolve, ms));
}

export interface PollOptions {
  timeoutMs: number;
  intervalMs: number;
  /** Heartbeat details for each poll. */
  progress?: () => unknown;
}

/**
 * Calls `check` until it returns a value other than undefined, or `timeoutMs` passes (then returns undefined).
 * Heartbeats on every round so a long wait is not mistaken for a dead worker.
 */
export async function pollUntil<T>(check: () => Promise<T | undefined>, options: PollOptions): Promise<T | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    heartbeatIfActivity(options.progress?.());
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    await pause(Math.min(options.intervalMs, left));
  }
}

/** Details the previous attempt of this activity heartbeated, if any (a retry resumes from them). */
export function previousHeartbeat<T>(): T | undefined {
  return asyncLocalStorage.getStore()?.info.heartbeatDetails as T | undefined;
}
