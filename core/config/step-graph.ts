// The needs between a runbook's steps: step ids, dangling needs, cycles, and the steps that can never run because of
// them.
//
// A step is *unreachable* when it can never be scheduled: it needs, directly or through other steps, a step that
// does not exist or a step on a cycle. The root cause is reported where it is (dangling need, cycle) and every step
// downstream of it is reported as unreachable, so the user sees the whole blast radius at once.
import type { StepFile } from './file-shapes';

/** Reports one problem at a field path of the runbook file. */
export type ReportIssue = (segments: (string | number)[], message: string) => void;

/** A runbook's steps by id; where ids repeat, the first step with the id is the one the others refer to. */
export class StepGraph {
  /** Transitive ancestors, memoized: shared by every check so each is computed once, in the order first asked. */
  private readonly ancestors = new Map<string, Set<string>>();

  constructor(
    readonly steps: readonly StepFile[],
    private readonly indexById: ReadonlyMap<string, number>,
  ) {}

  has(id: string): boolean {
    return this.indexById.has(id);
  }

  indexOf(id: string): number | undefined {
    return this.indexById.get(id);
  }

  /** Ids and file positions of the steps others can refer to, in file order. */
  entries(): IterableIterator<[string, number]> {
    return this.indexById.entries();
  }

  /** False for a later step that repeats an earlier step's id. */
  isFirstWithId(step: StepFile, index: number): boolean {
    return this.indexById.get(step.id) === index;
  }

  stepById(id: string): StepFile | undefined {
    const index = this.indexById.get(id);
    return index === undefined ? undefined : this.steps[index];
  }

  /** The steps `id` needs, directly or transitively, over needs that name an existing step. */
  ancestorsOf(id: string, guard: Set<string> = new Set()): Set<string> {
    const known = this.ancestors.get(id);
    if (known) {
      return known;
    }
    const result = new Set<string>();
    if (guard.has(id)) {
      return result;
    }
    guard.add(id);
    for (const need of this.stepById(id)?.needs ?? []) {
      if (this.indexById.has(need)) {
        result.add(need);
        this.ancestorsOf(need, guard).forEach((ancestor) => result.add(ancestor));
      }
    }
    guard.delete(id);
    this.ancestors.set(id, result);
    return result;
  }
}

/** Index the steps by id; a repeated id is an error, and the first step with it wins. */
export function indexStepIds(steps: readonly StepFile[], report: ReportIssue): StepGraph {
  const indexById = new Map<string, number>();
  steps.forEach((step, index) => {
    if (indexById.has(step.id)) {
      report(['steps', index, 'id'], `duplicate step id "${step.id}" (first used by steps[${indexById.get(step.id)}])`);
    } else {
      indexById.set(step.id, index);
    }
  });
  return new StepGraph(steps, indexById);
}

/** Dangling needs, then cycles, then the steps downstream of either: root causes first, then their blast radius. */
export function checkNeeds(graph: StepGraph, report: ReportIssue): void {
  // Steps that can never run because of a problem of their own: a dangling need or a place on a cycle.
  const blocked = new Set<string>();
  reportDanglingNeeds(graph, blocked, report);
  reportCycles(graph, blocked, report);
  reportUnreachableSteps(graph, blocked, report);
}

function reportDanglingNeeds(graph: StepGraph, blocked: Set<string>, report: ReportIssue): void {
  graph.steps.forEach((step, index) => {
    (step.needs ?? []).forEach((need, needIndex) => {
      if (!graph.has(need)) {
        report(['steps', index, 'needs', needIndex], `needs unknown step "${need}"`);
        blocked.add(step.id);
      }
    });
  });
}

/** Depth-first over existing needs; each cycle is reported once, however many of its members the search starts from. */
function reportCycles(graph: StepGraph, blocked: Set<string>, report: ReportIssue): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const reportedCycles = new Set<string>();
  const visit = (id: string, trail: string[]): void => {
    state.set(id, 'visiting');
    for (const need of graph.stepById(id)?.needs ?? []) {
      if (!graph.has(need)) {
        continue;
      }
      if (state.get(need) === 'visiting') {
        const cycle = [...trail.slice(trail.indexOf(need)), need];
        cycle.slice(0, -1).forEach((member) => blocked.add(member));
        const key = [...cycle.slice(0, -1)].sort().join(',');
        if (!reportedCycles.has(key)) {
          reportedCycles.add(key);
          reportCycle(graph, cycle, id, report);
        }
      } else if (state.get(need) !== 'done') {
        visit(need, [...trail, need]);
      }
    }
    state.set(id, 'done');
  };
  for (const [id] of graph.entries()) {
    if (!state.has(id)) {
      visit(id, [id]);
    }
  }
}

/** `cycle` is closed (its last member repeats one before it); `visiting` is the step whose need closed it. */
function reportCycle(graph: StepGraph, cycle: string[], visiting: string, report: ReportIssue): void {
  const first = Math.min(...cycle.map((member) => graph.indexOf(member) ?? 0));
  const start = graph.steps[first]?.id ?? visiting;
  // Rotate the cycle so it reads from the member that comes first in the file, where it is reported.
  const members = cycle.slice(0, -1);
  const rotated = [...members.slice(members.indexOf(start)), ...members.slice(0, members.indexOf(start))];
  report(['steps', first, 'needs'], `cycle: ${[...rotated, start].join(' → ')}`);
}

/** A step is unreachable if any of its ancestors is blocked; blocked steps themselves are already reported. */
function reportUnreachableSteps(graph: StepGraph, blocked: ReadonlySet<string>, report: ReportIssue): void {
  for (const [id, index] of graph.entries()) {
    if (blocked.has(id)) {
      continue;
    }
    const cause = [...graph.ancestorsOf(id)].find((ancestor) => blocked.has(ancestor));
    if (cause !== undefined) {
      report(['steps', index, 'needs'], `step "${id}" is unreachable: it depends on "${cause}", which can never run`);
    }
  }
}
