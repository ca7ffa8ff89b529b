// `lazarus drill replay`: recorded events through a chosen configuration and the real remediate workflow in a dry run
// (POST /v1/drills, then GET /v1/drills/{id} until the report is there); `lazarus drill show <id>`.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DrillReport } from '../../api/types';
import { readConfigTree } from '../../platform/config-files';
import type { CliCommand, CliIo } from '../command';
import { apiOptionsHelp, parseApiCommandArgs, type ApiTarget } from '../command-args';
import { CliUsageError } from '../errors';
import { ApiExitCode, callApi, finish, formatTable, reportFailure } from './api-request';

/** One JSON value a line; blank lines skipped; a bad line is a usage error naming its number. */
export function parseJsonLines(text: string, file: string): unknown[] {
  const items: unknown[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      items.push(JSON.parse(line));
    } catch (error) {
      throw new CliUsageError(`${file} line ${i + 1} is not JSON: ${(error as Error).message}`);
    }
  });
  return items;
}

export function renderDrillReport(report: DrillReport): string {
  const lines = [
    `drill ${report.drill_id}${report.label ? ` (${report.label})` : ''}: ${report.events} events, config ${report.config}, ` +
      `speed ×${report.speed}, preconditions ${report.preconditions}`,
    `outcomes: ${Object.entries(report.outcomes)
      .map(([outcome, n]) => `${outcome} ${n}`)
      .join(', ')}`,
    '',
    formatTable(
      ['#', 'OFFSET', 'SERVICE', 'HOST', 'OUTCOME', 'STOPPED AT', 'WOULD RUN', 'ACTUAL', 'DIFF'],
      report.rows.map((row) => [
        String(row.index),
        `${(row.offset_ms / 1000).toFixed(1)}s`,
        row.service,
        row.host,
        row.outcome,
        row.stopped_at,
        row.actions.map((a) => a.activity).join(',') || undefined,
        row.actual
          ? `${row.actual.outcome ?? '?'}${row.actual.stopped_at ? ` at ${row.actual.stopped_at}` : ''}`
          : undefined,
        row.differs === undefined ? undefined : row.differs ? 'DIFFERS' : 'same',
      ]),
    ).trimEnd(),
    '',
  ];
  for (const opened of report.breaker_opened) {
    lines.push(`breaker would open in ${opened.region} at event #${opened.index} (${opened.incident_key})`);
  }
  for (const opened of report.actual_breaker_opened) {
    lines.push(`breaker actually opened in ${opened.region} at event #${opened.index} (${opened.incident_key})`);
  }
  if (report.breaker_opened.length === 0) lines.push('breaker would not open');
  for (const limited of report.rate_limited) {
    lines.push(`rate limited: ${limited.service}, ${limited.events} events from #${limited.first_index}`);
  }
  lines.push(`would act on ${report.would_act.length} events; ${report.differences.length} differ from what happened`);
  return `${lines.join('\n')}\n`;
}

async function waitForReport(io: CliIo, target: ApiTarget, id: string, json: boolean | undefined): Promise<number> {
  for (;;) {
    const answer = await callApi(target, 'GET', `/v1/drills/${encodeURIComponent(id)}`);
    if (answer.status !== 200) return reportFailure(io, 'drill', answer);
    const view = answer.body as {
      status: string;
      report?: DrillReport;
      progress?: { finished: number; total: number };
    };
    // --json prints the report itself (the DrillReport of contracts/drill.ts)
    if (view.report)
      return finish(io, 'drill', { ...answer, body: view.report }, json, () => renderDrillReport(view.report!));
    if (view.status !== 'RUNNING') {
      io.stderr(`lazarus drill: drill ${id} ended ${view.status} without a report\n`);
      return ApiExitCode.Rejected;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export const drillCommand: CliCommand = {
  name: 'drill',
  summary: 'replay recorded events through a configuration and the real gates in a dry run (drill replay | show)',
  help: `Usage: lazarus drill replay [events.jsonl] [--since ISO --until ISO [--region R] [--service S]]
                            [--dead-letters ID,ID|pending] [--config DIR] [--speed N]
                            [--preconditions pass|fail|recorded] [--label TEXT] [--no-wait] [options]
       lazarus drill show <drill id> [options]

Replays events through the remediate workflow's real gates with dry-run activities: no page is touched, no host is
changed, and the drill has its own governors, control, locks and quarantine (drill/<id>/...). Events come from a
JSONL file (one event, or { "event": ..., "received_at": ISO }, a line), from the remediations started in a time
range (read back from Temporal, with what actually happened), or from dead letters. --config sends a candidate
folder (rules/, profiles/, services/) instead of the live configuration. --speed 60 replays an hour in a minute
(windows shrink by the same factor). The report gives each event's outcome and first stopping gate, where the
breaker would open, rate-limited services, the actions that would have run, and the differences from what
actually happened (operator token to start, viewer to show).

Options:
  --since, --until ISO   remediations started in this range (Temporal visibility)
  --region, --service    narrow the range
  --dead-letters IDS     comma-separated dead-letter ids, or "pending"
  --config DIR           candidate configuration folder (default: the live one)
  --speed N              timing compression (default 1: the recorded gaps)
  --preconditions MODE   how the checker nodes answer: pass (default), fail, recorded (as the actual run)
  --label TEXT           what the drill is for
  --no-wait              print the drill id and return
${apiOptionsHelp}

Examples:
  lazarus drill replay burst.jsonl --speed 10
  lazarus drill replay --since 2026-11-24T00:00:00Z --until 2026-11-25T00:00:00Z --config ../candidate
  lazarus drill replay --dead-letters pending --json`,
  async run(args, io) {
    const { values, positionals, target } = parseApiCommandArgs(
      args,
      {
        since: { type: 'string' },
        until: { type: 'string' },
        region: { type: 'string' },
        service: { type: 'string' },
        'dead-letters': { type: 'string' },
        config: { type: 'string' },
        speed: { type: 'string' },
        preconditions: { type: 'string' },
        label: { type: 'string' },
        'no-wait': { type: 'boolean' },
      },
      { maxPositionals: 2 },
    );
    const [verb, argument] = positionals;
    if (verb === 'show') {
      if (!argument) throw new CliUsageError('give the drill id');
      return await waitForReport(io, target, argument, values.json);
    }
    if (verb !== 'replay') throw new CliUsageError('expected "drill replay" or "drill show <id>"');
    const body: Record<string, unknown> = {};
    if (argument) {
      const file = resolve(io.cwd, argument);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new CliUsageError(`cannot read ${argument}: ${(error as Error).message}`);
      }
      body.events = parseJsonLines(text, argument);
    }
    if (values.since) Object.assign(body, { since: values.since, ...(values.until ? { until: values.until } : {}) });
    if (values.region) body.region = values.region;
    if (values.service) body.service = values.service;
    const deadLetters = values['dead-letters'];
    if (deadLetters)
      body.dead_letters = deadLetters === 'pending' ? 'pending' : deadLetters.split(',').map((s) => s.trim());
    if (values.speed !== undefined) {
      const speed = Number(values.speed);
      if (!(speed > 0)) throw new CliUsageError('--speed must be a number above 0');
      body.speed = speed;
    }
    if (values.preconditions) body.preconditions = values.preconditions;
    if (values.label) body.label = values.label;
    if (values.config) {
      const root = resolve(io.cwd, values.config);
      body.config = { label: values.config, files: await readConfigTree(root) };
    }
    const answer = await callApi(target, 'POST', '/v1/drills', body);
    if (answer.status !== 202) return reportFailure(io, 'drill', answer);
    const receipt = answer.body as {
      drill_id: string;
      events: number;
      rejected: Array<{ source: string; field: string; problem: string }>;
    };
    for (const r of receipt.rejected) io.stderr(`lazarus drill: skipped ${r.source}: ${r.field}: ${r.problem}\n`);
    if (values['no-wait']) {
      io.stdout(
        values.json
          ? `${JSON.stringify(receipt, null, 2)}\n`
          : `drill ${receipt.drill_id} started (${receipt.events} events)\n`,
      );
      return ApiExitCode.Ok;
    }
    return await waitForReport(io, target, receipt.drill_id, values.json);
  },
};
