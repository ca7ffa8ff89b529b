// `lazarus submit`: send an event (a JSON file, or flags) to POST /v1/events.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { CliUsageError } from '../errors';
import { apiOptions, apiOptionsHelp, apiTarget, callApi, finish } from './api-request';

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
${apiOptionsHelp}

Examples:
  lazarus submit event.json
  lazarus submit --service web --type HealthcheckDown --host i-0abc1234def567890 --token dev-sensor-token
  LAZARUS_API_TOKEN=dev-sensor-token lazarus submit --service web --type ScaleUp --details '{"delta":2,"reason":"load"}'`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        ...apiOptions,
        service: { type: 'string' },
        type: { type: 'string' },
        host: { type: 'string' },
        region: { type: 'string' },
        environment: { type: 'string' },
        key: { type: 'string' },
        'state-type': { type: 'string' },
        details: { type: 'string' },
      },
    });
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
    const answer = await callApi(apiTarget(values), 'POST', '/v1/events', event);
    return finish(io, 'submit', answer, values.json, (body) => {
      const receipt = body as { incident_key: string; sequence_number: string | null; duplicate?: boolean };
      const where =
        receipt.sequence_number === null
          ? receipt.duplicate
            ? 'remediation already started'
            : 'remediation started'
          : `on the stream, sequence ${receipt.sequence_number}`;
      return `accepted ${receipt.incident_key}: ${where}\nfollow it: lazarus events show ${receipt.incident_key}\n`;
    });
  },
};
