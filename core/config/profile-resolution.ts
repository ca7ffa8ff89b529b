// Resolving profiles: bind each rule to its runbook, settle locks and kill-switch categories, resolve parameters.
// A profile with any problem is left out of the snapshot, but its own params are kept so its services are still
// checked and every problem is reported in one pass.
import { activityCatalog, isRunbookActivity } from '../activity-catalog';
import type { KillSwitchCategory, ResolvedRunbook } from '../resolved-config';
import type { BrokenNames, Parsed } from './config-files';
import { configDefaults } from './defaults';
import type { ConfigIssue } from './errors';
import type { ParamsFile, ProfileFile, RuleFile, RunbookFile } from './file-shapes';
import {
  flattenParams,
  scalingIssues,
  shadowedBuiltInIssues,
  stepTimeoutIssues,
  type FlatParams,
} from './profile-params';
import { normalizeCriterion, normalizedCriteria } from './rule-criteria';
import type { ParamReference } from './runbook-validation';
import type { ProfileRule, ResolvedProfile, RulePrecondition } from './snapshot';
import { issueAt, type YamlSource } from './yaml-source';

/** What profiles bind to: the rules and runbooks by name, and what the runbook validator made of each runbook. */
export interface ProfileInputs {
  rules: ReadonlyMap<string, Parsed<RuleFile>>;
  runbooks: ReadonlyMap<string, Parsed<RunbookFile>>;
  /** Runbooks without problems, by name. */
  resolvedRunbooks: ReadonlyMap<string, ResolvedRunbook>;
  /** Each runbook's `${params.<name>}` references: only a profile using the runbook can say whether they exist. */
  paramReferences: ReadonlyMap<string, ParamReference[]>;
  brokenNames: BrokenNames;
}

export interface ResolvedProfiles {
  /** Profiles without problems, by name. */
  resolved: Map<string, ResolvedProfile>;
  /** Every profile's own params, problems or not, for the services that subscribe to it. */
  paramsFiles: Map<string, ParamsFile>;
}

/** Resolve every profile, reporting each one's problems. */
export function resolveProfiles(
  profiles: ReadonlyMap<string, Parsed<ProfileFile>>,
  inputs: ProfileInputs,
  issues: ConfigIssue[],
): ResolvedProfiles {
  const resolver = new ProfileResolver(inputs, issues);
  const result: ResolvedProfiles = { resolved: new Map(), paramsFiles: new Map() };
  for (const entry of profiles.values()) {
    const resolved = resolver.resolve(entry);
    result.paramsFiles.set(entry.value.name, entry.value.params ?? {});
    if (resolved) {
      result.resolved.set(entry.value.name, resolved);
    }
  }
  return result;
}

/** One profile at a time, against the same inputs, into the same issue list. */
class ProfileResolver {
  constructor(
    private readonly inputs: ProfileInputs,
    private readonly issues: ConfigIssue[],
  ) {}

  /** The resolved profile, or undefined when it has a problem (reported). */
  resolve({ source, value: profile }: Parsed<ProfileFile>): ResolvedProfile | undefined {
    const params = profile.params ?? {};
    const shadowed = shadowedBuiltInIssues(source, params);
    this.issues.push(...shadowed);
    const flat = flattenParams(params);
    const bound = profile.rules.map((ruleName, order) => this.bindRule(source, profile, flat, ruleName, order));
    const profileRules = bound.filter((rule): rule is ProfileRule => rule !== undefined);
    let ok = shadowed.length === 0 && profileRules.length === bound.length;
    // Only when every rule bound: an unknown rule's action is unknown, so a binding for it would look unused.
    const unused = ok ? this.unusedBindingIssue(source, profile) : undefined;
    if (unused) {
      this.issues.push(unused);
      ok = false;
    }
    this.issues.push(...scalingIssues(source, params));
    if (!ok) {
      return undefined;
    }
    this.issues.push(...stepTimeoutIssues(source, flat, profileRules, params));
    profileRules.sort((a, b) => b.specificity - a.specificity || a.order - b.order);
    return {
      name: profile.name,
      ...(profile.description === undefined ? {} : { description: profile.description }),
      rules: profileRules,
      params: flat,
      notifications: profile.notifications ?? {},
      shadow: profile.shadow ?? false,
    };
  }

  /**
   * The profile's `order`-th rule bound to its runbook (the profile's binding for the rule's action, else the runbook
   * named like the action); undefined when anything about it is wrong, each problem reported.
   */
  private bindRule(
    source: YamlSource,
    profile: ProfileFile,
    params: FlatParams,
    ruleName: string,
    order: number,
  ): ProfileRule | undefined {
    const ruleEntry = this.inputs.rules.get(ruleName);
    if (!ruleEntry) {
      if (!this.inputs.brokenNames.rule.has(ruleName)) {
        this.issues.push(
          issueAt(source, ['rules', order], `unknown rule "${ruleName}" (no rules/*.yaml has that name)`),
        );
      }
      return undefined;
    }
    const rule = ruleEntry.value;
    const runbookName = profile.runbooks?.[rule.action] ?? rule.action;
    const runbookEntry = this.inputs.runbooks.get(runbookName);
    if (!runbookEntry) {
      if (!this.inputs.brokenNames.runbook.has(runbookName)) {
        const how = profile.runbooks?.[rule.action] ? `bound by runbooks.${rule.action}` : `action of rule ${ruleName}`;
        this.issues.push(
          issueAt(source, ['rules', order], `unknown runbook "${runbookName}" (${how}; no profiles/runbooks/*.yaml)`),
        );
      }
      return undefined;
    }
    const missingParams = this.missingParamIssues(runbookEntry.source, profile.name, params, runbookName);
    this.issues.push(...missingParams);
    const runbook = this.inputs.resolvedRunbooks.get(runbookName);
    if (!runbook) {
      return undefined;
    }
    const category = ruleCategory(rule, runbook);
    if (typeof category !== 'string') {
      this.issues.push(issueAt(ruleEntry.source, ['action'], category.problem));
      return undefined;
    }
    if (missingParams.length > 0) {
      return undefined;
    }
    const criteria = normalizedCriteria(rule);
    return {
      name: rule.name,
      ...(rule.description === undefined ? {} : { description: rule.description }),
      file: ruleEntry.source.file,
      criteria,
      specificity: Object.keys(criteria).length,
      order,
      preconditions: rulePreconditions(rule),
      runbook,
      lock: profile.lock ?? rule.lock ?? 'host',
      ...(rule.notification_group === undefined ? {} : { notification_group: rule.notification_group }),
      category,
    };
  }

  /** Reported in the runbook, where the reference is, naming the profile that lacks the parameter. */
  private missingParamIssues(
    runbookSource: YamlSource,
    profileName: string,
    params: FlatParams,
    runbookName: string,
  ): ConfigIssue[] {
    return (this.inputs.paramReferences.get(runbookName) ?? [])
      .filter((reference) => !Object.prototype.hasOwnProperty.call(params, reference.name))
      .map((reference) =>
        issueAt(
          runbookSource,
          reference.segments,
          `\${params.${reference.name}}: profile "${profileName}" has no such parameter ` +
            '(built-ins are listed in docs/configuration.md; others go under params.custom)',
        ),
      );
  }

  /** The first runbook binding whose action none of the profile's rules names. */
  private unusedBindingIssue(source: YamlSource, profile: ProfileFile): ConfigIssue | undefined {
    const usedActions = new Set(profile.rules.map((ruleName) => this.inputs.rules.get(ruleName)?.value.action));
    const action = Object.keys(profile.runbooks ?? {}).find((candidate) => !usedActions.has(candidate));
    return action === undefined
      ? undefined
      : issueAt(source, ['runbooks', action], `binds action "${action}", which none of the profile's rules names`);
  }
}

function rulePreconditions(rule: RuleFile): RulePrecondition[] {
  return (rule.preconditions ?? []).map((precondition) => {
    const params = { ...precondition.params };
    if (precondition.check === 'MinActiveHosts' && params.min === undefined) {
      params.min = configDefaults.preconditions.MinActiveHostsMin;
    }
    if (precondition.check === 'PeerCheck' && params.tolerance === undefined) {
      params.tolerance = configDefaults.preconditions.PeerCheckTolerance;
    }
    return { check: precondition.check, params };
  });
}

/**
 * The kill-switch category of a rule: explicit `category`, else the one category its runbook's activities carry
 * (activities marked `any` do not count), else by event type: ScaleUp/ScaleDown-only rules are autoscaling, all
 * others host_replacement. A runbook mixing both categories needs an explicit category.
 */
function ruleCategory(rule: RuleFile, runbook: ResolvedRunbook): KillSwitchCategory | { problem: string } {
  if (rule.category) {
    return rule.category;
  }
  const categories = new Set<KillSwitchCategory>();
  for (const step of runbook.steps) {
    const category = isRunbookActivity(step.activity) ? activityCatalog[step.activity].category : 'any';
    if (category !== 'any') {
      categories.add(category);
    }
  }
  if (categories.size > 1) {
    return {
      problem: `runbook "${runbook.name}" mixes host_replacement and autoscaling activities: set category on the rule`,
    };
  }
  const [only] = [...categories];
  if (only) {
    return only;
  }
  const eventType = rule.criteria.event_type;
  const criterion = eventType === undefined ? undefined : normalizeCriterion(eventType);
  const types = criterion === undefined || criterion.kind === 'pattern' ? undefined : criterion.values;
  return types && types.every((type) => type === 'ScaleUp' || type === 'ScaleDown')
    ? 'autoscaling'
    : 'host_replacement';
}
