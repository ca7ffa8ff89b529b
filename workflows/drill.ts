// A replay drill (drill/<id>): recorded events replayed through the real remediate workflow in a sandbox. Each event
// becomes a `drillRemediation` child (the same code as remediate, another workflow type so no production list sees
// it) with id drill/<id>/event/<key> on the drill task queue, whose dry-run activities touch no page and no host
// and keep governors, control, locks and quarantine under drill/<id>/. The gaps between events are kept, divided by
// `speed` (the dry-run configuration divides the windows by the same). The report is built from the children's
// decision traces and compared with what actually happened.
import {
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { LazarusEvent } from '../core/event';
import {
  drillProgressQuery,
  drillSettingsQuery,
  maxDrillEvents,
  type DrillInput,
  type DrillProgress,
  type DrillReport,
  type DrillRow,
  type DrillSettings,
} from '../contracts/drill';
import { drillEntityPrefix, remediationWorkflowId } from '../contracts/workflow-ids';
import type { RemediationStatus } from '../contracts/trace';
import type { DrillActivities } from '../activities/drill';
import { buildDrillReport, drillRow, replayTimeline } from './drill-report';
import { remediate, type RemediateOptions } from './remediate';
import { control, type ControlInput } from './control';
import { regionalGovernor, serviceGovernor, type RegionalGovernorInput, type ServiceGovernorInput } from './governors';
import { ruleQuarantine, type QuarantineInput } from './quarantine';

// The sandbox's workflow types: the production code under other names (contracts drillWorkflowTypes).
export async function drillRemediation(
  event: LazarusEvent,
  options: RemediateOptions = {},
): Promise<RemediationStatus> {
  return await remediate(event, options);
}
export async function drillServiceGovernor(input: ServiceGovernorInput): Promise<void> {
  await serviceGovernor(input);
}
export async function drillRegionalGovernor(input: RegionalGovernorInput): Promise<void> {
  await regionalGovernor(input);
}
export async function drillControl(input: ControlInput): Promise<void> {
  await control(input);
}
export async function drillQuarantine(input: QuarantineInput): Promise<void> {
  await ruleQuarantine(input);
}

/** On the drill task queue, where the dry-run activities are. */
function sandboxActivities(taskQueue: string): DrillActivities {
  return proxyActivities<DrillActivities>({
    taskQueue,
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
  });
}

const defaultMaxInFlight = 200;

export async function drill(input: DrillInput): Promise<DrillReport> {
  if (input.events.length > maxDrillEvents) {
    throw ApplicationFailure.nonRetryable(`a drill replays at most ${maxDrillEvents} events`, 'DrillInvalid');
  }
  if (!(input.speed > 0)) throw ApplicationFailure.nonRetryable('speed must be above 0', 'DrillInvalid');
  const startedAt = Date.now();
  const settings: DrillSettings = {
    drill_id: input.drill_id,
    speed: input.speed,
    preconditions: input.preconditions,
    ...(input.candidate ? { candidate: input.candidate } : {}),
    recorded_quorum: recordedQuorum(input),
  };
  const progress: DrillProgress = {
    drill_id: input.drill_id,
    phase: 'replaying',
    started: 0,
    finished: 0,
    total: input.events.length,
  };
  setHandler(drillSettingsQuery, () => settings);
  setHandler(drillProgressQuery, () => progress);

  const timeline = replayTimeline(input.events, input.speed);
  const rows: DrillRow[] = [];
  const maxInFlight = input.max_in_flight ?? defaultMaxInFlight;
  let inFlight = 0;
  const runs: Array<Promise<void>> = [];
  // Happens-before kept: a recorded remediation that had ended before an event was received is waited for in the
  // drill too, so that a sequence in production (the breaker re-read right before a runbook, a window) stays one
  // whatever the drill's own pace. Overlapping recorded events keep only their recorded gaps.
  const byEnd = timeline
    .filter((t) => t.ended_offset_ms !== undefined)
    .sort((a, b) => a.ended_offset_ms! - b.ended_offset_ms! || a.index - b.index);
  let endedUpTo = 0;
  const finished = new Set<number>();
  const awaited = new Set<number>();
  for (const item of timeline) {
    const wait = startedAt + item.replay_offset_ms - Date.now();
    if (wait > 0) await sleep(wait);
    for (; endedUpTo < byEnd.length && byEnd[endedUpTo].ended_offset_ms! <= item.offset_ms; endedUpTo++) {
      const before = byEnd[endedUpTo].index;
      if (before < item.index && !finished.has(before)) awaited.add(before);
    }
    await condition(() => awaited.size === 0 && inFlight < maxInFlight);
    const event = rebase(item.event, item.age_ms / input.speed);
    const workflowId = `${drillEntityPrefix(input.drill_id)}${remediationWorkflowId(event.incident_key)}`;
    let child: ChildWorkflowHandle<typeof drillRemediation>;
    try {
      child = await startChild(drillRemediation, {
        workflowId,
        taskQueue: input.task_queue,
        args: [event, { kill_switch_poll_ms: 1000 }],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // the same incident key twice: Lazarus starts one remediation, so does the drill
      rows.push(drillRow(item, workflowId, undefined, 'DUPLICATE'));
      progress.finished += 1;
      finished.add(item.index);
      continue;
    }
    progress.started += 1;
    inFlight += 1;
    runs.push(
      child
        .result()
        .then(
          (status) => {
            rows.push(drillRow(item, workflowId, status));
          },
          (err: unknown) => {
            rows.push(
              drillRow(item, workflowId, undefined, `ERROR: ${err instanceof Error ? err.message : String(err)}`),
            );
          },
        )
        .finally(() => {
          inFlight -= 1;
          progress.finished += 1;
          finished.add(item.index);
          awaited.delete(item.index);
        }),
    );
  }
  await Promise.all(runs);
  progress.phase = 'cleaning_up';
  // the sandbox's entity workflows (governors, control, quarantine) would otherwise wait forever
  await sandboxActivities(input.task_queue).endDrillSandbox({ drill_id: input.drill_id });
  progress.phase = 'done';
  return buildDrillReport(input, rows, startedAt, Date.now());
}

/** The event as if received now: its age at receipt kept (divided by the speed, like every window). */
function rebase(event: LazarusEvent, ageMs: number): LazarusEvent {
  return { ...event, occurred_at: new Date(Date.now() - Math.max(0, Math.round(ageMs))).toISOString() };
}

function recordedQuorum(input: DrillInput): DrillSettings['recorded_quorum'] {
  const verdicts: DrillSettings['recorded_quorum'] = {};
  for (const { event, actual } of input.events) {
    if (!actual?.outcome) continue;
    if (actual.outcome === 'PRECONDITION_FAILED' || actual.outcome === 'QUORUM_TIMEOUT') {
      verdicts[event.incident_key] = 'failed';
    } else if (actual.stopped_at !== 'quorum') {
      verdicts[event.incident_key] = 'passed';
    }
  }
  return verdicts;
}
