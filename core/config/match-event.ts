// The matcher: which rule of the service's profile handles an event, and why every other candidate does not.
// Candidates are the rules of the service's profile, most specific first (the number of criteria a rule
// constrains), ties in the order the profile lists them. The first rule whose criteria all hold wins.
import type { LazarusEvent } from '../event';
import type {
  MatchResult,
  ResolvedPrecondition,
  ResolvedRule,
  RuleExplanation,
  ServicePolicy,
} from '../resolved-config';
import {
  criterionFields,
  type ConfigSnapshot,
  type Criterion,
  type CriterionField,
  type ProfileRule,
} from './snapshot';

const compiledPatterns = new Map<string, RegExp>();

function patternOf(source: string): RegExp {
  let pattern = compiledPatterns.get(source);
  if (pattern === undefined) {
    pattern = new RegExp(source);
    compiledPatterns.set(source, pattern);
  }
  return pattern;
}

function describeCriterion(criterion: Criterion): string {
  switch (criterion.kind) {
    case 'exact':
      return `"${criterion.values[0]}"`;
    case 'list':
      return `one of [${criterion.values.join(', ')}]`;
    case 'pattern':
      return `matching /${criterion.pattern}/`;
  }
}

/** Whether one criterion holds for a value, and a line saying so. */
export function evaluateCriterion(
  field: CriterionField,
  criterion: Criterion,
  value: string | undefined,
): { holds: boolean; reason: string } {
  const wanted = describeCriterion(criterion);
  if (value === undefined) {
    return { holds: false, reason: `${field}: the event has none; the rule wants ${wanted}` };
  }
  const holds =
    criterion.kind === 'pattern' ? patternOf(criterion.pattern).test(value) : criterion.values.includes(value);
  return { holds, reason: `${field}: "${value}" ${holds ? 'is' : 'is not'} ${wanted}` };
}

/** Evaluate every criterion of a rule (not only up to the first failure, so explanations are complete). */
export function evaluateRule(rule: ProfileRule, event: LazarusEvent): { matched: boolean; reasons: string[] } {
  let matched = true;
  const reasons: string[] = [];
  for (const field of criterionFields) {
    const criterion = rule.criteria[field];
    if (criterion === undefined) {
      continue;
    }
    const result = evaluateCriterion(field, criterion, event[field]);
    matched &&= result.holds;
    reasons.push(result.reason);
  }
  if (reasons.length === 0) {
    reasons.push('no criteria: matches every event of the service');
  }
  return { matched, reasons };
}

/**
 * The rule as the workflow runs it for one service: precondition parameters completed from the service's parameters
 * (MaxActiveHosts.max defaults to scaling.max_hosts; HealthCheckDown and PeerCheck get the health endpoint) and the
 * service's workflow_timeout override applied to the runbook.
 */
export function resolveRuleForService(rule: ProfileRule, service: ServicePolicy): ResolvedRule {
  const health = {
    health_path: service.params.health_path ?? '/health',
    health_port: service.params.health_port ?? 80,
  };
  const preconditions: ResolvedPrecondition[] = rule.preconditions.map((precondition) => {
    switch (precondition.check) {
      case 'MaxActiveHosts':
        return {
          check: precondition.check,
          params: { max: service.scaling?.max_hosts ?? 100, ...precondition.params },
        };
      case 'HealthCheckDown':
      case 'PeerCheck':
        return { check: precondition.check, params: { ...health, ...precondition.params } };
      default:
        return { check: precondition.check, params: { ...precondition.params } };
    }
  });
  const workflowTimeout = service.params.workflow_timeout_ms;
  return {
    name: rule.name,
    ...(rule.description === undefined ? {} : { description: rule.description }),
    preconditions,
    runbook:
      typeof workflowTimeout === 'number' ? { ...rule.runbook, workflow_timeout_ms: workflowTimeout } : rule.runbook,
    lock: rule.lock,
    notification_group: rule.notification_group ?? service.team,
    category: rule.category,
  };
}

/** Match an event against the snapshot: the service's policy, the winning rule (if any) and an explanation per rule. */
export function matchEvent(snapshot: ConfigSnapshot, event: LazarusEvent): MatchResult {
  const base = { snapshot_version: snapshot.version, event, deployment: snapshot.deployment };
  const service = Object.prototype.hasOwnProperty.call(snapshot.services, event.service)
    ? snapshot.services[event.service]
    : undefined;
  if (service === undefined) {
    return {
      ...base,
      explanations: [
        {
          rule: '(none)',
          matched: false,
          reasons: [`service "${event.service}" is not configured (no services/*.yaml names it), so no rule applies`],
        },
      ],
    };
  }
  const profile = snapshot.profiles[service.profile];
  const explanations: RuleExplanation[] = [];
  let winner: ProfileRule | undefined;
  for (const rule of profile?.rules ?? []) {
    const { matched, reasons } = evaluateRule(rule, event);
    if (matched && winner === undefined) {
      winner = rule;
      explanations.push({ rule: rule.name, matched: true, reasons });
    } else if (matched) {
      reasons.push(`also matches, but rule "${winner?.name}" comes first (more specific, or listed earlier)`);
      explanations.push({ rule: rule.name, matched: false, reasons });
    } else {
      explanations.push({ rule: rule.name, matched: false, reasons });
    }
  }
  return winner === undefined
    ? { ...base, service, explanations }
    : { ...base, service, rule: resolveRuleForService(winner, service), explanations };
}
