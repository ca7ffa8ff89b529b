// A rule's criteria: the ones that can never match or cannot compile are errors; valid ones go into the snapshot in
// a normalized form the matcher reads without guessing (exact value, list, pattern).
import { environments } from '../event';
import type { ConfigIssue } from './errors';
import type { Parsed } from './config-files';
import type { CriterionValue, RuleFile } from './file-shapes';
import { criterionFields, type Criterion, type ProfileRule } from './snapshot';
import { issueAt, type YamlSource } from './yaml-source';

/** Report the criteria of every rule that can never match or cannot compile. */
export function checkRuleCriteria(rules: ReadonlyMap<string, Parsed<RuleFile>>, issues: ConfigIssue[]): void {
  for (const { source, value: rule } of rules.values()) {
    for (const field of criterionFields) {
      const criterion = rule.criteria[field];
      if (criterion !== undefined) {
        issues.push(...criterionIssues(source, field, criterion));
      }
    }
  }
}

function criterionIssues(source: YamlSource, field: string, criterion: CriterionValue): ConfigIssue[] {
  if (typeof criterion === 'object' && !Array.isArray(criterion)) {
    try {
      new RegExp(criterion.pattern);
      return [];
    } catch (error) {
      return [issueAt(source, ['criteria', field, 'pattern'], `invalid regular expression: ${String(error)}`)];
    }
  }
  const issues: ConfigIssue[] = [];
  const values = typeof criterion === 'string' ? [criterion] : criterion;
  const allowed: readonly string[] | undefined =
    field === 'environment' ? environments : field === 'host_state_type' ? ['HARD', 'SOFT'] : undefined;
  values.forEach((value, index) => {
    const segments = typeof criterion === 'string' ? ['criteria', field] : ['criteria', field, index];
    if (allowed && !allowed.includes(value)) {
      issues.push(issueAt(source, segments, `"${value}" can never match: ${field} is one of ${allowed.join(', ')}`));
    }
    if (field === 'event_type' && !/^[A-Za-z][A-Za-z0-9]*$/.test(value)) {
      issues.push(issueAt(source, segments, `"${value}" can never match: event types are letters and digits`));
    }
  });
  return issues;
}

export function normalizeCriterion(value: CriterionValue): Criterion {
  if (typeof value === 'string') {
    return { kind: 'exact', values: [value] };
  }
  if (Array.isArray(value)) {
    return { kind: 'list', values: [...value] };
  }
  return { kind: 'pattern', pattern: value.pattern };
}

/** The rule's criteria as the matcher reads them; fields the rule leaves out match anything. */
export function normalizedCriteria(rule: RuleFile): ProfileRule['criteria'] {
  const criteria: ProfileRule['criteria'] = {};
  for (const field of criterionFields) {
    const criterion = rule.criteria[field];
    if (criterion !== undefined) {
      criteria[field] = normalizeCriterion(criterion);
    }
  }
  return criteria;
}
