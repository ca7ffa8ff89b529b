// `lazarus explain`: which rule handles an event and why the others do not, and what would run.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readConfigTree } from '../../platform/config-files';
import { snapshotVersion } from '../../platform/content-hash';
import {
  formatDuration,
  resolveReferences,
  UnresolvableReferenceError,
  type MatchResult,
  type ResolvedStep,
  type StepInput,
} from '../../core';
import { buildSnapshot, formatConfigIssue, matchEvent, validateEvent } from '../../core/config';
import { ExitCode, type CliCommand, type CliIo } from '../command';
import { parseCommandArgs } from '../command-args';
import { defaultConfigRoot } from '../config-root';
import { CliUsageError } from '../errors';
import { explainVendorPayload, renderVendorOutcome } from './explain-vendor';

export const explainCommand: CliCommand = {
  name: 'explain',
  summary: 'show which rule matches an event and why the others do not, and the runbook it would run',
  help: `Usage: lazarus explain [options] <event.json>
       lazarus explain [options] --service <name> --event-type <type> [--host <id>] [...]
       lazarus explain [options] --from datadog|nagios|aws <payload>

Matches the event against the configuration and prints: the service and its profile, every candidate rule in
matching order (most specific first, then profile order) with the verdict on each criterion, the resolved
preconditions with their parameters, and the runbook steps with their inputs (event fields and parameters
resolved; outputs of earlier steps and the remediation id shown as written), timeouts and retries.
With --from, the file is a vendor payload as the vendor sends it (JSON, form fields, or a pagerduty_nagios.pl
queue file of key=value lines); it is mapped the way POST /v1/sensors/<vendor> maps it (services/sensors.yaml,
EC2 lookups through LAZARUS_AWS_ENDPOINT / AWS_REGION unless --offline; SNS signatures are not checked) and
each event it maps to is explained; otherwise it says why it maps to none (ignored, or the dead-letter reason).
Exit status 0 when explained (matched or not, or ignored), 1 when the configuration or the event is invalid or
the payload maps to no event, 2 on bad arguments.

Options:
  --service <name>            event fields, instead of an event file
  --event-type <type>         (default NagiosHostAlarm)
  --host <instance id>
  --environment <env>         dev, stage or prod (default prod)
  --region <region>           (default: the deployment's region)
  --host-state-type <type>    HARD or SOFT (default HARD for NagiosHostAlarm)
  --details <json>            the event's details, e.g. '{"delta":2}'
  --config <dir>              folder with rules/, profiles/, services/ (default: found from the working directory)
  --from <vendor>             datadog, nagios or aws: the file is that vendor's payload
  --query <k=v&...>           with --from: the webhook URL's query (service=, environment=, region=)
  --token-id <8 hex>          with --from: the sensor token whose defaults apply (services/sensors.yaml)
  --content-type <type>       with --from: default JSON if it parses, else form fields
  --offline                   with --from: do not look instances up in EC2
  --json                      print the match result and the resolved steps as JSON
  -h, --help

Examples:
  lazarus explain event.json
  lazarus explain --service web --host i-0123456789abcdef0 --event-type NagiosHostAlarm
  lazarus explain --service web --event-type ScaleUp --details '{"delta":2}' --json
  lazarus explain --from datadog test/fixtures/vendors/datadog/default-payload-triggered.json`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      service: { type: 'string' },
      'event-type': { type: 'string' },
      host: { type: 'string' },
      environment: { type: 'string' },
      region: { type: 'string' },
      'host-state-type': { type: 'string' },
      details: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean' },
      from: { type: 'string' },
      query: { type: 'string' },
      'token-id': { type: 'string' },
      'content-type': { type: 'string' },
      offline: { type: 'boolean' },
    });
    if (positionals.length > 1) {
      throw new CliUsageError('give one event file, or event flags');
    }
    if (values.from !== undefined && positionals.length !== 1) {
      throw new CliUsageError('--from needs one payload file');
    }
    if (positionals.length === 0 && values.service === undefined) {
      throw new CliUsageError('give an event file, or at least --service');
    }
    const root = values.config === undefined ? defaultConfigRoot(io.cwd) : resolve(io.cwd, values.config);
    const built = buildSnapshot(await readConfigTree(root), { hashContent: snapshotVersion });
    if (built.errors) {
      io.stderr(`the configuration under ${root} is invalid:\n${built.errors.map(formatConfigIssue).join('\n')}\n`);
      return ExitCode.Failed;
    }
    const { snapshot } = built;
    if (values.from !== undefined) {
      const { outcome, mappingFile } = await explainVendorPayload({
        sensor: values.from,
        file: positionals[0],
        root,
        cwd: io.cwd,
        now: io.now(),
        fallbackRegion: snapshot.deployment.region,
        ...(values['content-type'] ? { contentType: values['content-type'] } : {}),
        ...(values.query ? { query: values.query } : {}),
        ...(values['token-id'] ? { tokenId: values['token-id'] } : {}),
        ...(values.offline ? { offline: true } : {}),
      });
      const explained =
        outcome.kind === 'events'
          ? outcome.events.map((event) => {
              const result = matchEvent(snapshot, event);
              return { result, steps: result.rule ? explainSteps(result) : [] };
            })
          : [];
      if (values.json) {
        io.stdout(
          `${JSON.stringify({ outcome, matches: explained.map(({ result, steps }) => ({ ...result, resolved_steps: steps })) }, null, 2)}\n`,
        );
      } else {
        io.stdout(renderVendorOutcome(outcome, values.from, mappingFile));
        for (const { result, steps } of explained) io.stdout(`\n${renderExplanation(result, steps, root)}`);
      }
      return outcome.kind === 'unusable' ? ExitCode.Failed : ExitCode.Ok;
    }

    let candidate: unknown;
    const [eventFile] = positionals;
    if (eventFile !== undefined) {
      try {
        candidate = JSON.parse(await readFile(resolve(io.cwd, eventFile), 'utf8'));
      } catch (error) {
        throw new CliUsageError(`cannot read ${eventFile}: ${(error as Error).message}`);
      }
    } else {
      candidate = eventFromFlags(values, snapshot.deployment.region, io);
    }
    const validation = validateEvent(candidate);
    if (!validation.ok) {
      io.stderr(
        `invalid event:\n${validation.errors.map((error) => `  ${error.path}: ${error.message}`).join('\n')}\n`,
      );
      return ExitCode.Failed;
    }
    const result = matchEvent(snapshot, validation.event);
    const steps = result.rule ? explainSteps(result) : [];
    if (values.json) {
      io.stdout(`${JSON.stringify({ ...result, resolved_steps: steps }, null, 2)}\n`);
    } else {
      io.stdout(renderExplanation(result, steps, root));
    }
    return ExitCode.Ok;
  },
};

function eventFromFlags(values: Record<string, string | boolean | undefined>, region: string, io: CliIo): unknown {
  const text = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const eventType = text('event-type') ?? 'NagiosHostAlarm';
  const host = text('host');
  const service = text('service') ?? '';
  let details: unknown;
  const detailsText = text('details');
  if (detailsText !== undefined) {
    try {
      details = JSON.parse(detailsText);
    } catch (error) {
      throw new CliUsageError(`--details is not JSON: ${(error as Error).message}`);
    }
  }
  const hostStateType = text('host-state-type') ?? (eventType === 'NagiosHostAlarm' ? 'HARD' : undefined);
  return {
    incident_key: `explain/${service}/${host ?? eventType}`,
    event_type: eventType,
    source: 'cli',
    service,
    ...(host === undefined ? {} : { host }),
    region: text('region') ?? region,
    environment: text('environment') ?? 'prod',
    occurred_at: new Date(io.now()).toISOString(),
    ...(hostStateType === undefined ? {} : { host_state_type: hostStateType }),
    ...(details === undefined ? {} : { details }),
  };
}

/** A step as explain shows it: inputs with event and parameter references resolved. */
export interface ExplainedStep extends Omit<ResolvedStep, 'input' | 'compensate'> {
  input: StepInput;
  compensate?: { activity: string; input: StepInput };
  /** References that the event or the parameters cannot satisfy: the step would fail at run time. */
  unresolved: string[];
}

function resolveInput(input: StepInput, result: MatchResult, unresolved: string[]): StepInput {
  const ctx = {
    event: result.event,
    params: result.service?.params ?? {},
    steps: {},
    remediation: { id: '' },
  };
  const resolved: StepInput = {};
  for (const [key, value] of Object.entries(input)) {
    try {
      resolved[key] = resolveReferences(value, ctx, { keep: ['steps', 'remediation'] });
    } catch (error) {
      if (!(error instanceof UnresolvableReferenceError)) {
        throw error;
      }
      unresolved.push(error.message);
      resolved[key] = value;
    }
  }
  return resolved;
}

function explainSteps(result: MatchResult): ExplainedStep[] {
  return (result.rule?.runbook.steps ?? []).map((step) => {
    const unresolved: string[] = [];
    const input = resolveInput(step.input, result, unresolved);
    const compensate = step.compensate
      ? { activity: step.compensate.activity, input: resolveInput(step.compensate.input, result, unresolved) }
      : undefined;
    return { ...step, input, ...(compensate ? { compensate } : {}), unresolved };
  });
}

function renderExplanation(result: MatchResult, steps: ExplainedStep[], root: string): string {
  const { event, service, rule, deployment } = result;
  const lines: string[] = [];
  lines.push(
    `Event: ${event.event_type} for service ${event.service}${event.host ? `, host ${event.host}` : ''} ` +
      `(${event.environment}, ${event.region}${event.host_state_type ? `, ${event.host_state_type}` : ''})`,
  );
  lines.push(`Configuration: ${root} (version ${result.snapshot_version})`);
  if (service) {
    lines.push(
      `Service: ${service.service} (team ${service.team}, profile ${service.profile})` +
        `${service.shadow || deployment.shadow ? ' [shadow: notifies only]' : ''}`,
    );
  }
  lines.push('', 'Rules, in matching order:');
  for (const explanation of result.explanations) {
    lines.push(`  ${explanation.matched ? 'MATCH' : 'no   '} ${explanation.rule}`);
    for (const reason of explanation.reasons) {
      lines.push(`          ${reason}`);
    }
  }
  if (!rule) {
    lines.push('', 'No rule matches: the event would be escalated to on-call (outcome NO_RULE).');
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    '',
    `Rule ${rule.name} → runbook ${rule.runbook.name}: lock ${rule.lock}, kill-switch category ${rule.category}, ` +
      `notify ${rule.notification_group}`,
  );
  if (service) {
    lines.push(
      `Guards: events older than ${formatDuration(service.max_event_age_ms)} are stale; at most ` +
        `${service.rate_limit.threshold} remediations per ${formatDuration(service.rate_limit.window_ms)}`,
    );
  }
  lines.push(
    '',
    `Preconditions (${deployment.quorum} of ${deployment.checker_nodes.length} checker nodes within ` +
      `${formatDuration(deployment.quorum_deadline_ms)}):`,
  );
  for (const precondition of rule.preconditions) {
    const params = Object.entries(precondition.params).map(([key, value]) => `${key}=${String(value)}`);
    lines.push(`  ${precondition.check}${params.length > 0 ? `  ${params.join(' ')}` : ''}`);
  }
  if (rule.preconditions.length === 0) {
    lines.push('  (none)');
  }
  lines.push(
    '',
    `Runbook ${rule.runbook.name} (workflow timeout ${formatDuration(rule.runbook.workflow_timeout_ms)}):`,
  );
  steps.forEach((step, index) => {
    const after = step.needs.length > 0 ? ` (after ${step.needs.join(', ')})` : '';
    lines.push(`  ${index + 1}. ${step.id}: ${step.activity}${after}`);
    lines.push(`       input: ${JSON.stringify(step.input)}`);
    const retry = step.retry;
    lines.push(
      `       timeout ${formatDuration(step.timeout_ms)} per attempt; ${retry.maximum_attempts} attempt(s), ` +
        `backoff ${formatDuration(retry.initial_interval_ms)} ×${retry.backoff_coefficient} up to ` +
        `${formatDuration(retry.maximum_interval_ms)}`,
    );
    if (step.compensate) {
      lines.push(`       compensate: ${step.compensate.activity} ${JSON.stringify(step.compensate.input)}`);
    }
    for (const problem of step.unresolved) {
      lines.push(`       warning: ${problem}`);
    }
  });
  return `${lines.join('\n')}\n`;
}
