// `lazarus killswitch status|history|on|off` (also `kill-switch`) and `lazarus shadow on|off`: the region's control
// entity, or the control realm's all-regions kill switch, through the API.
import type { ControlHistory, ControlState, SwitchChange, SwitchSetting } from '../../api/types';
import { allRegionsName } from '../../core/control';
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
  const rows = [
    ...settingRows('kill switch (all regions)', state.all_regions?.kill_switch ?? {}),
    ...settingRows('kill switch', state.kill_switch),
    ...settingRows('shadow', state.shadow),
  ];
  const name = state.region === allRegionsName ? 'all regions' : `region ${state.region}`;
  if (rows.length === 0) return `${name}: kill switch off, no shadow settings (never changed)\n`;
  return `${name}\n${formatTable(['SWITCH', 'SCOPE', 'STATE', 'BY', 'AT', 'REASON'], rows)}`;
}

function renderHistory(history: ControlHistory): string {
  const name = history.region === allRegionsName ? 'all regions' : `region ${history.region}`;
  if (history.history.length === 0) return `${name}: no change recorded\n`;
  const rows = history.history.map((c) => [
    timeOf(c.at),
    c.kind === 'shadow' ? 'shadow' : 'kill switch',
    c.scope,
    c.enabled ? 'ON' : 'off',
    c.actor,
    c.reason,
  ]);
  return (
    `${name}: ${history.history.length} of ${history.total} changes, newest first (the last ${history.kept_at_most} are kept)\n` +
    formatTable(['AT', 'SWITCH', 'SCOPE', 'STATE', 'BY', 'REASON'], rows)
  );
}

const switchOptions = {
  region: { type: 'string' },
  'all-regions': { type: 'boolean' },
  scope: { type: 'string' },
  reason: { type: 'string' },
  limit: { type: 'string' },
} as const;

function regionQuery(region: string | undefined, allRegions?: boolean): string {
  if (allRegions && region) throw new CliUsageError('give --region or --all-regions, not both');
  const name = allRegions ? allRegionsName : region;
  return name ? `?region=${encodeURIComponent(name)}` : '';
}

export const killswitchCommand: CliCommand = {
  name: 'killswitch',
  aliases: ['kill-switch'],
  summary: 'show, audit or set the kill switch (global or per category) of a region or of all regions',
  help: `Usage: lazarus killswitch status [options]
       lazarus killswitch history [--limit N] [options]
       lazarus killswitch on|off --reason TEXT [--scope SCOPE] [options]
(also: lazarus kill-switch ...)

status (viewer) shows the kill switch and shadow settings with who changed them, when and why, and the all-regions
kill switch of the control realm.
history (viewer) lists every recorded change, newest first: when, which switch and scope, on or off, who and why.
on/off (operator) sets the switch for a scope: global (default), host_replacement or autoscaling, of one region or,
with --all-regions, of every region at once. With the switch on, remediations escalate instead of acting
(KILL_SWITCH).

Options:
  --scope SCOPE    global | host_replacement | autoscaling (default global)
  --reason TEXT    why (required for on/off; recorded; at most 500 characters)
  --region REGION  default: the API's region
  --all-regions    the control realm's switch of every region
  --limit N        history: at most N changes (1-200)
${apiOptionsHelp}

Examples:
  lazarus killswitch status
  lazarus killswitch on --reason "bad deploy of the remediation code" --token dev-operator-token
  lazarus killswitch on --all-regions --scope autoscaling --reason "scaling bug, all regions"
  lazarus kill-switch history --region eu-west-1 --limit 20
  lazarus killswitch off --scope autoscaling --reason "capacity restored"`,
  async run(args, io) {
    const { values, positionals, target } = parseApiCommandArgs(args, switchOptions, { maxPositionals: 1 });
    const [action] = positionals;
    const region = regionQuery(values.region, values['all-regions']);
    const render = (body: unknown): string => renderControl(body as ControlState);
    if (action === 'status') {
      return finish(
        io,
        'killswitch status',
        await callApi(target, 'GET', `/v1/killswitch${region}`),
        values.json,
        render,
      );
    }
    if (action === 'history') {
      if (values.limit !== undefined && !/^\d+$/.test(values.limit)) {
        throw new CliUsageError('--limit: expected a whole number from 1 to 200');
      }
      const limit = values.limit ? `${region ? '&' : '?'}limit=${values.limit}` : '';
      const answer = await callApi(target, 'GET', `/v1/killswitch/history${region}${limit}`);
      return finish(io, 'killswitch history', answer, values.json, (body) => renderHistory(body as ControlHistory));
    }
    if (action === 'on' || action === 'off') {
      if (!values.reason) throw new CliUsageError('--reason is required: it is recorded with who changed the switch');
      const change: SwitchChange = { scope: values.scope ?? 'global', enabled: action === 'on', reason: values.reason };
      const answer = await callApi(target, 'PUT', `/v1/killswitch${region}`, change);
      return finish(io, `killswitch ${action}`, answer, values.json, render);
    }
    throw new CliUsageError('expected status, history, on or off');
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
    if (values['all-regions'])
      throw new CliUsageError('shadow mode is set per region: give --region, not --all-regions');
    const answer = await callApi(target, 'PUT', `/v1/shadow${regionQuery(values.region)}`, change);
    return finish(io, `shadow ${action}`, answer, values.json, (body) => renderControl(body as ControlState));
  },
};
