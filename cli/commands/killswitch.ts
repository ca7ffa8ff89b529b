// `lazarus killswitch status|on|off` and `lazarus shadow on|off`: the region's control entity through the API.
import type { ControlState, SwitchChange, SwitchSetting } from '../../api/types';
import type { CliCommand } from '../command';
import { apiOptionsHelp, parseApiCommandArgs } from '../command-args';
import { CliUsageError } from '../errors';
import { callApi, finish, formatTable, timeOf } from './api-request';

function settingRows(
  name: string,
  settings: Readonly<Record<string, SwitchSetting | undefined>>,
): Array<Array<string | undefined>> {
  return Object.entries(settings).flatMap(([scope, s]) =>
    s ? [[name, scope, s.enabled ? 'ON' : 'off', s.actor, timeOf(s.at), s.reason]] : [],
  );
}

function renderControl(state: ControlState): string {
  const rows = [...settingRows('kill switch', state.kill_switch), ...settingRows('shadow', state.shadow)];
  if (rows.length === 0) return `region ${state.region}: kill switch off, no shadow settings (never changed)\n`;
  return `region ${state.region}\n${formatTable(['SWITCH', 'SCOPE', 'STATE', 'BY', 'AT', 'REASON'], rows)}`;
}

const switchOptions = { region: { type: 'string' }, scope: { type: 'string' }, reason: { type: 'string' } } as const;

function regionQuery(region: string | undefined): string {
  return region ? `?region=${encodeURIComponent(region)}` : '';
}

export const killswitchCommand: CliCommand = {
  name: 'killswitch',
  summary: 'show or set the kill switch (global or per category) of a region',
  help: `Usage: lazarus killswitch status [options]
       lazarus killswitch on|off --reason TEXT [--scope SCOPE] [options]

status (viewer) shows the kill switch and shadow settings with who changed them, when and why.
on/off (operator) sets the switch for a scope: global (default), host_replacement or autoscaling. With the switch
on, remediations escalate instead of acting (KILL_SWITCH).

Options:
  --scope SCOPE    global | host_replacement | autoscaling (default global)
  --reason TEXT    why (required for on/off; recorded)
  --region REGION  default: the API's region
${apiOptionsHelp}

Examples:
  lazarus killswitch status
  lazarus killswitch on --reason "bad deploy of the remediation code" --token dev-operator-token
  lazarus killswitch off --scope autoscaling --reason "capacity restored"`,
  async run(args, io) {
    const { values, positionals, target } = parseApiCommandArgs(args, switchOptions, { maxPositionals: 1 });
    const [action] = positionals;
    const render = (body: unknown): string => renderControl(body as ControlState);
    if (action === 'status') {
      return finish(
        io,
        'killswitch status',
        await callApi(target, 'GET', `/v1/killswitch${regionQuery(values.region)}`),
        values.json,
        render,
      );
    }
    if (action === 'on' || action === 'off') {
      if (!values.reason) throw new CliUsageError('--reason is required: it is recorded with who changed the switch');
      const change: SwitchChange = { scope: values.scope ?? 'global', enabled: action === 'on', reason: values.reason };
      const answer = await callApi(target, 'PUT', `/v1/killswitch${regionQuery(values.region)}`, change);
      return finish(io, `killswitch ${action}`, answer, values.json, render);
    }
    throw new CliUsageError('expected status, on or off');
  },
};

export const shadowCommand: CliCommand = {
  name: 'shadow',
  summary: 'turn shadow (notification-only) mode on or off, globally or for a profile or service',
  help: `Usage: lazarus shadow on|off --reason TEXT [--scope SCOPE] [options]

In shadow mode remediations decide and record what they would have done, touching nothing (operator token).

Options:
  --scope SCOPE    global (default), profile:<name> or service:<name>
  --reason TEXT    why (required; recorded)
  --region REGION  default: the API's region
${apiOptionsHelp}

Examples:
  lazarus shadow on --scope service:web --reason "new runbook on trial"
  lazarus shadow off --reason "trial over" --json`,
  async run(args, io) {
    const { values, positionals, target } = parseApiCommandArgs(args, switchOptions);
    const [action, ...rest] = positionals;
    if (rest.length || (action !== 'on' && action !== 'off')) throw new CliUsageError('expected on or off');
    if (!values.reason) throw new CliUsageError('--reason is required: it is recorded with who changed the setting');
    const change: SwitchChange = { scope: values.scope ?? 'global', enabled: action === 'on', reason: values.reason };
    const answer = await callApi(target, 'PUT', `/v1/shadow${regionQuery(values.region)}`, change);
    return finish(io, `shadow ${action}`, answer, values.json, (body) => renderControl(body as ControlState));
  },
};
