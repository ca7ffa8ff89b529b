// The runbook DAG validator and resolver: checks a runbook against the activity catalog and itself, then applies
// defaults and orders the steps topologically.
//
// A step is *unreachable* when it can never be scheduled: it needs, directly or through other steps, a step that
// does not exist or a step on a cycle. The root cause is reported where it is (dangling need, cycle) and every step
// downstream of it is reported as unreachable, so the user sees the whole blast radius at once.
import { activityCatalog, isRunbookActivity, type CatalogEntry, type RunbookActivityName } from '../activity-catalog';
import { parseDuration } from '../duration';
import type { ResolvedRunbook, ResolvedStep } from '../resolved-config';
import { collectReferences, MalformedReferenceError, parseReference } from '../runbook-references';
import { configDefaults } from './defaults';
import type { ConfigIssue } from './errors';
import type { RunbookFile, StepFile } from './file-shapes';
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

function inputPathSegments(prefix: (string | number)[], at: string): (string | number)[] {
  if (at === '') {
    return prefix;
  }
  return [...prefix, ...at.split(/[.[\]]+/).filter((segment) => segment !== '')];
}

/** Validate one runbook file's content; a resolved runbook comes back only when there are no issues. */
export function validateRunbook(source: YamlSource, file: RunbookFile): RunbookValidation {
  const issues: ConfigIssue[] = [];
  const paramReferences: ParamReference[] = [];
  const at = (segments: (string | number)[], message: string): void => {
    issues.push(issueAt(source, segments, message));
  };

  // Duplicate ids: the first one wins, later ones are errors.
  const indexById = new Map<string, number>();
  file.steps.forEach((step, index) => {
    if (indexById.has(step.id)) {
      at(['steps', index, 'id'], `duplicate step id "${step.id}" (first used by steps[${indexById.get(step.id)}])`);
    } else {
      indexById.set(step.id, index);
    }
  });

  // Activities and their inputs.
  const checkActivity = (activity: string, input: Record<string, unknown> | undefined, base: (string | number)[]) => {
    if (!isRunbookActivity(activity)) {
      at([...base, 'activity'], `unknown activity "${activity}" (not in core/activity-catalog.ts)`);
      return;
    }
    const entry: CatalogEntry = activityCatalog[activity];
    const given = input ?? {};
    for (const required of entry.requires) {
      if (!Object.prototype.hasOwnProperty.call(given, required)) {
        at([...base, input === undefined ? 'activity' : 'input'], `${activity} requires input "${required}"`);
      }
    }
    for (const key of Object.keys(given)) {
      if (!entry.requires.includes(key) && !entry.optional.includes(key)) {
        const accepted = [...entry.requires, ...entry.optional].join(', ');
        at([...base, 'input', key], `${activity} takes no input "${key}" (it takes: ${accepted})`);
      }
    }
  };
  file.steps.forEach((step, index) => {
    checkActivity(step.activity, step.input, ['steps', index]);
    if (step.compensate) {
      checkActivity(step.compensate.activity, step.compensate.input, ['steps', index, 'compensate']);
    }
  });

  // Needs: dangling ones, then cycles, then what cannot run because of them.
  const blocked = new Set<string>();
  file.steps.forEach((step, index) => {
    (step.needs ?? []).forEach((need, needIndex) => {
      if (!indexById.has(need)) {
        at(['steps', index, 'needs', needIndex], `needs unknown step "${need}"`);
        blocked.add(step.id);
      }
    });
  });
  const stepById = (id: string): StepFile | undefined => {
    const index = indexById.get(id);
    return index === undefined ? undefined : file.steps[index];
  };
  const state = new Map<string, 'visiting' | 'done'>();
  const reportedCycles = new Set<string>();
  const visit = (id: string, trail: string[]): void => {
    state.set(id, 'visiting');
    for (const need of stepById(id)?.needs ?? []) {
      if (!indexById.has(need)) {
        continue;
      }
      if (state.get(need) === 'visiting') {
        const cycle = [...trail.slice(trail.indexOf(need)), need];
        cycle.slice(0, -1).forEach((member) => blocked.add(member));
        const key = [...cycle.slice(0, -1)].sort().join(',');
        if (!reportedCycles.has(key)) {
          reportedCycles.add(key);
          const first = Math.min(...cycle.map((member) => indexById.get(member) ?? 0));
          const start = file.steps[first]?.id ?? id;
          // Rotate the cycle so it reads from the member that comes first in the file, where it is reported.
          const members = cycle.slice(0, -1);
          const rotated = [...members.slice(members.indexOf(start)), ...members.slice(0, members.indexOf(start))];
          at(['steps', first, 'needs'], `cycle: ${[...rotated, start].join(' → ')}`);
        }
      } else if (state.get(need) !== 'done') {
        visit(need, [...trail, need]);
      }
    }
    state.set(id, 'done');
  };
  for (const id of indexById.keys()) {
    if (!state.has(id)) {
      visit(id, [id]);
    }
  }
  // Transitive ancestors of each step (over existing needs); a step is unreachable if any ancestor is blocked.
  const ancestors = new Map<string, Set<string>>();
  const ancestorsOf = (id: string, guard: Set<string> = new Set()): Set<string> => {
    const known = ancestors.get(id);
    if (known) {
      return known;
    }
    const result = new Set<string>();
    if (guard.has(id)) {
      return result;
    }
    guard.add(id);
    for (const need of stepById(id)?.needs ?? []) {
      if (indexById.has(need)) {
        result.add(need);
        ancestorsOf(need, guard).forEach((ancestor) => result.add(ancestor));
      }
    }
    guard.delete(id);
    ancestors.set(id, result);
    return result;
  };
  for (const [id, index] of indexById) {
    if (blocked.has(id)) {
      continue;
    }
    const cause = [...ancestorsOf(id)].find((ancestor) => blocked.has(ancestor));
    if (cause !== undefined) {
      at(['steps', index, 'needs'], `step "${id}" is unreachable: it depends on "${cause}", which can never run`);
    }
  }

  // References in inputs.
  const checkReferences = (owner: StepFile, value: unknown, base: (string | number)[], allowOwnOutput: boolean) => {
    for (const occurrence of collectReferences(value)) {
      const segments = inputPathSegments(base, occurrence.at);
      let reference;
      try {
        reference = parseReference(occurrence.text);
      } catch (error) {
        if (error instanceof MalformedReferenceError) {
          at(segments, error.message);
          continue;
        }
        throw error;
      }
      const written = `\${${reference.text}}`;
      const [first, second, third] = reference.path;
      switch (reference.root) {
        case 'event':
          if (!referableEventFields.includes(first as (typeof referableEventFields)[number])) {
            at(segments, `${written}: events have no field "${first}" (fields: ${referableEventFields.join(', ')})`);
          } else if (first !== 'details' && reference.path.length > 1) {
            at(segments, `${written}: event.${first} has no sub-fields`);
          }
          break;
        case 'params':
          if (reference.path.length > 1) {
            at(segments, `${written}: parameters have no sub-fields (write \${params.<name>})`);
          } else {
            paramReferences.push({ name: first ?? '', segments });
          }
          break;
        case 'remediation':
          if (first !== 'id' || reference.path.length > 1) {
            at(segments, `${written}: the only remediation field is \${remediation.id}`);
          }
          break;
        case 'steps': {
          const target = stepById(first ?? '');
          if (second !== 'output' || third === undefined) {
            at(segments, `${written}: step references are written \${steps.<id>.output.<key>}`);
          } else if (target === undefined) {
            at(segments, `${written}: no step "${first}" in this runbook`);
          } else if (!(allowOwnOutput && target === owner) && !ancestorsOf(owner.id).has(target.id)) {
            at(
              segments,
              `${written}: step "${first}" is not among the steps "${owner.id}" needs (directly or transitively), ` +
                'so its output may not exist yet',
            );
          } else if (isRunbookActivity(target.activity)) {
            const outputs: readonly string[] = activityCatalog[target.activity].outputs;
            if (!outputs.includes(third)) {
              const listed = outputs.length === 0 ? 'no outputs' : `outputs: ${outputs.join(', ')}`;
              at(segments, `${written}: ${target.activity} does not output "${third}" (${listed})`);
            }
          }
          break;
        }
      }
    }
  };
  file.steps.forEach((step, index) => {
    if (indexById.get(step.id) !== index) {
      return;
    }
    checkReferences(step, step.input ?? {}, ['steps', index, 'input'], false);
    if (step.compensate) {
      checkReferences(step, step.compensate.input ?? {}, ['steps', index, 'compensate', 'input'], true);
    }
  });

  // Durations that Temporal would refuse or that make no sense.
  if (file.workflow_timeout !== undefined && parseDuration(file.workflow_timeout) === 0) {
    at(['workflow_timeout'], 'must be longer than 0');
  }
  file.steps.forEach((step, index) => {
    if (step.timeout !== undefined && parseDuration(step.timeout) === 0) {
      at(['steps', index, 'timeout'], 'must be longer than 0');
    }
    const retry = { ...configDefaults.step.retry, ...step.retry };
    const initial = parseDuration(retry.initial_interval);
    if (initial === 0) {
      at(['steps', index, 'retry', 'initial_interval'], 'must be longer than 0');
    } else if (parseDuration(retry.maximum_interval) < initial) {
      at(
        ['steps', index, 'retry', 'maximum_interval'],
        `must not be shorter than initial_interval (${retry.initial_interval})`,
      );
    }
  });

  if (issues.length > 0) {
    return { issues, paramReferences };
  }
  return { runbook: resolveRunbook(file), issues, paramReferences };
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
