// Waiting inside an activity: heartbeats while polling, and sleeps that end early when Temporal cancels the attempt.
// Long-running activities (core/activity-catalog.ts, `heartbeatTimeoutMs`) run inside whileHeartbeating(): they
// heartbeat their progress every few seconds, resume from the progress of a lost attempt (previousHeartbeat) and hand
// their progress back when the worker shuts down.
import { ApplicationFailure, asyncLocalStorage, CancelledFailure, type Context } from '@temporalio/activity';
import { stepProgressDetailKey, stepResumeInputKey, workerShutdownFailureType } from '../../core/activity-catalog';
import { localActivityKey } from '../local-once';

/**
 * The progress of local activities, by workflow run and activity id (local-once.ts localActivityKey): a local
 * activity cannot heartbeat, but its retries run in the same worker process, so what an attempt did is kept here for
 * the next one (previousHeartbeat). Lost with the process, as a heartbeat not yet sent would be.
 */
const localProgress = new Map<string, { details: unknown; at: number }>();
const localProgressTtlMs = 15 * 60_000;

/** Heartbeat when running as a Temporal activity; a no-op when called directly (scripts, the simulator). */
export function heartbeatIfActivity(details?: unknown): void {
  const context = asyncLocalStorage.getStore();
  if (!context) return;
  if (!context.info.isLocal) {
    context.heartbeat(details);
    return;
  }
  const key = localActivityKey(context);
  if (!key) return;
  const now = Date.now();
  for (const [old, kept] of localProgress) if (now - kept.at > localProgressTtlMs) localProgress.delete(old);
  localProgress.set(key, { details, at: now });
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
 * Calls `check` until it returns a value other than undefined, or `timeoutMs` passes (then returns undefined; with
 * a timeout of 0 or less, `check` runs once). Heartbeats on every round so a long wait is not mistaken for a dead
 * worker.
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

/**
 * The progress a previous attempt of this activity heartbeated, if any: Temporal's heartbeat details when the server
 * retried the activity, else what the workflow handed over in the input's `resumeFrom` when it gave the step to
 * another worker after its worker died or shut down (workflows/runbook.ts). A retry resumes from it.
 */
export function previousHeartbeat<T>(input?: unknown): T | undefined {
  const context = asyncLocalStorage.getStore();
  if (context?.info.isLocal && context.info.attempt > 1) {
    const key = localActivityKey(context);
    const kept = key ? localProgress.get(key) : undefined;
    if (kept) return kept.details as T;
  }
  const fromServer = context?.info.heartbeatDetails as T | undefined;
  if (fromServer !== undefined && fromServer !== null) return fromServer;
  const handedOver = (input as Record<string, unknown> | null | undefined)?.[stepResumeInputKey];
  return handedOver === undefined || handedOver === null ? undefined : (handedOver as T);
}

/** How often whileHeartbeating() heartbeats: a quarter of the heartbeat timeout, between 250 ms and 5 s. */
export function heartbeatIntervalMs(heartbeatTimeoutMs: number | undefined): number {
  if (!heartbeatTimeoutMs) return 5000;
  return Math.min(5000, Math.max(250, Math.floor(heartbeatTimeoutMs / 4)));
}

/**
 * The same failure with the attempt's progress added as a detail (`stepProgressDetailKey`), so the workflow keeps what
 * a failed or cancelled attempt had done: a retry resumes from it and a compensation undoes it. Type, message and
 * retryability stay those of the original failure.
 */
function withProgress(err: unknown, progress: unknown): unknown {
  const detail = { [stepProgressDetailKey]: progress };
  if (err instanceof CancelledFailure) return new CancelledFailure(err.message, [...(err.details ?? []), detail]);
  if (err instanceof ApplicationFailure) {
    return ApplicationFailure.create({
      type: err.type ?? undefined,
      message: err.message,
      nonRetryable: err.nonRetryable ?? undefined,
      details: [...(err.details ?? []), detail],
      cause: err.cause,
    });
  }
  if (err instanceof Error) {
    return ApplicationFailure.create({ type: err.name, message: err.message, details: [detail], cause: err });
  }
  return err;
}

function stoppedByShutdown(context: Context, err: unknown): boolean {
  const reason: unknown = context.cancellationSignal.aborted ? context.cancellationSignal.reason : undefined;
  const cancelled = reason instanceof CancelledFailure ? reason : err instanceof CancelledFailure ? err : undefined;
  return cancelled?.message === 'WORKER_SHUTDOWN';
}

/**
 * Runs `work`, heartbeating `progress()` at once and then every heartbeatIntervalMs() (whatever `work` is waiting
 * on: a slow AWS call, a probe), so a dead worker is noticed within the step's heartbeat timeout and a cancel is
 * delivered within a few seconds. When the worker shuts down gracefully and cancels the attempt, it fails with the
 * retryable `WorkerShutdown` failure carrying `progress()`, which the workflow hands to another worker at once.
 * Outside an activity it just runs `work`.
 */
export async function whileHeartbeating<T>(progress: () => unknown, work: () => Promise<T>): Promise<T> {
  const context = asyncLocalStorage.getStore();
  if (!context) return await work();
  const beat = (): void => context.heartbeat(progress());
  beat();
  const timer = setInterval(beat, heartbeatIntervalMs(context.info.heartbeatTimeoutMs));
  try {
    return await work();
  } catch (err) {
    if (stoppedByShutdown(context, err)) {
      throw ApplicationFailure.create({
        type: workerShutdownFailureType,
        message: `${context.info.activityType}: worker shutting down; handed back with its progress`,
        details: [progress()],
      });
    }
    throw withProgress(err, progress());
  } finally {
    clearInterval(timer);
  }
}
