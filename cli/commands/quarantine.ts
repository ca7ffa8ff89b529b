// `lazarus quarantine`: the region's quarantined rules (GET /v1/quarantine) and releasing one (POST .../release).
import type { QuarantineRelease } from '../../api/types';
import type { QuarantineState } from '../../core/quarantine';
import type { CliCommand } from '../command';
import { apiOptionsHelp, parseApiCommandArgs } from '../command-args';
import { CliUsageError } from '../errors';
import { callApi, finish, formatTable, timeOf } from './api-request';

export function renderQuarantine(state: QuarantineState): string {
  const rules = Object.values(state.rules);
  const quarantined = rules.filter((r) => r.quarantine);
  const lines = [`region ${state.region}: ${quarantined.length} rule(s) quarantined (shadow until released)`];
  for (const record of quarantined) {
    const q = record.quarantine!;
    lines.push(`  ${q.rule} since ${timeOf(q.since)}: ${q.why}`);
    for (const run of q.evidence)
      lines.push(`    ${run.outcome} ${run.workflow_id}${run.host ? ` ${run.host}` : ''}: ${run.reason}`);
  }
  if (rules.length) {
    lines.push(
      '',
      formatTable(
        ['RULE', 'RECENT RUNS (oldest first)', 'QUARANTINED'],
        rules.map((r) => [
          r.rule,
          r.runs.map((run) => (run.outcome === 'REMEDIATED' ? 'ok' : run.outcome)).join(' '),
          r.quarantine ? 'yes' : 'no',
        ]),
      ).trimEnd(),
    );
  }
  return `${lines.join('\n')}\n`;
}

export const quarantineCommand: CliCommand = {
  name: 'quarantine',
  summary: 'show rules quarantined for failing too often, or release one (audited)',
  help: `Usage: lazarus quarantine [--region REGION] [options]
       lazarus quarantine release <rule> --reason TEXT [--region REGION] [options]

A rule whose runbook fails too often in a region (services/deployment.yaml quarantine:, default 3 failed runs in a
row or under 50% success over the last 10) is put in shadow there: Lazarus only notifies for it until an operator
releases it. The first form lists each rule's recent runs and quarantines (viewer token); release needs an operator
token and a reason, both recorded.

Options:
  --region REGION  default: the API's region
  --reason TEXT    why the rule is released (required with release)
${apiOptionsHelp}

Examples:
  lazarus quarantine
  lazarus quarantine release replace-unhealthy-host --reason "AMI fixed in INC-2041"`,
  async run(args, io) {
    const { values, positionals, target } = parseApiCommandArgs(
      args,
      { region: { type: 'string' }, reason: { type: 'string' } },
      { maxPositionals: 2 },
    );
    const region = values.region ? `?region=${encodeURIComponent(values.region)}` : '';
    const [verb, rule] = positionals;
    if (verb === undefined) {
      const answer = await callApi(target, 'GET', `/v1/quarantine${region}`);
      return finish(io, 'quarantine', answer, values.json, (body) => renderQuarantine(body as QuarantineState));
    }
    if (verb !== 'release' || !rule) throw new CliUsageError('expected "quarantine" or "quarantine release <rule>"');
    if (!values.reason) throw new CliUsageError('--reason is required: why the rule is released');
    const answer = await callApi(target, 'POST', `/v1/quarantine/${encodeURIComponent(rule)}/release${region}`, {
      reason: values.reason,
    });
    return finish(io, 'quarantine', answer, values.json, (body) => {
      const r = body as QuarantineRelease;
      return `released ${r.rule} in ${r.region} (${r.actor}: ${r.reason}); it was quarantined for: ${r.released.why}\n`;
    });
  },
};
