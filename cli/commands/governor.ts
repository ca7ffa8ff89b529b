// `lazarus governor`: the regional breaker and the services' rate-limit windows (GET /v1/governor).
import type { GovernorView } from '../../api/types';
import type { CliCommand } from '../command';
import { apiOptionsHelp, parseApiCommandArgs } from '../command-args';
import { callApi, finish, formatTable, timeOf } from './api-request';

function render(view: GovernorView): string {
  const lines = [
    `region ${view.region}: breaker ${view.breaker ? `${view.breaker.state}, failing: ${Object.keys(view.breaker.failing).join(', ') || 'none'}` : 'closed (no service has failed)'}`,
  ];
  const transitions = view.breaker?.transitions ?? [];
  if (transitions.length) {
    lines.push('recent transitions:');
    lines.push(
      formatTable(
        ['AT', 'TO', 'FAILING SERVICES', 'CAUSE'],
        transitions.slice(-10).map((t) => [timeOf(t.at), t.to, String(t.failing_count), t.cause]),
      ).trimEnd(),
    );
  }
  if (view.services.length) {
    lines.push(
      '',
      formatTable(
        ['SERVICE', 'EVENTS IN WINDOW', 'FAILING'],
        view.services.map((s) => [s.service, String(s.events.length), s.failing ? 'yes' : 'no']),
      ).trimEnd(),
    );
  } else {
    lines.push('no service governors');
  }
  for (const gone of view.unavailable ?? []) lines.push(`governor of ${gone.service} did not answer: ${gone.error}`);
  const quarantined = Object.values(view.quarantine?.rules ?? {}).filter((r) => r.quarantine);
  for (const record of quarantined) {
    lines.push(
      `rule ${record.rule} QUARANTINED (shadow) since ${timeOf(record.quarantine!.since)}: ${record.quarantine!.why}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export const governorCommand: CliCommand = {
  name: 'governor',
  summary: 'show the regional circuit breaker and the per-service rate-limit windows',
  help: `Usage: lazarus governor [--service A,B] [--region REGION] [options]

Shows the regional breaker (state and recent transitions) and, for each service with a running governor (or the
services named), how many events are in its rate-limit window and whether it counts as failing (viewer token).

Options:
  --service A,B    only these services
  --region REGION  default: the API's region
${apiOptionsHelp}

Examples:
  lazarus governor
  lazarus governor --service web,api --json`,
  async run(args, io) {
    const { values, target } = parseApiCommandArgs(
      args,
      { service: { type: 'string' }, region: { type: 'string' } },
      { maxPositionals: 0 },
    );
    const query = new URLSearchParams();
    if (values.service) query.set('service', values.service);
    if (values.region) query.set('region', values.region);
    const answer = await callApi(target, 'GET', `/v1/governor${query.size ? `?${query.toString()}` : ''}`);
    return finish(io, 'governor', answer, values.json, (body) => render(body as GovernorView));
  },
};
