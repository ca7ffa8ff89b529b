// What the Temporal Web UI shows of each Lazarus workflow without opening a payload (Temporal's user metadata): a
// one-line summary and details fixed at start, current details as it runs, a summary on each runbook activity. Pure
// text from facts Lazarus already holds, shared by the starters (ingest, activities) and the workflows.
import type { LazarusEvent } from '../core/event';
import type { ControlState } from '../core/control';
import type { RegionalBreaker } from '../core/governor';
import type { RemediationStatus, StepRecord } from './trace';

/** Temporal shows a summary on one line: keep it short. */
const maxSummary = 200;

function clip(text: string, max = maxSummary): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** `HealthcheckDown on i-0abc (web, us-east-1)`. */
export function remediationSummary(event: LazarusEvent): string {
  const target = event.host
    ? `${event.host} (${event.service}, ${event.region})`
    : `${event.service} (${event.region})`;
  return clip(`${event.event_type} on ${target}`);
}

export function remediationDetails(event: LazarusEvent): string {
  return [
    `**incident** ${event.incident_key}`,
    `**service** ${event.service}${event.host ? ` · **host** ${event.host}` : ''} · **region** ${event.region}`,
    `**reported by** ${event.source} at ${event.occurred_at} (${event.environment})`,
  ].join('\n');
}

/** Where a remediation is now: its phase and last gate, then its outcome and reason once decided. */
export function remediationProgress(status: RemediationStatus): string {
  if (status.outcome) return clip(`${status.outcome}: ${status.reason ?? ''}`, 400);
  const last = status.gates[status.gates.length - 1];
  const gate = last ? `; last gate ${last.gate} ${last.verdict}` : '';
  const paused = status.paused ? ` (paused: ${status.paused.reason})` : '';
  return clip(`${status.phase}${paused}${gate}${status.rule ? ` · rule ${status.rule}` : ''}`, 400);
}

/** The runbook run (its workflow id is the lock): `replace_host on i-0abc, holding lock/host/i-0abc`. */
export function runbookSummary(runbook: string, event: LazarusEvent, lockKey: string): string {
  return clip(`${runbook} on ${event.host ?? event.service}, holding ${lockKey}`);
}

export function runbookDetails(
  steps: ReadonlyArray<{ id: string; activity: string }>,
  event: LazarusEvent,
  remediationId: string,
): string {
  return [
    `**for** ${remediationId} (${event.event_type}, ${event.service}, ${event.region})`,
    `**steps** ${steps.map((s) => `${s.id} (${s.activity})`).join(' → ')}`,
  ].join('\n');
}

/** The runbook's steps now: `clone running (attempt 2) · done: drain`. */
export function runbookProgress(steps: readonly StepRecord[], phase: string): string {
  const running = steps.filter((s) => s.status === 'running');
  const done = steps.filter((s) => s.status === 'succeeded').map((s) => s.id);
  const failed = steps
    .filter((s) => s.status === 'failed' || s.status === 'cancelled')
    .map((s) => `${s.id} ${s.status}`);
  const parts = [
    ...running.map((s) => `${s.id} running${s.attempts.length > 1 ? ` (attempt ${s.attempts.length})` : ''}`),
    ...(done.length ? [`done: ${done.join(', ')}`] : []),
    ...failed,
  ];
  return clip(`${phase}${parts.length ? ` · ${parts.join(' · ')}` : ''}`, 400);
}

function field(input: unknown, ...names: string[]): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  for (const name of names) {
    const value = (input as Record<string, unknown>)[name];
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    if (Array.isArray(value)) return `${value.length}`;
  }
  return undefined;
}

/**
 * One runbook activity in words, from its input and what an earlier attempt reported: `drain i-0abc from 2 target
 * groups`, `launch a replacement for i-0abc`. Unknown activities read as `<activity> <instance>`.
 */
export function stepSummary(stepId: string, activity: string, input: unknown, progress?: unknown): string {
  const host = field(input, 'instanceId', 'host') ?? '';
  const groups = field(progress, 'targetGroupArns', 'target_groups', 'drained') ?? field(input, 'targetGroupArns');
  const groupsText = groups ? `${groups} target group${groups === '1' ? '' : 's'}` : 'its target groups';
  const count = field(input, 'count', 'delta');
  const verbs: Record<string, string> = {
    drainHost: `drain ${host} from ${groupsText}`,
    restoreHost: `put ${host} back in its target groups`,
    cloneHost: `launch a replacement for ${host}`,
    terminateHost: `terminate ${host}`,
    waitHealthy: `wait until ${host} is healthy`,
    registerHost: `register ${host} in ${groupsText}`,
    deregisterHost: `deregister ${host} from the target groups`,
    keepForensics: `stop ${host} and keep it for forensics`,
    promoteStandby: `promote a standby for ${host}`,
    launchFromTemplate: `launch ${count ?? 'new'} hosts from the launch template`,
    drainHosts: `drain ${count ?? 'the chosen'} hosts`,
    retireHosts: `retire ${count ?? 'the chosen'} hosts`,
  };
  return clip(`${stepId}: ${verbs[activity] ?? `${activity}${host ? ` ${host}` : ''}`}`);
}

export function serviceGovernorDetails(state: {
  service: string;
  region?: string;
  failing: boolean;
  events: readonly unknown[];
  counted: number;
}): string {
  return clip(
    `${state.service}${state.region ? ` (${state.region})` : ''}: ${state.failing ? 'failing' : 'healthy'}, ` +
      `${state.events.length} events in the window, ${state.counted} counted since start`,
    400,
  );
}

export function regionalGovernorDetails(region: string, breaker: RegionalBreaker): string {
  const failing = Object.keys(breaker.failing);
  return clip(
    `breaker ${breaker.state} in ${region}; ${failing.length} failing service${failing.length === 1 ? '' : 's'}` +
      `${failing.length ? `: ${failing.join(', ')}` : ''}`,
    400,
  );
}

export function controlDetails(state: ControlState): string {
  const on = Object.entries(state.kill_switch)
    .filter(([, s]) => s?.enabled)
    .map(([scope, s]) => `${scope} (${s.actor}: ${s.reason})`);
  const shadow = Object.entries(state.shadow)
    .filter(([, s]) => s.enabled)
    .map(([scope]) => scope);
  return clip(
    `kill switch ${on.length ? `ON for ${on.join(', ')}` : 'off'}; shadow ${shadow.length ? shadow.join(', ') : 'off'}`,
    400,
  );
}

export const entitySummaries = {
  serviceGovernor: (service: string): string => `Rate limit and failing state of service ${service}`,
  regionalGovernor: (region: string): string => `Circuit breaker of region ${region}`,
  control: (region: string): string => `Kill switch and shadow mode of region ${region}`,
};

/**
 * The summary on each call a remediation makes besides its runbook steps (the Web UI shows it on the activity, or on
 * a local activity's marker): the page changes and notifications, the configuration lookup, the entity calls.
 */
export const activitySummaries = {
  ruleLookup: (): string => 'match the event to a rule in the configuration snapshot',
  readControl: (region: string): string => clip(`read the kill switch and shadow of ${region}`),
  admit: (service: string, region: string): string => clip(`admit ${service} in ${region}: rate limit and breaker`),
  follow: (leader: string, incidentKey: string): string => clip(`follow ${leader} with page ${incidentKey}`),
  claim: (lockId: string): string => clip(`claim ${lockId} and read the breaker again`),
  release: (lockId: string): string => clip(`release ${lockId}`),
  acknowledge: (incidentKey: string): string => clip(`acknowledge page ${incidentKey}`),
  page: (change: 'escalate' | 'resolve', incidentKey: string): string => clip(`${change} page ${incidentKey}`),
  notify: (kind: string, service: string): string => clip(`notify the team of ${service}: ${kind.replace(/_/g, ' ')}`),
  readQuarantine: (rule: string, region: string): string => clip(`read the quarantine of rule ${rule} in ${region}`),
  recordRuleRun: (rule: string, outcome: string): string => clip(`record ${outcome} for rule ${rule}`),
  replacementsInProgress: (service: string): string => clip(`look for host replacements running in ${service}`),
  recordScaling: (service: string): string => clip(`start the scaling cooldown of ${service}`),
};
