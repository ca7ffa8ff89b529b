// The runbook run: a child workflow whose id is the lock ("lock/host/<id>" or "lock/service/<svc>"), so Temporal's
// workflow-id uniqueness is the lock and it holds across worker crashes. It reads the kill switch right before the
// first step, interprets the runbook DAG (parallel branches, per-step retries and timeouts, references between step
// outputs), pauses at step boundaries, and on failure, cancel, workflow_timeout or an error of its own compensates
// the steps stopped half-way (from the progress they reported) and then the completed ones in reverse order.
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
import {
  stepHeartbeatTimeoutMs,
  stepProgressDetailKey,
  stepRegionInputKey,
  stepResumeInputKey,
  stepWorkerLossLimit,
  workerShutdownFailureType,
} from '../core/activity-catalog';
import { blockingKillSwitch, type ControlState } from '../core/control';
import type { LazarusEvent } from '../core/event';
import { Outcome } from '../core/outcome';
import type { ResolvedRule, ResolvedStep, ServicePolicy } from '../core/resolved-config';
import { resolveReferences, type ReferenceContext } from '../core/runbook-references';
import type { EntityActivities } from '../activities/entities';
import {
  cancelSignal,
  followPageSignal,
  pauseSignal,
  resumeSignal,
  statusQuery,
  type BreakerMemo,
  type FollowingPage,
} from '../contracts/messages';
import { runbookProgress, stepSummary } from '../contracts/user-metadata';
import type { GateRecord, RemediationStatus, StepRecord } from '../contracts/trace';
import { actionTaskQueue } from '../contracts/task-queues';
import { entityPrefixOf } from '../contracts/workflow-ids';

export interface RunbookInput {
  remediation_id: string;
  event: LazarusEvent;
  rule: ResolvedRule;
  service: ServicePolicy;
  shadow: boolean;
  /** How often a runbook paused by the kill switch re-reads it. */
  kill_switch_poll_ms?: number;
  /** How long a compensation keeps retrying (capped backoff) before it is reported as left to clean up (default 5 min). */
  compensation_retry_ms?: number;
}

const defaultCompensationRetryMs = 5 * 60_000;

export type RunbookOutcome =
  | typeof Outcome.Remediated
  | typeof Outcome.Shadow
  | typeof Outcome.KillSwitch
  | typeof Outcome.CircuitOpen
  | typeof Outcome.StepFailed
  | typeof Outcome.TimedOut
  | typeof Outcome.Cancelled
  | typeof Outcome.Failed;

export interface RunbookResult {
  outcome: RunbookOutcome;
  reason: string;
  gates: GateRecord[];
  steps: StepRecord[];
  following_pages: FollowingPage[];
}

const readOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '2 seconds', maximumAttempts: 3 },
} as const;
const { readControl } = proxyActivities<EntityActivities>({
  summary: 'read the kill switch before the next step',
  ...readOptions,
});
const { readBreaker } = proxyActivities<EntityActivities>({
  summary: 'read the regional circuit breaker before the first step',
  ...readOptions,
});
/**
 * Version marker: the regional breaker is read again with the kill switch right before the first step. The parent's
 * read with its lock claim comes before this child starts; a breaker that opened in between (a storm's opening while
 * the first runbooks were starting) stops the run here, before anything acts. Runs recorded before it replay without.
 */
export const runbookBreakerPatch = 'runbook-breaker';

type StepActivity = (input: unknown) => Promise<Record<string, unknown> | undefined>;

/**
 * Runbook steps and compensations run on the control realm's task queue (only its workers poll it) and are given the
 * event's region, whose AWS API they call.
 */
function actionQueue(): string {
  const { taskQueue, workflowId } = workflowInfo();
  // a replay drill's runbook (drill/<id>/lock/...) runs its dry-run steps on the drill queue itself: they touch nothing
  return entityPrefixOf(workflowId) ? taskQueue : actionTaskQueue(taskQueue);
}

function inRegion(input: unknown, region: string): unknown {
  return { ...(input as object), [stepRegionInputKey]: region };
}

function stepActivity(activity: string, timeoutMs: number, summary?: string): StepActivity {
  // Retries are the workflow's (see runStep), so each attempt is recorded in the trace.
  if (stepHeartbeatTimeoutMs(activity, undefined) === undefined) {
    const activities = proxyActivities<Record<string, StepActivity>>({
      taskQueue: actionQueue(),
      startToCloseTimeout: timeoutMs,
      retry: { maximumAttempts: 1 },
      ...(summary ? { summary } : {}),
    });
    return activities[activity];
  }
  // A long-running activity (core/activity-catalog.ts) heartbeats: its heartbeat timeout notices a dead worker, and
  // a cancel reaches it through its heartbeats and is awaited. An attempt whose worker died (heartbeat timeout) or
  // shut down (WorkerShutdown) is handed to another worker at once with the progress it last heartbeated, without
  // counting as a failed attempt, up to stepWorkerLossLimit times.
  return async (input: unknown) => {
    const call = proxyActivities<Record<string, StepActivity>>({
      taskQueue: actionQueue(),
      startToCloseTimeout: timeoutMs,
      heartbeatTimeout: stepHeartbeatTimeoutMs(activity, input),
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      retry: { maximumAttempts: 1 },
      ...(summary ? { summary } : {}),
    })[activity];
    let resumeFrom: unknown;
    for (let lost = 0; ; lost++) {
      try {
        return await call(
          resumeFrom === undefined ? input : { ...(input as object), [stepResumeInputKey]: resumeFrom },
        );
      } catch (err) {
        const cause = err instanceof ActivityFailure ? err.cause : undefined;
        let progress: unknown;
        if (cause instanceof TimeoutFailure && cause.timeoutType === 'HEARTBEAT') {
          progress = cause.lastHeartbeatDetails;
        } else if (cause instanceof ApplicationFailure && cause.type === workerShutdownFailureType) {
          progress = cause.details?.[0];
        } else {
          throw err;
        }
        if (lost >= stepWorkerLossLimit || CancellationScope.current().consideredCancelled) throw err;
        resumeFrom = progress ?? resumeFrom;
      }
    }
  };
}

function describeFailure(err: unknown): { message: string; type?: string; nonRetryable: boolean } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    return { message: cause.message, type: cause.type ?? undefined, nonRetryable: cause.nonRetryable === true };
  }
  return { message: cause instanceof Error ? cause.message : String(cause), nonRetryable: false };
}

export async function runbook(input: RunbookInput): Promise<RunbookResult> {
  const { rule, event } = input;
  const status: Pick<RemediationStatus, 'gates' | 'steps' | 'paused' | 'phase'> = {
    gates: [],
    steps: rule.runbook.steps.map((s) => ({ id: s.id, activity: s.activity, status: 'waiting', attempts: [] })),
    phase: 'running',
  };
  const following: FollowingPage[] = [];
  let pausedBy: { reason: string; actor?: string } | undefined;
  let cancelRequest: { reason?: string; actor?: string } | undefined;
  const runScope = new CancellationScope();

  setHandler(statusQuery, () => ({ ...statusBase(input), ...status }));
  setHandler(pauseSignal, (req) => {
    pausedBy = { reason: req?.reason ?? 'paused by operator', actor: req?.actor };
    status.paused = { ...pausedBy, at: Date.now() };
  });
  setHandler(resumeSignal, () => {
    pausedBy = undefined;
    status.paused = undefined;
  });
  setHandler(cancelSignal, (req) => {
    cancelRequest = req ?? {};
    runScope.cancel();
  });
  setHandler(followPageSignal, (page) => {
    if (!following.some((p) => p.incident_key === page.incident_key)) following.push(page);
  });

  const finish = (outcome: RunbookOutcome, reason: string): RunbookResult => ({
    outcome,
    reason,
    gates: status.gates,
    steps: status.steps,
    following_pages: following,
  });

  // Gate 7: the kill switch, read right before executing, and (since runbook-breaker) the regional breaker with it.
  // Unreadable counts as on / open (fail closed).
  const [gate, breaker] = await Promise.all([
    killSwitchGate(input),
    patched(runbookBreakerPatch) ? breakerGate(input) : undefined,
  ]);
  status.gates.push(gate);
  if (gate.verdict === 'fail') return finish(Outcome.KillSwitch, String(gate.detail.reason));
  if (breaker) {
    status.gates.push(breaker);
    if (breaker.verdict === 'fail') return finish(Outcome.CircuitOpen, String(breaker.detail.reason));
  }

  if (input.shadow) {
    for (const record of status.steps) record.status = 'shadow';
    return finish(Outcome.Shadow, `shadow mode: would have run ${rule.runbook.name}`);
  }

  const outputs: Record<string, { output: Record<string, unknown> }> = {};
  const completed: ResolvedStep[] = [];
  const context = (): ReferenceContext => ({
    event,
    params: input.service.params,
    steps: outputs,
    remediation: { id: input.remediation_id },
  });
  const record = (id: string): StepRecord => status.steps.find((s) => s.id === id)!;

  // Boundary: operator pause and kill switch hold the next step; cancel interrupts.
  const atBoundary = async (): Promise<void> => {
    for (;;) {
      if (pausedBy) {
        status.phase = 'paused';
        await condition(() => pausedBy === undefined);
        status.phase = 'running';
      }
      const control = await readControlOrNull(input.event.region);
      const blocking = control ? blockingKillSwitch(control, rule.category) : { reason: 'kill switch unreadable' };
      if (!blocking) return;
      status.phase = 'paused';
      status.paused = { reason: `kill switch: ${blocking.reason}`, at: Date.now() };
      await sleep(input.kill_switch_poll_ms ?? 5000);
      status.paused = pausedBy ? { ...pausedBy, at: Date.now() } : undefined;
      status.phase = 'running';
    }
  };

  const runStep = async (step: ResolvedStep): Promise<void> => {
    const rec = record(step.id);
    const resolvedInput = resolveReferences(step.input, context());
    rec.input = resolvedInput;
    rec.status = 'running';
    rec.started_at = Date.now();
    const call = stepActivity(
      step.activity,
      step.timeout_ms,
      stepSummary(step.id, step.activity, resolvedInput, rec.progress),
    );
    let delay = step.retry.initial_interval_ms;
    for (let attempt = 1; ; attempt++) {
      const attemptRecord = { attempt, started_at: Date.now() } as StepRecord['attempts'][number];
      rec.attempts.push(attemptRecord);
      setCurrentDetails(runbookProgress(status.steps, status.phase));
      try {
        // A retry resumes from what the failed attempt had done (e.g. the target groups a drain already left).
        const attemptInput = rec.progress ? { ...resolvedInput, [stepResumeInputKey]: rec.progress } : resolvedInput;
        const output = (await call(inRegion(attemptInput, event.region))) ?? {};
        attemptRecord.ended_at = Date.now();
        outputs[step.id] = { output };
        rec.output = output;
        rec.status = 'succeeded';
        rec.ended_at = Date.now();
        completed.push(step);
        setCurrentDetails(runbookProgress(status.steps, status.phase));
        return;
      } catch (err) {
        attemptRecord.ended_at = Date.now();
        rec.progress = progressOf(err) ?? rec.progress;
        if (isCancellation(err)) {
          rec.status = 'cancelled';
          throw err;
        }
        const failure = describeFailure(err);
        attemptRecord.error = failure.message;
        attemptRecord.error_type = failure.type;
        if (failure.nonRetryable || attempt >= step.retry.maximum_attempts) {
          rec.status = 'failed';
          rec.error = failure.message;
          rec.ended_at = Date.now();
          throw new StepFailure(step.id, failure.message);
        }
        await sleep(delay);
        delay = Math.min(delay * step.retry.backoff_coefficient, step.retry.maximum_interval_ms);
      }
    }
  };

  // The DAG: start every step whose needs are met; steps with no path between them run in parallel.
  const runDag = async (): Promise<void> => {
    const done = new Set<string>();
    const started = new Set<string>();
    const running = new Map<string, Promise<void>>();
    let failure: Error | undefined;
    while (done.size < rule.runbook.steps.length && failure === undefined) {
      const ready = rule.runbook.steps.filter((s) => !started.has(s.id) && s.needs.every((n) => done.has(n)));
      if (ready.length > 0) await atBoundary();
      for (const step of ready) {
        started.add(step.id);
        running.set(
          step.id,
          runStep(step).then(
            () => {
              done.add(step.id);
              running.delete(step.id);
            },
            (err: unknown) => {
              failure ??= err instanceof Error ? err : new Error(String(err));
              running.delete(step.id);
            },
          ),
        );
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
    await Promise.all(running.values()); // let parallel branches settle before compensating
    if (failure !== undefined) throw failure;
  };

  let outcome: RunbookOutcome = Outcome.Remediated;
  let reason = `${rule.runbook.name} completed`;
  let timedOut = false;
  const timerScope = new CancellationScope();
  // Handled from the start: a cancellation of the whole run (`temporal workflow cancel`) rejects the timer at once,
  // and an unhandled rejection would fail the workflow task instead of letting the run compensate.
  const timer = timerScope
    .run(async () => {
      await sleep(rule.runbook.workflow_timeout_ms);
      timedOut = true;
      runScope.cancel();
    })
    .catch(() => undefined);
  // A stop (workflow_timeout, cancel) waits for the running step; if that step then finishes anyway, the run still
  // stopped: its last step is undone with the others, never reported as REMEDIATED.
  let stopped: { error: unknown } | undefined;
  try {
    await runScope.run(runDag);
    if (timedOut || cancelRequest || runScope.consideredCancelled) stopped = { error: new CancelledFailure('stopped') };
  } catch (err) {
    stopped = { error: err };
  }
  if (stopped) {
    const err = stopped.error;
    if (timedOut) {
      outcome = Outcome.TimedOut;
      reason = `runbook ${rule.runbook.name} exceeded its workflow_timeout of ${rule.runbook.workflow_timeout_ms} ms`;
    } else if (cancelRequest) {
      outcome = Outcome.Cancelled;
      reason = `cancelled${cancelRequest.actor ? ` by ${cancelRequest.actor}` : ''}: ${cancelRequest.reason ?? 'no reason given'}`;
    } else if (isCancellation(err)) {
      // `temporal workflow cancel` (of this run or of its remediation): undone and escalated like an operator's cancel.
      outcome = Outcome.Cancelled;
      reason = 'cancelled through Temporal (workflow cancellation)';
    } else if (err instanceof StepFailure) {
      outcome = Outcome.StepFailed;
      reason = err.message;
    } else {
      // An error of the runbook run itself (e.g. a step input referencing what the event lacks): never a stuck
      // workflow task holding the lock; what was done is undone and a person is told.
      outcome = Outcome.Failed;
      reason = `runbook ${rule.runbook.name} failed: ${describeFailure(err).message}`;
    }
    for (const rec of status.steps) if (rec.status === 'waiting') rec.status = 'skipped';
    status.phase = 'compensating';
    const left = await CancellationScope.nonCancellable(() =>
      compensate(completed, interrupted(rule.runbook.steps, status.steps), context, record, input),
    );
    if (left.length > 0) reason = `${reason}; left to clean up: ${left.join('; ')}`;
  }
  timerScope.cancel();
  await timer;
  return finish(outcome, reason);
}

class StepFailure extends Error {
  override readonly name = 'StepFailure';
  constructor(
    readonly step: string,
    detail: string,
  ) {
    super(`step ${step} failed: ${detail}`);
  }
}

/** Steps stopped half-way (failed, cancelled or cut off while running) that reported progress: what they did is undone too. */
function interrupted(steps: readonly ResolvedStep[], records: readonly StepRecord[]): ResolvedStep[] {
  return steps.filter((step) => {
    const rec = records.find((r) => r.id === step.id);
    return (
      rec !== undefined && rec.status !== 'succeeded' && rec.progress !== undefined && step.compensate !== undefined
    );
  });
}

/**
 * Saga: undo the steps stopped half-way first (they ran last), from their progress, then completed steps in reverse
 * order of completion. Each compensation retries with capped backoff for a bounded time; one that still fails, or
 * cannot be built (its input needs what the step never reported), is recorded and skipped, and returned as left to
 * clean up so the escalation names it.
 */
async function compensate(
  completed: ResolvedStep[],
  halfDone: ResolvedStep[],
  context: () => ReferenceContext,
  record: (id: string) => StepRecord,
  input: RunbookInput,
): Promise<string[]> {
  const left: string[] = [];
  const undo = async (step: ResolvedStep, ctx: ReferenceContext): Promise<void> => {
    if (!step.compensate) return;
    const rec = record(step.id);
    try {
      const compensation = proxyActivities<Record<string, StepActivity>>({
        taskQueue: actionQueue(),
        startToCloseTimeout: step.timeout_ms,
        scheduleToCloseTimeout: input.compensation_retry_ms ?? defaultCompensationRetryMs,
        retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
        summary: `undo ${stepSummary(step.id, step.compensate.activity, resolveReferences(step.compensate.input, ctx))}`,
      })[step.compensate.activity];
      await compensation(inRegion(resolveReferences(step.compensate.input, ctx), input.event.region));
      rec.compensation = { activity: step.compensate.activity, status: 'succeeded', at: Date.now() };
    } catch (err) {
      const error = describeFailure(err).message;
      rec.compensation = { activity: step.compensate.activity, status: 'failed', error, at: Date.now() };
      left.push(
        `${step.id} (${step.compensate.activity} failed: ${error}; progress ${JSON.stringify(rec.progress ?? rec.output ?? {})})`,
      );
    }
  };
  for (const step of halfDone) {
    const base = context();
    const progress = record(step.id).progress ?? {};
    await undo(step, { ...base, steps: { ...base.steps, [step.id]: { output: progress } } });
  }
  for (const step of [...completed].reverse()) await undo(step, context());
  return left;
}

/** What an unfinished attempt reported having done: its last heartbeat, or the progress detail of its failure. */
function progressOf(err: unknown): Record<string, unknown> | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const asRecord = (value: unknown): Record<string, unknown> | undefined =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  if (cause instanceof TimeoutFailure) return asRecord(cause.lastHeartbeatDetails);
  if (cause instanceof ApplicationFailure && cause.type === workerShutdownFailureType)
    return asRecord(cause.details?.[0]);
  const details = cause instanceof ApplicationFailure || cause instanceof CancelledFailure ? cause.details : undefined;
  for (const detail of details ?? []) {
    const progress = asRecord(asRecord(detail)?.[stepProgressDetailKey]);
    if (progress) return progress;
  }
  return undefined;
}

async function readControlOrNull(region: string): Promise<ControlState | null> {
  try {
    return await readControl(region);
  } catch {
    return null;
  }
}

async function killSwitchGate(input: RunbookInput): Promise<GateRecord> {
  const control = await readControlOrNull(input.event.region);
  const at = Date.now();
  if (!control) {
    return {
      gate: 'kill_switch',
      at,
      verdict: 'fail',
      detail: { reason: 'kill switch state unreadable: failing closed' },
    };
  }
  const blocking = blockingKillSwitch(control, input.rule.category);
  if (blocking) {
    return {
      gate: 'kill_switch',
      at,
      verdict: 'fail',
      detail: {
        reason: `kill switch ${blocking.scope} is on (set by ${blocking.actor}: ${blocking.reason})`,
        scope: blocking.scope,
        actor: blocking.actor,
        set_at: blocking.at,
        category: input.rule.category,
      },
    };
  }
  return { gate: 'kill_switch', at, verdict: 'pass', detail: { category: input.rule.category, state: 'off' } };
}

async function breakerGate(input: RunbookInput): Promise<GateRecord> {
  const region = input.event.region;
  let memo: BreakerMemo;
  try {
    memo = await readBreaker(region);
  } catch (err) {
    const reason = `regional circuit breaker state unreadable: failing closed (${describeFailure(err).message})`;
    return { gate: 'breaker', at: Date.now(), verdict: 'fail', detail: { region, reason } };
  }
  const at = Date.now();
  const detail = { ...memo, region };
  if (memo.state !== 'open') return { gate: 'breaker', at, verdict: 'pass', detail };
  const reason = `regional circuit breaker opened before the first step: ${memo.failing_count} services failing (${memo.failing.join(', ')})`;
  return { gate: 'breaker', at, verdict: 'fail', detail: { ...detail, reason } };
}

function statusBase(input: RunbookInput): Omit<RemediationStatus, 'gates' | 'steps' | 'paused' | 'phase'> {
  return {
    workflow_id: workflowInfo().workflowId,
    incident_key: input.event.incident_key,
    event: input.event,
    started_at: workflowInfo().startTime.getTime(),
    rule: input.rule.name,
    runbook: input.rule.runbook.name,
    shadow: input.shadow,
    following_pages: [],
  };
}
