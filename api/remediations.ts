// Reading and steering remediations through Temporal: visibility lists (search attributes the workflow keeps), the
// `status` query for the decision trace, and the pause/resume/cancel signals.
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { cancelSignal, pauseSignal, resumeSignal, statusQuery } from '../contracts/messages';
import type { RemediationStatus } from '../contracts/trace';
import { callTemporal, within, type ApiDependencies } from './dependencies';
import { InvalidRequestError } from './errors';
import type { RemediationAction, RemediationDetail, RemediationSummary, SignalReceipt } from './types';
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

function quoted(field: string, value: string): string {
  if (!/^[\w.:/@-]{1,255}$/.test(value))
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

export async function showRemediation(deps: ApiDependencies, incidentKey: string): Promise<RemediationDetail> {
  const workflowId = remediationWorkflowId(incidentKey);
  return await callTemporal(
    `remediation ${workflowId}`,
    async () => {
      const handle = deps.temporal.workflow.getHandle(workflowId);
      const info = await handle.describe();
      let trace: RemediationStatus | null = null;
      if (info.status.name === 'COMPLETED') {
        // The workflow returns its final status: read from history, no worker needed.
        trace = (await handle.result()) as RemediationStatus;
      } else if (info.status.name === 'RUNNING') {
        trace = await within(queryTimeoutMs, 'temporal', handle.query(statusQuery));
      }
      const outcome = trace?.outcome ?? info.typedSearchAttributes.get(attribute.outcome) ?? undefined;
      return {
        incident_key: incidentKey,
        workflow_id: workflowId,
        status: info.status.name,
        ...(outcome ? { outcome } : {}),
        ...(trace ? { phase: trace.phase } : {}),
        ...(trace?.reason ? { reason: trace.reason } : {}),
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
