// The pure half of a replay drill: the replay timeline (recorded gaps divided by the speed) and the report built from
// the drill remediations' decision traces. No Temporal API here, so unit tests run it in milliseconds.
import type { LazarusEvent } from '../core/event';
import type { DrillAction, DrillActual, DrillEvent, DrillInput, DrillReport, DrillRow } from '../contracts/drill';
import type { GateRecord, RemediationStatus } from '../contracts/trace';

export interface TimelineItem {
  index: number;
  event: LazarusEvent;
  /** As recorded, from the first event (ms). */
  offset_ms: number;
  /** When the drill starts it, from the drill's start (ms): offset_ms / speed. */
  replay_offset_ms: number;
  /** How old the event was when Lazarus received it (ms, >= 0). */
  age_ms: number;
  /** When its recorded remediation ended, from the first event (ms), if known. */
  ended_offset_ms?: number;
  actual?: DrillActual;
}

function receivedAt(item: DrillEvent): number {
  const occurred = Date.parse(item.event.occurred_at);
  return item.received_at ?? (Number.isNaN(occurred) ? 0 : occurred);
}

/** Events in the order Lazarus received them (stable for equal times), with their replay offsets. */
export function replayTimeline(events: readonly DrillEvent[], speed: number): TimelineItem[] {
  const sorted = events.map((item, i) => ({ item, i, at: receivedAt(item) })).sort((a, b) => a.at - b.at || a.i - b.i);
  const first = sorted[0]?.at ?? 0;
  return sorted.map(({ item, at }, index) => {
    const occurred = Date.parse(item.event.occurred_at);
    return {
      index,
      event: item.event,
      offset_ms: at - first,
      replay_offset_ms: (at - first) / speed,
      age_ms: Number.isNaN(occurred) ? 0 : Math.max(0, at - occurred),
      ...(item.actual?.ended_at !== undefined ? { ended_offset_ms: item.actual.ended_at - first } : {}),
      ...(item.actual ? { actual: item.actual } : {}),
    };
  });
}

/** The first gate whose verdict stopped the remediation (fail, or shadow), as the trace recorded it. */
export function stoppingGate(gates: readonly GateRecord[]): GateRecord | undefined {
  return gates.find((g) => g.verdict === 'fail') ?? gates.find((g) => g.verdict === 'shadow' && g.gate === 'shadow');
}

function breakerSeen(gates: readonly GateRecord[]): 'open' | 'closed' | undefined {
  const governor = gates.find((g) => g.gate === 'governor');
  const breaker = governor?.detail.breaker as { state?: string } | undefined;
  return breaker?.state === 'open' ? 'open' : breaker?.state === 'closed' ? 'closed' : undefined;
}

/** What the trace says about one event: outcome, stopping gate, breaker, rate limit. Used for drill and actual alike. */
export function summariseStatus(status: RemediationStatus): Omit<DrillActual, 'workflow_id'> & {
  reason?: string;
  stopped_detail?: Record<string, unknown>;
  rate_limit?: DrillRow['rate_limit'];
} {
  const stop = stoppingGate(status.gates);
  const governor = status.gates.find((g) => g.gate === 'governor');
  const rate = governor?.detail.rate_limit as { count: number; threshold: number; limited: boolean } | undefined;
  const breaker = breakerSeen(status.gates);
  return {
    ...(status.outcome ? { outcome: status.outcome } : {}),
    ...(status.reason ? { reason: status.reason } : {}),
    ...(stop ? { stopped_at: stop.gate, stopped_detail: stop.detail } : {}),
    ...(breaker ? { breaker } : {}),
    ...(rate ? { rate_limit: { count: rate.count, threshold: rate.threshold, limited: rate.limited } } : {}),
    ...(status.rule ? { rule: status.rule } : {}),
  };
}

export function drillRow(
  item: TimelineItem,
  workflowId: string,
  status: RemediationStatus | undefined,
  failed?: string,
): DrillRow {
  const { event } = item;
  const summary = status ? summariseStatus(status) : undefined;
  const actions: DrillAction[] = (status?.steps ?? [])
    .filter((s) => s.status === 'succeeded')
    .map((s) => ({ id: s.id, activity: s.activity, ...(s.input === undefined ? {} : { input: s.input }) }));
  const row: DrillRow = {
    index: item.index,
    incident_key: event.incident_key,
    service: event.service,
    ...(event.host ? { host: event.host } : {}),
    region: event.region,
    event_type: event.event_type,
    offset_ms: item.offset_ms,
    workflow_id: workflowId,
    outcome: failed ?? summary?.outcome ?? 'UNKNOWN',
    ...(summary?.reason ? { reason: summary.reason } : {}),
    ...(summary?.rule ? { rule: summary.rule } : {}),
    ...(summary?.stopped_at ? { stopped_at: summary.stopped_at } : {}),
    ...(summary?.stopped_detail ? { stopped_detail: summary.stopped_detail } : {}),
    ...(summary?.breaker ? { breaker: summary.breaker } : {}),
    ...(summary?.rate_limit ? { rate_limit: summary.rate_limit } : {}),
    actions,
    ...(item.actual ? { actual: item.actual } : {}),
  };
  if (item.actual?.outcome) {
    row.differs = item.actual.outcome !== row.outcome || (item.actual.stopped_at ?? '') !== (row.stopped_at ?? '');
  }
  return row;
}

function describe(outcome: string | undefined, gate: string | undefined): string {
  return `${outcome ?? 'unknown'}${gate ? ` at ${gate}` : ''}`;
}

export function buildDrillReport(
  input: DrillInput,
  unordered: readonly DrillRow[],
  startedAt: number,
  finishedAt: number,
): DrillReport {
  const rows = [...unordered].sort((a, b) => a.index - b.index);
  const outcomes: Record<string, number> = {};
  for (const row of rows) outcomes[row.outcome] = (outcomes[row.outcome] ?? 0) + 1;

  const firstOpen = (pick: (row: DrillRow) => boolean): Map<string, DrillRow> => {
    const found = new Map<string, DrillRow>();
    for (const row of rows) if (pick(row) && !found.has(row.region)) found.set(row.region, row);
    return found;
  };
  const opened = firstOpen((row) => row.breaker === 'open' || row.outcome === 'CIRCUIT_OPEN');
  const actuallyOpened = firstOpen((row) => row.actual?.breaker === 'open' || row.actual?.outcome === 'CIRCUIT_OPEN');

  const limited = new Map<string, { service: string; events: number; first_index: number }>();
  for (const row of rows) {
    if (row.outcome !== 'RATE_LIMITED') continue;
    const entry = limited.get(row.service) ?? { service: row.service, events: 0, first_index: row.index };
    entry.events += 1;
    limited.set(row.service, entry);
  }

  return {
    drill_id: input.drill_id,
    ...(input.label ? { label: input.label } : {}),
    actor: input.actor,
    config: input.candidate ? `candidate ${input.candidate.label}` : 'live',
    speed: input.speed,
    preconditions: input.preconditions,
    started_at: startedAt,
    finished_at: finishedAt,
    events: rows.length,
    outcomes,
    breaker_opened: [...opened.values()].map((row) => ({
      region: row.region,
      index: row.index,
      incident_key: row.incident_key,
      ...(typeof row.stopped_detail?.breaker === 'object'
        ? { failing_count: (row.stopped_detail.breaker as { failing_count?: number }).failing_count }
        : {}),
    })),
    actual_breaker_opened: [...actuallyOpened.values()].map((row) => ({
      region: row.region,
      index: row.index,
      incident_key: row.incident_key,
    })),
    rate_limited: [...limited.values()],
    would_act: rows
      .filter((row) => row.actions.length > 0)
      .map((row) => ({
        index: row.index,
        incident_key: row.incident_key,
        ...(row.rule ? { rule: row.rule } : {}),
        actions: row.actions,
      })),
    differences: rows
      .filter((row) => row.differs)
      .map((row) => ({
        index: row.index,
        incident_key: row.incident_key,
        drill: describe(row.outcome, row.stopped_at),
        actual: describe(row.actual?.outcome, row.actual?.stopped_at),
      })),
    rows,
  };
}
