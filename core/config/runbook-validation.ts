// The runbook DAG validator and resolver: checks a runbook against the activity catalog and itself, then applies
// defaults and orders the steps topologically. What "unreachable" means, and why it is reported, is in step-graph.ts.
import { activityCatalog, isRunbookActivity, type CatalogEntry, type RunbookActivityName } from '../activity-catalog';
import { parseDuration } from '../duration';
import type { ResolvedRunbook, ResolvedStep } from '../resolved-config';
import {
  collectReferences,
  MalformedReferenceError,
  parseReference,
  type RunbookReference,
} from '../runbook-references';
import { configDefaults } from './defaults';
import type { ConfigIssue } from './errors';
import type { RunbookFile, StepFile } from './file-shapes';
import { checkNeeds, indexStepIds, type ReportIssue, type StepGraph } from './step-graph';
import { issueAt, type YamlSource } from './yaml-source';

/** Event fields a reference may name; `details.<anything>` is allowed too. */
export const referableEventFields = [
  'incident_key',
  'event_type',
  'source',
  'service',
  'host',
  'region',
  'environment',
  'occurred_at',
  'host_state_type',
  'details',
] as const;

/** A `${params.<name>}` reference, checked later against each profile that uses the runbook. */
export interface ParamReference {
  name: string;
  segments: (string | number)[];
}

export interface RunbookValidation {
  runbook?: ResolvedRunbook;
  issues: ConfigIssue[];
  paramReferences: ParamReference[];
}

/** Validate one runbook file's content; a resolved runbook comes back only when there are no issues. */
export function validateRunbook(source: YamlSource, file: RunbookFile): RunbookValidation {
  const issues: ConfigIssue[] = [];
  const report: ReportIssue = (segments, message) => {
    issues.push(issueAt(source, segments, message));
  };
  const graph = indexStepIds(file.steps, report);
  checkActivities(file.steps, report);
  checkNeeds(graph, report);
  const paramReferences = checkInputReferences(graph, report);
  checkDurations(file, report);
  if (issues.length > 0) {
    return { issues, paramReferences };
  }
  return { runbook: resolveRunbook(file), issues, paramReferences };
}

/** Every step's activity and its compensation's against the catalog: known activity, required and accepted inputs. */
function checkActivities(steps: readonly StepFile[], report: ReportIssue): void {
  steps.forEach((step, index) => {
    checkActivity(step.activity, step.input, ['steps', index], report);
    if (step.compensate) {
      checkActivity(step.compensate.activity, step.compensate.input, ['steps', index, 'compensate'], report);
    }
  });
}

function checkActivity(
  activity: string,
  input: Record<string, unknown> | undefined,
  base: (string | number)[],
  report: ReportIssue,
): void {
  if (!isRunbookActivity(activity)) {
    report([...base, 'activity'], `unknown activity "${activity}" (not in core/activity-catalog.ts)`);
    return;
  }
  const entry: CatalogEntry = activityCatalog[activity];
  const given = input ?? {};
  for (const required of entry.requires) {
    if (!Object.prototype.hasOwnProperty.call(given, required)) {
      // Without an input block the step's activity line is the closest place to point at.
      report([...base, input === undefined ? 'activity' : 'input'], `${activity} requires input "${required}"`);
    }
  }
  for (const key of Object.keys(given)) {
    if (!entry.requires.includes(key) && !entry.optional.includes(key)) {
      const accepted = [...entry.requires, ...entry.optional].join(', ');
      report([...base, 'input', key], `${activity} takes no input "${key}" (it takes: ${accepted})`);
    }
  }
}

/** Every step's input references; the `${params.<name>}` ones come back for the snapshot builder to check. */
function checkInputReferences(graph: StepGraph, report: ReportIssue): ParamReference[] {
  return new ReferenceCheck(graph, report).allSteps();
}

/**
 * The `${...}` references in step inputs. Parameter references cannot be checked here (each profile using the
 * runbook has its own parameters), so they are collected for the snapshot builder.
 */
class ReferenceCheck {
  private readonly paramReferences: ParamReference[] = [];

  constructor(
    private readonly graph: StepGraph,
    private readonly report: ReportIssue,
  ) {}

  /** Check every step's input and compensation input; a step repeating an earlier id is skipped. */
  allSteps(): ParamReference[] {
    this.graph.steps.forEach((step, index) => {
      if (!this.graph.isFirstWithId(step, index)) {
        return;
      }
      this.input(step, step.input ?? {}, ['steps', index, 'input'], false);
      if (step.compensate) {
        // A compensation undoes its step, so it may read that step's own output.
        this.input(step, step.compensate.input ?? {}, ['steps', index, 'compensate', 'input'], true);
      }
    });
    return this.paramReferences;
  }

  private input(owner: StepFile, value: unknown, base: (string | number)[], allowOwnOutput: boolean): void {
    for (const occurrence of collectReferences(value)) {
      const segments = inputPathSegments(base, occurrence.at);
      const reference = this.parse(occurrence.text, segments);
      if (reference !== undefined) {
        this.reference(reference, segments, owner, allowOwnOutput);
      }
    }
  }

  private parse(text: string, segments: (string | number)[]): RunbookReference | undefined {
    try {
      return parseReference(text);
    } catch (error) {
      if (error instanceof MalformedReferenceError) {
        this.report(segments, error.message);
        return undefined;
      }
      throw error;
    }
  }

  private reference(
    reference: RunbookReference,
    segments: (string | number)[],
    owner: StepFile,
    allowOwnOutput: boolean,
  ): void {
    const written = `\${${reference.text}}`;
    let problem: string | undefined;
    switch (reference.root) {
      case 'event':
        problem = eventReferenceProblem(reference, written);
        break;
      case 'params':
        if (reference.path.length > 1) {
          problem = `${written}: parameters have no sub-fields (write \${params.<name>})`;
        } else {
          this.paramReferences.push({ name: reference.path[0] ?? '', segments });
        }
        break;
      case 'remediation':
        if (reference.path[0] !== 'id' || reference.path.length > 1) {
          problem = `${written}: the only remediation field is \${remediation.id}`;
        }
        break;
      case 'steps':
        problem = this.stepReferenceProblem(reference, written, owner, allowOwnOutput);
        break;
    }
    if (problem !== undefined) {
      this.report(segments, problem);
    }
  }

  /** A step output is readable only once it exists: from a step the owner needs, or from the owner's compensation. */
  private stepReferenceProblem(
    reference: RunbookReference,
    written: string,
    owner: StepFile,
    allowOwnOutput: boolean,
  ): string | undefined {
    const [first, second, third] = reference.path;
    const target = this.graph.stepById(first ?? '');
    if (second !== 'output' || third === undefined) {
      return `${written}: step references are written \${steps.<id>.output.<key>}`;
    }
    if (target === undefined) {
      return `${written}: no step "${first}" in this runbook`;
    }
    if (!(allowOwnOutput && target === owner) && !this.graph.ancestorsOf(owner.id).has(target.id)) {
      return (
        `${written}: step "${first}" is not among the steps "${owner.id}" needs (directly or transitively), ` +
        'so its output may not exist yet'
      );
    }
    if (isRunbookActivity(target.activity)) {
      const outputs: readonly string[] = activityCatalog[target.activity].outputs;
      if (!outputs.includes(third)) {
        const listed = outputs.length === 0 ? 'no outputs' : `outputs: ${outputs.join(', ')}`;
        return `${written}: ${target.activity} does not output "${third}" (${listed})`;
      }
    }
    return undefined;
  }
}

function eventReferenceProblem(reference: RunbookReference, written: string): string | undefined {
  const [first] = reference.path;
  if (!referableEventFields.includes(first as (typeof referableEventFields)[number])) {
    return `${written}: events have no field "${first}" (fields: ${referableEventFields.join(', ')})`;
  }
  if (first !== 'details' && reference.path.length > 1) {
    return `${written}: event.${first} has no sub-fields`;
  }
  return undefined;
}

function inputPathSegments(prefix: (string | number)[], at: string): (string | number)[] {
  if (at === '') {
    return prefix;
  }
  return [...prefix, ...at.split(/[.[\]]+/).filter((segment) => segment !== '')];
}

/** Durations that Temporal would refuse or that make no sense. */
function checkDurations(file: RunbookFile, report: ReportIssue): void {
  if (file.workflow_timeout !== undefined && parseDuration(file.workflow_timeout) === 0) {
    report(['workflow_timeout'], 'must be longer than 0');
  }
  file.steps.forEach((step, index) => {
    if (step.timeout !== undefined && parseDuration(step.timeout) === 0) {
      report(['steps', index, 'timeout'], 'must be longer than 0');
    }
    const retry = { ...configDefaults.step.retry, ...step.retry };
    const initial = parseDuration(retry.initial_interval);
    if (initial === 0) {
      report(['steps', index, 'retry', 'initial_interval'], 'must be longer than 0');
    } else if (parseDuration(retry.maximum_interval) < initial) {
      report(
        ['steps', index, 'retry', 'maximum_interval'],
        `must not be shorter than initial_interval (${retry.initial_interval})`,
      );
    }
  });
}

function resolveStep(step: StepFile): ResolvedStep {
  const retry = { ...configDefaults.step.retry, ...step.retry };
  return {
    id: step.id,
    activity: step.activity as RunbookActivityName,
    input: step.input ?? {},
    needs: step.needs ?? [],
    retry: {
      maximum_attempts: retry.maximum_attempts,
      initial_interval_ms: parseDuration(retry.initial_interval),
      backoff_coefficient: retry.backoff_coefficient,
      maximum_interval_ms: parseDuration(retry.maximum_interval),
    },
    timeout_ms: parseDuration(step.timeout ?? configDefaults.step.timeout),
    ...(step.compensate
      ? {
          compensate: { activity: step.compensate.activity as RunbookActivityName, input: step.compensate.input ?? {} },
        }
      : {}),
  };
}

/** Steps in an order where every step comes after the steps it needs; ties keep file order. */
function topologicalOrder(steps: readonly StepFile[]): StepFile[] {
  const placed = new Set<string>();
  const ordered: StepFile[] = [];
  while (ordered.length < steps.length) {
    const next = steps.find((step) => !placed.has(step.id) && (step.needs ?? []).every((need) => placed.has(need)));
    if (next === undefined) {
      break;
    }
    placed.add(next.id);
    ordered.push(next);
  }
  return ordered;
}

function resolveRunbook(file: RunbookFile): ResolvedRunbook {
  return {
    name: file.name,
    ...(file.description === undefined ? {} : { description: file.description }),
    workflow_timeout_ms: parseDuration(file.workflow_timeout ?? configDefaults.workflowTimeout),
    steps: topologicalOrder(file.steps).map(resolveStep),
  };
}
