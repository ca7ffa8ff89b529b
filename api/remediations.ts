// Reading and steering remediations through Temporal: visibility lists (search attributes the workflow keeps), the
// `status` query for the decision trace, and the pause/resume/cancel signals.
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { cancelSignal, pauseSignal, resumeSignal, statusQuery } from '../contracts/messages';
import type { RemediationStatus } from '../contracts/trace';
import { callTemporal, within, type ApiDependencies } from './dependencies';
import { InvalidRequestError } from './errors';
import type { RemediationAction, RemediationDetail, RemediationSummary, SignalReceipt, StepsSource } from './types';
import { remediationWorkflowId } from '../contracts/workflow-ids';

// The same keys workflows/search-attributes.ts defines for the workflow; read here from visibility.
const attribute = {
  service: defineSearchAttributeKey('LazarusService', SearchAttributeType.KEYWORD),
  host: defineSearchAttributeKey('LazarusHost', SearchAttributeType.KEYWORD),
  region: defineSearchAttributeKey('LazarusRegion', SearchAttributeType.KEYWORD),
  eventType: defineSearchAttributeKey('LazarusEventType', SearchAttributeType.KEYWORD),
  rule: defineSearchAttributeKey('LazarusRule', SearchAttributeType.KEYWORD),
  outcome: defineSearchAttributeKey('LazarusOutcome', SearchAttributeType.KEYWORD),
};

export interface EventFilter {
  service?: string;
  host?: string;
  outcome?: string;
  rule?: string;
  region?: string;
  /** ISO 8601: only remediations started at or after. */
  since?: string;
  limit: number;
}

export const maxListLimit = 500;

/** A keyword value for a visibility query, checked so that it cannot change the query; else a 400 naming `field`. */
export function quoted(field: string, value: string): string {
  if (!/^[\w.:/@-]{1,200}$/.test(value))
    throw new InvalidRequestError(field, 'may hold only letters, digits and . : / @ _ -');
  return `'${value}'`;
}

/** The visibility query for a filter: `WorkflowType='remediate' AND LazarusService='web' ...`. */
export function visibilityQuery(filter: Omit<EventFilter, 'limit'>): string {
  const clauses = [`WorkflowType='remediate'`];
  const fields: Array<[keyof typeof filter, string]> = [
    ['service', 'LazarusService'],
    ['host', 'LazarusHost'],
    ['outcome', 'LazarusOutcome'],
    ['rule', 'LazarusRule'],
    ['region', 'LazarusRegion'],
  ];
  for (const [field, name] of fields) {
    const value = filter[field];
    if (value) clauses.push(`${name}=${quoted(field, value)}`);
  }
  if (filter.since) {
    const since = new Date(filter.since);
    if (Number.isNaN(since.getTime())) throw new InvalidRequestError('since', 'expected an ISO 8601 time');
    clauses.push(`StartTime >= '${since.toISOString()}'`);
  }
  return clauses.join(' AND ');
}

function summarize(info: WorkflowExecutionInfo): RemediationSummary {
  const attrs = info.typedSearchAttributes;
  const pick = (key: (typeof attribute)[keyof typeof attribute]): string | undefined => attrs.get(key) ?? undefined;
  const summary: RemediationSummary = {
    incident_key: info.workflowId.replace(/^event\//, ''),
    workflow_id: info.workflowId,
    status: info.status.name,
    started_at: info.startTime.toISOString(),
  };
  const optional: Array<[keyof RemediationSummary, string | undefined]> = [
    ['outcome', pick(attribute.outcome)],
    ['service', pick(attribute.service)],
    ['host', pick(attribute.host)],
    ['region', pick(attribute.region)],
    ['event_type', pick(attribute.eventType)],
    ['rule', pick(attribute.rule)],
    ['closed_at', info.closeTime?.toISOString()],
  ];
  for (const [key, value] of optional)
    if (value !== undefined) (summary as unknown as Record<string, string>)[key] = value;
  return summary;
}

/** Remediations matching the filter, newest first. */
export async function listRemediations(deps: ApiDependencies, filter: EventFilter): Promise<RemediationSummary[]> {
  const query = visibilityQuery(filter);
  return await callTemporal(
    'remediations',
    async () => {
      const found: RemediationSummary[] = [];
      for await (const info of deps.temporal.workflow.list({ query, pageSize: Math.min(filter.limit, 100) })) {
        found.push(summarize(info));
        if (found.length >= filter.limit) break;
      }
      return found.sort((a, b) => b.started_at.localeCompare(a.started_at));
    },
    deps.temporal,
  );
}

const queryTimeoutMs = 5000;

/** The runbook run's own status, or why it could not be read. */
type RunbookRead = { status: RemediationStatus } | { unavailable: string };

/**
 * The live status of the runbook child `runbookId` of the remediation run `parentRunId`: its steps and gates exist
 * only there until it ends. The lock id is reused by later remediations, so the run read must be this remediation's
 * child. Never fails: a closed child, another holder of the lock or a query without answer is reported instead.
 */
async function readRunbook(deps: ApiDependencies, runbookId: string, parentRunId: string): Promise<RunbookRead> {
  try {
    const info = await deps.temporal.workflow.getHandle(runbookId).describe();
    if (info.parentExecution?.runId !== parentRunId) {
      return { unavailable: `${runbookId} is not the runbook run of this remediation (the lock changed hands)` };
    }
    if (info.status.name !== 'RUNNING') {
      return { unavailable: `runbook run ${runbookId} has ended (${info.status.name})` };
    }
    const handle = deps.temporal.workflow.getHandle(runbookId, info.runId);
    return { status: await within(deps.temporal, queryTimeoutMs, () => handle.query(statusQuery)) };
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    const detail = [(error as Error).message, (cause as Error | undefined)?.message].filter(Boolean).join(': ');
    return { unavailable: `runbook run ${runbookId} did not answer: ${detail || String(error)}` };
  }
}

/**
 * The remediation's trace with the runbook run's live part: its steps replace the remediation's (empty until the run
 * ends), its gates follow the remediation's, and its pause (the kill switch holds steps there) and its phase (paused,
 * compensating) show when the remediation's own say only that the runbook runs.
 */
function withRunbook(remediation: RemediationStatus, runbook: RemediationStatus): RemediationStatus {
  const phase = remediation.phase === 'running' ? runbook.phase : remediation.phase;
  const paused = remediation.paused ?? runbook.paused;
  return {
    ...remediation,
    phase,
    ...(paused ? { paused } : {}),
    gates: [...remediation.gates, ...runbook.gates],
    steps: runbook.steps,
  };
}

export async function showRemediation(deps: ApiDependencies, incidentKey: string): Promise<RemediationDetail> {
  const workflowId = remediationWorkflowId(incidentKey);
  return await callTemporal(
    `remediation ${workflowId}`,
    async () => {
      const handle = deps.temporal.workflow.getHandle(workflowId);
      const info = await handle.describe();
      let trace: RemediationStatus | null = null;
      let stepsSource: StepsSource = 'remediation';
      let runbookUnavailable: string | undefined;
      if (info.status.name === 'COMPLETED') {
        // The workflow returns its final status: read from history, no worker needed.
        trace = (await handle.result()) as RemediationStatus;
      } else if (info.status.name === 'RUNNING') {
        trace = await within(deps.temporal, queryTimeoutMs, () => handle.query(statusQuery));
        // While the runbook runs, its steps are only in the runbook run (the remediation copies them at its end).
        if (trace.runbook_workflow_id && !trace.outcome && trace.phase !== 'done') {
          const runbook = await readRunbook(deps, trace.runbook_workflow_id, info.runId);
          if ('status' in runbook) {
            trace = withRunbook(trace, runbook.status);
            stepsSource = 'runbook';
          } else {
            runbookUnavailable = runbook.unavailable;
          }
        }
      }
      const outcome = trace?.outcome ?? info.typedSearchAttributes.get(attribute.outcome) ?? undefined;
      return {
        incident_key: incidentKey,
        workflow_id: workflowId,
        status: info.status.name,
        ...(outcome ? { outcome } : {}),
        ...(trace ? { phase: trace.phase } : {}),
        ...(trace?.reason ? { reason: trace.reason } : {}),
        steps_source: stepsSource,
        ...(runbookUnavailable ? { runbook_unavailable: runbookUnavailable } : {}),
        trace,
      };
    },
    deps.temporal,
  );
}

export async function signalRemediation(
  deps: ApiDependencies,
  incidentKey: string,
  action: RemediationAction,
  input: { reason?: string; actor: string },
): Promise<SignalReceipt> {
  const workflowId = remediationWorkflowId(incidentKey);
  await callTemporal(
    `running remediation ${workflowId}`,
    async () => {
      const handle = deps.temporal.workflow.getHandle(workflowId);
      if (action === 'pause') await handle.signal(pauseSignal, { reason: input.reason, actor: input.actor });
      else if (action === 'resume') await handle.signal(resumeSignal, { actor: input.actor });
      else await handle.signal(cancelSignal, { reason: input.reason, actor: input.actor });
    },
    deps.temporal,
  );
  return { incident_key: incidentKey, workflow_id: workflowId, action, actor: input.actor };
}
