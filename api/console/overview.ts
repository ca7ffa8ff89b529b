// The console's own reads, which the REST routes do not answer in one call: per-outcome counts of a filtered list,
// decisions per minute by outcome with the breaker's transitions, and every region's controls and governors at once.
// All of it comes from Temporal (visibility and entity queries), through the same helpers the REST routes use.
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { allOutcomes } from '../../core/outcome';
import type { ControlState } from '../../core/control';
import type { QuarantineState } from '../../core/quarantine';
import type { RegionalGovernorState, ServiceGovernorState } from '../../contracts/messages';
import { readBreaker, readControl, readServiceGovernors } from '../controls';
import { callTemporal, type ApiDependencies } from '../dependencies';
import { ApiError, InvalidRequestError } from '../errors';
import { readQuarantine } from '../quarantine';
import { visibilityQuery, type EventFilter } from '../remediations';

const outcomeKey = defineSearchAttributeKey('LazarusOutcome', SearchAttributeType.KEYWORD);

export interface OutcomeCounts {
  /** Remediations matching the filter. */
  total: number;
  /** Of those, still running (no outcome yet). */
  running: number;
  /** Outcome name → how many; every outcome is present (0 when none). */
  outcomes: Record<string, number>;
}

/** Counts of the remediations a filter matches (the list's own filter, without its limit). */
export async function countOutcomes(
  deps: ApiDependencies,
  filter: Omit<EventFilter, 'limit' | 'outcome'>,
): Promise<OutcomeCounts> {
  const base = visibilityQuery(filter);
  return await callTemporal(
    'remediation counts',
    async () => {
      const count = async (query: string): Promise<number> => (await deps.temporal.workflow.count(query)).count;
      const [total, running, ...perOutcome] = await Promise.all([
        count(base),
        count(`${base} AND ExecutionStatus='Running'`),
        ...allOutcomes.map((outcome) => count(`${base} AND LazarusOutcome='${outcome}'`)),
      ]);
      return {
        total,
        running,
        outcomes: Object.fromEntries(allOutcomes.map((outcome, i) => [outcome, perOutcome[i]])),
      };
    },
    deps.temporal,
  );
}

export interface DecisionBucket {
  /** Start of the minute (epoch ms). */
  at: number;
  /** Outcome (or RUNNING) → remediations started in that minute. */
  counts: Record<string, number>;
}

export interface DecisionChart {
  since: number;
  until: number;
  bucket_ms: number;
  buckets: DecisionBucket[];
  /** More remediations started in the window than were read: the chart shows the newest `read`. */
  truncated: boolean;
  read: number;
  transitions: Array<{ region: string; to: string; at: number; failing_count: number; cause: string }>;
  /** Regions whose breaker could not be read (their transitions are missing from the chart). */
  unavailable: Array<{ region: string; error: string }>;
}

export const maxChartHours = 24;
export const maxChartRemediations = 5000;
const bucketMs = 60_000;

/** Decisions per minute by outcome over the last `hours`, with the breaker transitions of the regions shown. */
export async function decisionChart(
  deps: ApiDependencies,
  options: { regions: readonly string[]; region?: string; hours: number; now?: number },
): Promise<DecisionChart> {
  if (!(options.hours > 0 && options.hours <= maxChartHours)) {
    throw new InvalidRequestError('hours', `expected a number of hours above 0, at most ${maxChartHours}`);
  }
  const until = options.now ?? Date.now();
  const since = Math.floor((until - options.hours * 3_600_000) / bucketMs) * bucketMs;
  const query = visibilityQuery({
    ...(options.region ? { region: options.region } : {}),
    since: new Date(since).toISOString(),
  });
  const buckets = new Map<number, Record<string, number>>();
  for (let at = since; at <= until; at += bucketMs) buckets.set(at, {});
  const { read, truncated } = await callTemporal(
    'remediations',
    async () => {
      let count = 0;
      for await (const info of deps.temporal.workflow.list({ query, pageSize: 1000 })) {
        if (count >= maxChartRemediations) return { read: count, truncated: true };
        count += 1;
        const at = Math.floor(info.startTime.getTime() / bucketMs) * bucketMs;
        const bucket = buckets.get(at);
        if (!bucket) continue;
        const outcome =
          info.typedSearchAttributes.get(outcomeKey) ?? (info.status.name === 'RUNNING' ? 'RUNNING' : info.status.name);
        bucket[outcome] = (bucket[outcome] ?? 0) + 1;
      }
      return { read: count, truncated: false };
    },
    deps.temporal,
  );
  const shown = options.region ? [options.region] : options.regions;
  const transitions: DecisionChart['transitions'] = [];
  const unavailable: DecisionChart['unavailable'] = [];
  await Promise.all(
    shown.map(async (region) => {
      try {
        const breaker = await readBreaker(deps, region, { deadlineMs: 4000 });
        for (const t of breaker?.transitions ?? []) if (t.at >= since) transitions.push({ region, ...t });
      } catch (error) {
        unavailable.push({ region, error: error instanceof Error ? error.message : String(error) });
      }
    }),
  );
  transitions.sort((a, b) => a.at - b.at);
  return {
    since,
    until,
    bucket_ms: bucketMs,
    buckets: [...buckets].map(([at, counts]) => ({ at, counts })),
    truncated,
    read,
    transitions,
    unavailable,
  };
}

export interface RegionOverview {
  region: string;
  control?: ControlState;
  breaker?: RegionalGovernorState | null;
  /** The region's rules with their recent runbook runs, quarantines (with their evidence) and releases. */
  quarantine?: QuarantineState;
  /** Services of this region with a running governor: their rate-limit windows and whether they fail. */
  services: ServiceGovernorState[];
  /** What could not be read (Temporal unreachable, no answer): the rest is shown. */
  errors: string[];
}

const maxGovernorsRead = 200;
/** Kill switch and shadow (the control), breaker, rule quarantine. */
const readsPerRegion = 3;

function problem(what: string, error: unknown): string {
  return `${what}: ${error instanceof ApiError || error instanceof Error ? error.message : String(error)}`;
}

/**
 * Each region's kill switch, shadow scopes, breaker, rule quarantine and services, read at once; one region's failure does not hide
 * the others. When nothing at all could be read (Temporal unreachable), the first failure is thrown (503), so the page
 * keeps what it last showed and says Temporal is unreachable instead of blanking every card.
 */
export async function regionOverviews(
  deps: ApiDependencies,
  regions: readonly string[],
): Promise<{ regions: RegionOverview[] }> {
  const failures: unknown[] = [];
  const read = <T>(promise: Promise<T>, what: string, errors: string[]): Promise<T | undefined> =>
    promise.catch((error: unknown) => {
      failures.push(error);
      errors.push(problem(what, error));
      return undefined;
    });
  const servicesErrors: string[] = [];
  const [governors, ...perRegion] = await Promise.all([
    read(
      readServiceGovernors(deps, { max: maxGovernorsRead, queryTimeoutMs: 4000 }),
      'service governors',
      servicesErrors,
    ),
    ...regions.map(async (region) => {
      const errors: string[] = [];
      const [control, breaker, quarantine] = await Promise.all([
        read(readControl(deps, region), 'kill switch', errors),
        read(readBreaker(deps, region), 'breaker', errors),
        read(readQuarantine(deps, region), 'rule quarantine', errors),
      ]);
      return { region, control, breaker, quarantine, errors };
    }),
  ]);
  if (failures.length === 1 + readsPerRegion * regions.length) throw failures[0];
  return {
    regions: perRegion.map(({ region, control, breaker, quarantine, errors }) => ({
      region,
      ...(control ? { control } : {}),
      ...(breaker !== undefined ? { breaker } : {}),
      ...(quarantine ? { quarantine } : {}),
      services: (governors?.states ?? []).filter((s) => (s.region ?? deps.region) === region),
      errors: [
        ...servicesErrors,
        ...(governors?.unavailable ?? [])
          .filter((g) => (g.region ?? deps.region) === region)
          .map((g) => `governor of ${g.service}: ${g.error}`),
        ...errors,
      ],
    })),
  };
}
