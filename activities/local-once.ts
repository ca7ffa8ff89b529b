// Once per local activity: a local activity runs again when the workflow task that ran it is retried (its marker was
// never recorded), so an activity that tells a person something keeps its answer here and gives it again instead of
// telling them twice.
import { asyncLocalStorage, type Context } from '@temporalio/activity';

/**
 * Completed local activities by workflow run and activity id (a local activity's id is its sequence number in the
 * run, the same when the workflow task is retried). Kept in the worker process: a retried workflow task goes back to
 * the worker that has the workflow cached (its sticky queue) or, when that worker is gone, to another one, which then
 * runs the activity again, as an ordinary activity is run again when its worker dies before reporting it.
 */
const completed = new Map<string, { result: Promise<unknown>; at: number }>();
const keptMs = 15 * 60_000;
const maxKept = 20_000;

/** A local activity's identity within its workflow run (the same when its workflow task is retried); else undefined. */
export function localActivityKey(context: Context): string | undefined {
  const { info } = context;
  if (!info.isLocal || !info.workflowExecution) return undefined;
  const { workflowId, runId } = info.workflowExecution;
  return `${workflowId}/${runId}/${info.activityId}/${info.activityType}`;
}

function forget(now: number): void {
  for (const [key, kept] of completed) {
    // insertion order is start order: the first one still kept ends the sweep
    if (now - kept.at <= keptMs && completed.size <= maxKept) break;
    completed.delete(key);
  }
}

/**
 * Runs `work` once per local activity of a workflow run: when the same local activity runs again (its workflow task
 * retried), gives what the first run gives (waiting for it if it is still running) without running `work` again.
 * Outside a local activity (an ordinary activity, whose result the server records once; a script) it just runs
 * `work`. A failed run is not kept: the activity's retries run it again.
 */
export async function oncePerLocalActivity<T>(work: () => Promise<T>): Promise<T> {
  const context = asyncLocalStorage.getStore();
  const key = context ? localActivityKey(context) : undefined;
  if (!key) return work();
  const kept = completed.get(key);
  if (kept) return (await kept.result) as T;
  const now = Date.now();
  forget(now);
  const result = work();
  completed.set(key, { result, at: now });
  try {
    return await result;
  } catch (err) {
    if (completed.get(key)?.result === result) completed.delete(key);
    throw err;
  }
}
