// `lazarus pause|resume|cancel INCIDENT_KEY`: operator signals to a running remediation.
import type { RemediationAction, SignalReceipt, SignalRequest } from '../../api/types';
import type { CliCommand } from '../command';
import { apiOptionsHelp, parseApiCommandArgs } from '../command-args';
import { CliUsageError } from '../errors';
import { callApi, finish } from './api-request';

function signalCommand(action: RemediationAction, summary: string, effect: string): CliCommand {
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
      const { values, positionals, target } = parseApiCommandArgs(args, { reason: { type: 'string' } });
      if (positionals.length !== 1) throw new CliUsageError('give exactly one INCIDENT_KEY');
      const key = positionals[0];
      const request: SignalRequest = values.reason !== undefined ? { reason: values.reason } : {};
      const answer = await callApi(target, 'POST', `/v1/events/${encodeURIComponent(key)}/${action}`, request);
      return finish(io, action, answer, values.json, (body) => {
        const done = body as SignalReceipt;
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
