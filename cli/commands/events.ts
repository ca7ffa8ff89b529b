// `lazarus events list|show`: remediations from GET /v1/events and GET /v1/events/{key}.
import type { RemediationDetail, RemediationSummary as Summary } from '../../api/types';
import type { CliCommand } from '../command';
import { apiOptionsHelp, parseApiCommandArgs } from '../command-args';
import { CliUsageError } from '../errors';
import { callApi, finish, formatTable, timeOf } from './api-request';

type Step = NonNullable<RemediationDetail['trace']>['steps'][number];

/** The step's error, else (while it waits to retry) the error of its latest failed attempt. */
function stepError(step: Step): string | undefined {
  if (step.error) return step.error;
  const failed = [...step.attempts].reverse().find((attempt) => attempt.error !== undefined);
  return failed ? `attempt ${failed.attempt}: ${failed.error}` : undefined;
}

function compensationOf(step: Step): string | undefined {
  const c = step.compensation;
  if (!c) return undefined;
  return `${c.activity} ${c.status}${c.error ? `: ${c.error}` : ''}`;
}

/** Where the steps shown come from: the runbook run while it runs, else the remediation (and why). */
function stepsHeading(detail: RemediationDetail): string {
  const runbookId = detail.trace?.runbook_workflow_id;
  if (detail.steps_source === 'runbook') return `runbook steps (live, from ${runbookId ?? 'the runbook run'}):`;
  if (detail.runbook_unavailable) return `runbook steps (from the remediation: ${detail.runbook_unavailable}):`;
  return 'runbook steps:';
}

export function renderRemediation(detail: RemediationDetail): string {
  const lines = [
    `incident   ${detail.incident_key}`,
    `status     ${detail.status}${detail.phase ? ` (${detail.phase})` : ''}`,
    `outcome    ${detail.outcome ?? '(running)'}${detail.reason ? `: ${detail.reason}` : ''}`,
  ];
  const trace = detail.trace;
  if (trace) {
    lines.push(
      `event      ${trace.event.event_type} ${trace.event.service}${trace.event.host ? ` ${trace.event.host}` : ''}`,
    );
    lines.push(
      `rule       ${trace.rule ?? '-'}${trace.runbook ? ` → runbook ${trace.runbook}` : ''}${trace.shadow ? ' (shadow)' : ''}`,
    );
    if (trace.paused)
      lines.push(`paused     ${trace.paused.reason}${trace.paused.actor ? ` by ${trace.paused.actor}` : ''}`);
    lines.push('', 'decision trace:');
    lines.push(
      formatTable(
        ['AT', 'GATE', 'VERDICT', 'DETAIL'],
        trace.gates.map((g) => [timeOf(g.at), g.gate, g.verdict, JSON.stringify(g.detail).slice(0, 100)]),
      ).trimEnd(),
    );
    if (trace.steps.length || detail.runbook_unavailable) {
      lines.push('', stepsHeading(detail));
      if (trace.steps.length) {
        lines.push(
          formatTable(
            ['STEP', 'ACTIVITY', 'STATUS', 'ATTEMPTS', 'RETRIES', 'STARTED', 'ENDED', 'ERROR', 'COMPENSATION'],
            trace.steps.map((s) => [
              s.id,
              s.activity,
              s.status,
              String(s.attempts.length),
              String(Math.max(0, s.attempts.length - 1)),
              timeOf(s.started_at),
              timeOf(s.ended_at),
              stepError(s),
              compensationOf(s),
            ]),
          ).trimEnd(),
        );
      }
      // every attempt of a step that was retried or had one fail: when it ran and how it ended
      const retried = trace.steps.filter((s) => s.attempts.length > 1 || s.attempts.some((a) => a.error));
      if (retried.length) {
        lines.push('', 'attempts:');
        lines.push(
          formatTable(
            ['STEP', 'ATTEMPT', 'STARTED', 'ENDED', 'ERROR'],
            retried.flatMap((s) =>
              s.attempts.map((a) => [
                s.id,
                String(a.attempt),
                timeOf(a.started_at),
                a.ended_at === undefined ? '(running)' : timeOf(a.ended_at),
                a.error === undefined ? undefined : `${a.error_type ? `${a.error_type}: ` : ''}${a.error}`,
              ]),
            ),
          ).trimEnd(),
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

export const eventsCommand: CliCommand = {
  name: 'events',
  summary: 'list remediations (filter by service, host, outcome, rule) or show one with its decision trace',
  help: `Usage: lazarus events list [--service S] [--host H] [--outcome O] [--rule R] [--since ISO] [--limit N] [options]
       lazarus events show INCIDENT_KEY [options]

list: remediations from Temporal visibility, newest first (GET /v1/events; viewer or operator token).
show: one remediation: its outcome (absent while running), status and every gate and step of its decision trace;
while its runbook runs, each step as it stands (status, attempts, retries, errors), read live from the runbook run.

Options:
  --service, --host, --outcome, --rule, --region   filters of list
  --since ISO    only remediations started at or after this time
  --limit N      at most N (default 50)
${apiOptionsHelp}

Examples:
  lazarus events list --service web --outcome ESCALATED
  lazarus events list --since 2026-11-22T00:00:00Z --json
  lazarus events show nagios/web-1/host/4242`,
  async run(args, io) {
    const { values, positionals, target } = parseApiCommandArgs(args, {
      service: { type: 'string' },
      host: { type: 'string' },
      outcome: { type: 'string' },
      rule: { type: 'string' },
      region: { type: 'string' },
      since: { type: 'string' },
      limit: { type: 'string' },
    });
    const [action, key, ...rest] = positionals;
    if (action === 'list' && key === undefined) {
      const query = new URLSearchParams();
      for (const name of ['service', 'host', 'outcome', 'rule', 'region', 'since', 'limit'] as const) {
        const value = values[name];
        if (value !== undefined) query.set(name, value);
      }
      const answer = await callApi(target, 'GET', `/v1/events${query.size ? `?${query.toString()}` : ''}`);
      return finish(io, 'events list', answer, values.json, (body) => {
        const events = (body as { events: Summary[] }).events;
        if (events.length === 0) return 'no remediations match\n';
        return formatTable(
          ['STARTED', 'INCIDENT', 'SERVICE', 'HOST', 'RULE', 'STATUS', 'OUTCOME'],
          events.map((e) => [e.started_at, e.incident_key, e.service, e.host, e.rule, e.status, e.outcome]),
        );
      });
    }
    if (action === 'show' && key !== undefined && rest.length === 0) {
      const answer = await callApi(target, 'GET', `/v1/events/${encodeURIComponent(key)}`);
      return finish(io, 'events show', answer, values.json, (body) => renderRemediation(body as RemediationDetail));
    }
    throw new CliUsageError('expected "events list" or "events show INCIDENT_KEY"');
  },
};
