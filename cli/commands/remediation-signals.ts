// `lazarus pause|resume|cancel INCIDENT_KEY`: operator signals to a running remediation.
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { CliUsageError } from '../errors';
import { apiOptions, apiOptionsHelp, apiTarget, callApi, finish } from './api-request';

function signalCommand(action: 'pause' | 'resume' | 'cancel', summary: string, effect: string): CliCommand {
  return {
    name: action,
    summary,
    help: `Usage: lazarus ${action} INCIDENT_KEY [--reason TEXT] [options]

${effect} (POST /v1/events/{key}/${action}; needs an operator token). The remediation records the
token's role and id as the actor, with the reason.

Options:
  --reason TEXT  why (recorded in the decision trace)
${apiOptionsHelp}

Examples:
  lazarus ${action} nagios/web-1/host/4242 --reason "looking at it" --token dev-operator-token`,
    async run(args, io) {
      const { values, positionals } = parseArgs({
        args: [...args],
        allowPositionals: true,
        options: { ...apiOptions, reason: { type: 'string' } },
      });
      if (positionals.length !== 1) throw new CliUsageError('give exactly one INCIDENT_KEY');
      const key = positionals[0];
      const answer = await callApi(
        apiTarget(values),
        'POST',
        `/v1/events/${encodeURIComponent(key)}/${action}`,
        values.reason !== undefined ? { reason: values.reason } : {},
      );
      return finish(io, action, answer, values.json, (body) => {
        const done = body as { actor: string };
        return `${action} sent to ${key} (actor ${done.actor})\n`;
      });
    },
  };
}

export const pauseCommand = signalCommand(
  'pause',
  'pause a running remediation before its next runbook step',
  'Holds the remediation before its next runbook step until resume',
);
export const resumeCommand = signalCommand('resume', 'resume a paused remediation', 'Lets a paused remediation go on');
export const cancelCommand = signalCommand(
  'cancel',
  'cancel a running remediation (compensates what was done, escalates)',
  'Cancels the remediation: completed steps are compensated and the page is escalated',
);
