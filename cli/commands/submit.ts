// `lazarus submit`: send an event (a JSON file, or flags) to POST /v1/events; with --wait, follow its remediation
// through GET /v1/events/{key} until it has an outcome, printing each new gate of the decision trace and each runbook
// step as it starts, retries and ends to stderr.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { resolve } from 'node:path';
import type { ApiErrorBody, RemediationDetail, SubmissionReceipt } from '../../api/types';
import { DurationFormatError, formatDuration, parseDuration } from '../../core/duration';
import type { CliCommand, CliIo } from '../command';
import { apiOptionsHelp, parseApiCommandArgs, type ApiTarget } from '../command-args';
import { CliUsageError } from '../errors';
import { ApiExitCode, callApi, finish, reportFailure } from './api-request';
import { renderRemediation } from './events';
import { remediationFinished, remediationKnown, remediationProgress } from './remediation-progress';

/** "remediation started", "remediation already started" or "on the stream, sequence N". */
export function whereSubmitted(receipt: SubmissionReceipt): string {
  if (receipt.sequence_number !== null) return `on the stream, sequence ${receipt.sequence_number}`;
  return receipt.duplicate ? 'remediation already started' : 'remediation started';
}

const pollIntervalMs = 1000;

/**
 * Read the remediation every second until Temporal closes it, writing progress to stderr. A 404 means it has not
 * started yet (the bridge reads the stream); an unreachable API is retried until the timeout.
 */
async function followRemediation(
  io: CliIo,
  target: ApiTarget,
  key: string,
  timeoutMs: number,
): Promise<{ code: number; view?: RemediationDetail }> {
  const deadline = io.now() + timeoutMs;
  const path = `/v1/events/${encodeURIComponent(key)}`;
  let last: RemediationDetail | undefined;
  let noted = '';
  const note = (text: string): void => {
    if (text !== noted) io.stderr(`  ${text}\n`);
    noted = text;
  };
  for (;;) {
    const answer = await callApi(target, 'GET', path);
    if (answer.status === 200) {
      const view = answer.body as RemediationDetail;
      for (const line of remediationProgress(last, view)) io.stderr(`  ${line}\n`);
      // a read that missed the runbook run keeps what the run had shown, so nothing is printed twice
      last = remediationKnown(last, view);
      noted = '';
      if (remediationFinished(view)) return { code: ApiExitCode.Ok, view };
    } else if (answer.status === 404) {
      note('waiting for the remediation to start');
    } else if (answer.status === 0 || answer.status === 503) {
      note(`API or Temporal unavailable, retrying (${(answer.body as Partial<ApiErrorBody>).error?.message})`);
    } else {
      const code = reportFailure(io, 'submit --wait', answer);
      if (code === ApiExitCode.Auth) io.stderr('following a remediation needs a viewer or operator token\n');
      return { code };
    }
    if (io.now() >= deadline) {
      io.stderr(
        `lazarus submit: no outcome within ${formatDuration(timeoutMs)}; it goes on: lazarus events show ${key}\n`,
      );
      return { code: ApiExitCode.Timeout, ...(last ? { view: last } : {}) };
    }
    await new Promise((done) => setTimeout(done, Math.min(pollIntervalMs, Math.max(0, deadline - io.now()))));
  }
}

export const submitCommand: CliCommand = {
  name: 'submit',
  summary: 'submit an event to the Lazarus API (from a JSON file or flags)',
  help: `Usage: lazarus submit [options] [event.json]
       lazarus submit --service SVC --type TYPE [--host ID] [options]

Sends the event to POST /v1/events (needs a sensor or operator token). The API validates it (a schema error names
the field), puts it on the event stream and answers with the incident key and the stream's sequence number.

Options:
  --service NAME       service of the event
  --type TYPE          event type: NagiosHostAlarm, HealthcheckDown, AWSScheduledEvent, ScaleUp, ScaleDown, ...
  --host ID            instance id (absent for service-level events)
  --region REGION      default $AWS_REGION, else us-east-1
  --environment ENV    dev, stage or prod (default prod)
  --key KEY            incident key (default cli/<random>)
  --state-type TYPE    HARD or SOFT
  --details JSON       details object, e.g. '{"reason":"load"}'
  --wait               follow the remediation until it has an outcome: each new gate of its decision trace, and
                       each runbook step as it starts, retries (with the failed attempt's error), ends and is
                       compensated, is printed to stderr, the outcome and trace to stdout (needs an operator
                       token: a sensor token may submit but not read)
  --timeout DURATION   with --wait: give up waiting after this long (default 10m; e.g. 90s, 30m)
${apiOptionsHelp}
With --wait, exit status 6 means the remediation had no outcome before --timeout (it goes on).

Examples:
  lazarus submit event.json
  lazarus submit --service web --type HealthcheckDown --host i-0abc1234def567890 --token dev-sensor-token
  LAZARUS_API_TOKEN=dev-sensor-token lazarus submit --service web --type ScaleUp --details '{"delta":2,"reason":"load"}'
  lazarus submit --service web --type HealthcheckDown --host i-0abc1234def567890 --wait --timeout 5m \\
    --token dev-operator-token`,
  async run(args, io) {
    const { values, positionals, target } = parseApiCommandArgs(args, {
      service: { type: 'string' },
      type: { type: 'string' },
      host: { type: 'string' },
      region: { type: 'string' },
      environment: { type: 'string' },
      key: { type: 'string' },
      'state-type': { type: 'string' },
      details: { type: 'string' },
      wait: { type: 'boolean' },
      timeout: { type: 'string' },
    });
    if (values.timeout !== undefined && !values.wait) throw new CliUsageError('--timeout goes with --wait');
    let timeoutMs = 10 * 60_000;
    if (values.timeout !== undefined) {
      try {
        timeoutMs = parseDuration(values.timeout);
      } catch (error) {
        if (error instanceof DurationFormatError) throw new CliUsageError(`--timeout: ${error.message}`);
        throw error;
      }
    }
    let event: unknown;
    if (positionals.length > 1) throw new CliUsageError('give at most one event file');
    if (positionals.length === 1) {
      const path = resolve(io.cwd, positionals[0]);
      try {
        event = JSON.parse(fs.readFileSync(path, 'utf8'));
      } catch (error) {
        throw new CliUsageError(`cannot read ${path}: ${(error as Error).message}`);
      }
    } else {
      if (!values.service || !values.type) throw new CliUsageError('give an event file, or --service and --type');
      let details: unknown;
      if (values.details !== undefined) {
        try {
          details = JSON.parse(values.details);
        } catch (error) {
          throw new CliUsageError(`--details is not JSON: ${(error as Error).message}`);
        }
      }
      event = {
        incident_key: values.key ?? `cli/${randomUUID()}`,
        event_type: values.type,
        source: 'cli',
        service: values.service,
        ...(values.host ? { host: values.host } : {}),
        region: values.region ?? process.env.AWS_REGION ?? 'us-east-1',
        environment: values.environment ?? 'prod',
        occurred_at: new Date(io.now()).toISOString(),
        ...(values['state-type'] ? { host_state_type: values['state-type'] } : {}),
        ...(details !== undefined ? { details } : {}),
      };
    }
    const answer = await callApi(target, 'POST', '/v1/events', event);
    if (!values.wait) {
      return finish(io, 'submit', answer, values.json, (body) => {
        const receipt = body as SubmissionReceipt;
        return `accepted ${receipt.incident_key}: ${whereSubmitted(receipt)}\nfollow it: lazarus events show ${receipt.incident_key}\n`;
      });
    }
    if (answer.status < 200 || answer.status >= 300) return reportFailure(io, 'submit', answer);
    const receipt = answer.body as SubmissionReceipt;
    io.stderr(`accepted ${receipt.incident_key}: ${whereSubmitted(receipt)}; waiting for its outcome\n`);
    const followed = await followRemediation(io, target, receipt.incident_key, timeoutMs);
    if (followed.code !== ApiExitCode.Ok && followed.code !== ApiExitCode.Timeout) return followed.code;
    if (values.json) {
      io.stdout(`${JSON.stringify({ submission: receipt, remediation: followed.view ?? null }, null, 2)}\n`);
    } else if (followed.view) {
      io.stdout(renderRemediation(followed.view));
    }
    return followed.code;
  },
};
