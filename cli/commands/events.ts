// `lazarus events list|show`: remediations from GET /v1/events and GET /v1/events/{key}.
import type { RemediationSummary as Summary } from '../../api/types';
import type { CliCommand } from '../command';
import { apiOptionsHelp, parseApiCommandArgs } from '../command-args';
import { CliUsageError } from '../errors';
import { callApi, finish, formatTable, timeOf } from './api-request';

/** GET /v1/events/{key} as the CLI reads it. */
export interface RemediationView {
  incident_key: string;
  status: string;
  outcome?: string;
  phase?: string;
  reason?: string;
  trace: {
    event: { service: string; host?: string; event_type: string };
    rule?: string;
    runbook?: string;
    shadow: boolean;
    paused?: { reason: string; actor?: string };
    gates: Array<{ gate: string; at: number; verdict: string; detail: Record<string, unknown> }>;
    steps: Array<{
      id: string;
      activity: string;
      status: string;
      attempts: Array<{ started_at?: number; ended_at?: number }>;
      error?: string;
      started_at?: number;
      ended_at?: number;
    }>;
  } | null;
}

export function renderRemediation(detail: RemediationView): string {
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
    if (trace.steps.length) {
      lines.push('', 'runbook steps:');
      lines.push(
        formatTable(
          ['STEP', 'ACTIVITY', 'STATUS', 'ATTEMPTS', 'ERROR'],
          trace.steps.map((s) => [s.id, s.activity, s.status, String(s.attempts.length), s.error]),
        ).trimEnd(),
      );
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
show: one remediation: its outcome (absent while running), status and every gate and step of its decision trace.

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
      return finish(io, 'events show', answer, values.json, (body) => renderRemediation(body as RemediationView));
    }
    throw new CliUsageError('expected "events list" or "events show INCIDENT_KEY"');
  },
};
