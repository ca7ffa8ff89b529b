// The loader's pure part: YAML texts in, one immutable resolved snapshot (or every problem, located) out.
// Which kind a file is follows from the folder it sits in: rules/, profiles/runbooks/ (any folder named runbooks),
// profiles/, services/ (services/deployment.yaml is the deployment file).
import { activityCatalog, isRunbookActivity } from '../activity-catalog';
import { formatDuration, parseDuration } from '../duration';
import { environments } from '../event';
import type {
  DeploymentSettings,
  KillSwitchCategory,
  NotificationChannels,
  ResolvedRunbook,
  ServicePolicy,
} from '../resolved-config';
import { canonicalJson, sha256Hex } from './content-hash';
import { checkerTaskQueue, configDefaults } from './defaults';
import type { ConfigIssue } from './errors';
import type {
  CriterionValue,
  DeploymentFile,
  NotificationsFile,
  ParamsFile,
  ProfileFile,
  RuleFile,
  RunbookFile,
  ServiceFile,
} from './file-shapes';
import { validateRunbook, type ParamReference } from './runbook-validation';
import { schemaViolations } from './schema-validation';
import {
  criterionFields,
  deepFreeze,
  type ConfigSnapshot,
  type Criterion,
  type ProfileRule,
  type ResolvedProfile,
  type RulePrecondition,
} from './snapshot';
import { issueAt, parseYamlSource, type YamlSource } from './yaml-source';

export type ConfigFileKind = 'rule' | 'runbook' | 'profile' | 'service' | 'deployment';

export interface ConfigFileText {
  path: string;
  text: string;
}

export interface BuildSnapshotOptions {
  /** Turns the normalized content into the snapshot version; default `sha256:<hex>` computed in plain JS. */
  hashContent?: (normalized: string) => string;
}

export type BuildSnapshotResult =
  { snapshot: ConfigSnapshot; errors?: undefined } | { snapshot?: undefined; errors: ConfigIssue[] };

/** The kind of a configuration file from its path, or undefined when it is not one. */
export function configFileKind(path: string): ConfigFileKind | undefined {
  const parts = path.split(/[\\/]/);
  const base = parts[parts.length - 1] ?? '';
  const folder = parts[parts.length - 2];
  if (!/\.ya?ml$/.test(base)) {
    return undefined;
  }
  switch (folder) {
    case 'rules':
      return 'rule';
    case 'runbooks':
      return 'runbook';
    case 'profiles':
      return 'profile';
    case 'services':
      return /^deployment\.ya?ml$/.test(base) ? 'deployment' : 'service';
    default:
      return undefined;
  }
}

/** Content hash in plain JS: `sha256:<hex>`. */
export function defaultHashContent(normalized: string): string {
  return `sha256:${sha256Hex(normalized)}`;
}

interface Parsed<T> {
  source: YamlSource;
  value: T;
}

type FlatParams = Record<string, string | number | boolean>;

const knownFlatParams = new Set([
  'health_path',
  'health_port',
  'health_timeout_ms',
  'drain_timeout_ms',
  'cluster_timeout_ms',
  'forensics_mode',
  'workflow_timeout_ms',
  'max_event_age_ms',
  'rate_limit_threshold',
  'rate_limit_window_ms',
  'scaling_min_hosts',
  'scaling_max_hosts',
  'scaling_max_step',
  'scaling_cooldown_ms',
]);

function mergeParams(base: ParamsFile, over: ParamsFile | undefined): ParamsFile {
  if (over === undefined) {
    return base;
  }
  return {
    ...base,
    ...over,
    rate_limit: { ...base.rate_limit, ...over.rate_limit },
    scaling: { ...base.scaling, ...over.scaling },
    custom: { ...base.custom, ...over.custom },
  };
}

function flattenParams(params: ParamsFile): FlatParams {
  const d = configDefaults.params;
  const flat: FlatParams = {
    health_path: params.health_path ?? d.health_path,
    health_port: params.health_port ?? d.health_port,
    health_timeout_ms: parseDuration(params.health_timeout ?? d.health_timeout),
    drain_timeout_ms: parseDuration(params.drain_timeout ?? d.drain_timeout),
    cluster_timeout_ms: parseDuration(params.cluster_timeout ?? d.cluster_timeout),
    forensics_mode: params.forensics_mode ?? d.forensics_mode,
    max_event_age_ms: parseDuration(params.max_event_age ?? d.max_event_age),
    rate_limit_threshold: params.rate_limit?.threshold ?? d.rate_limit.threshold,
    rate_limit_window_ms: parseDuration(params.rate_limit?.window ?? d.rate_limit.window),
    scaling_min_hosts: params.scaling?.min_hosts ?? d.scaling.min_hosts,
    scaling_max_hosts: params.scaling?.max_hosts ?? d.scaling.max_hosts,
    scaling_max_step: params.scaling?.max_step ?? d.scaling.max_step,
    scaling_cooldown_ms: parseDuration(params.scaling?.cooldown ?? d.scaling.cooldown),
  };
  if (params.workflow_timeout !== undefined) {
    flat.workflow_timeout_ms = parseDuration(params.workflow_timeout);
  }
  const custom = params.custom ?? {};
  for (const name of Object.keys(custom).sort()) {
    if (!knownFlatParams.has(name)) {
      flat[name] = custom[name];
    }
  }
  return flat;
}

function normalizeCriterion(value: CriterionValue): Criterion {
  if (typeof value === 'string') {
    return { kind: 'exact', values: [value] };
  }
  if (Array.isArray(value)) {
    return { kind: 'list', values: [...value] };
  }
  return { kind: 'pattern', pattern: value.pattern };
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

function eventTypesOf(criterion: Criterion | undefined): string[] | undefined {
  return criterion === undefined || criterion.kind === 'pattern' ? undefined : criterion.values;
}

/** Build the snapshot from file texts; every problem of every file is reported, located, in one pass. */
export function buildSnapshot(
  files: readonly ConfigFileText[],
  options: BuildSnapshotOptions = {},
): BuildSnapshotResult {
  const issues: ConfigIssue[] = [];
  const rules: Parsed<RuleFile>[] = [];
  const runbooks: Parsed<RunbookFile>[] = [];
  const profiles: Parsed<ProfileFile>[] = [];
  const services: Parsed<ServiceFile>[] = [];
  const deployments: Parsed<DeploymentFile>[] = [];
  /** Names declared by files that failed their schema: not reported again as missing. */
  const brokenNames: Record<ConfigFileKind, Set<string>> = {
    rule: new Set(),
    runbook: new Set(),
    profile: new Set(),
    service: new Set(),
    deployment: new Set(),
  };

  let deploymentSeen = false;
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of sorted) {
    const kind = configFileKind(file.path);
    deploymentSeen ||= kind === 'deployment';
    if (kind === undefined) {
      issues.push({
        file: file.path,
        line: 1,
        column: 1,
        path: '',
        message: 'not a configuration file: YAML files belong in rules/, profiles/, profiles/runbooks/ or services/',
      });
      continue;
    }
    const parsed = parseYamlSource(file.path, file.text);
    if (parsed.issues.length > 0) {
      issues.push(...parsed.issues);
      continue;
    }
    const { source } = parsed;
    const violations = schemaViolations(kind, source.value);
    if (violations.length > 0) {
      issues.push(...violations.map((violation) => issueAt(source, violation.segments, violation.message)));
      const name = (source.value as { name?: unknown } | null)?.name;
      if (typeof name === 'string') {
        brokenNames[kind].add(name);
      }
      continue;
    }
    const entry = { source, value: source.value };
    switch (kind) {
      case 'rule':
        rules.push(entry as Parsed<RuleFile>);
        break;
      case 'runbook':
        runbooks.push(entry as Parsed<RunbookFile>);
        break;
      case 'profile':
        profiles.push(entry as Parsed<ProfileFile>);
        break;
      case 'service':
        services.push(entry as Parsed<ServiceFile>);
        break;
      case 'deployment':
        deployments.push(entry as Parsed<DeploymentFile>);
        break;
    }
  }

  const byName = <T extends { name: string }>(kind: string, entries: Parsed<T>[]): Map<string, Parsed<T>> => {
    const map = new Map<string, Parsed<T>>();
    for (const entry of entries) {
      const first = map.get(entry.value.name);
      if (first) {
        issues.push(
          issueAt(entry.source, ['name'], `duplicate ${kind} name "${entry.value.name}" (also ${first.source.file})`),
        );
      } else {
        map.set(entry.value.name, entry);
      }
    }
    return map;
  };
  const ruleByName = byName('rule', rules);
  const runbookByName = byName('runbook', runbooks);
  const profileByName = byName('profile', profiles);
  const serviceByName = byName('service', services);

  // Rules: criteria that can never match or cannot compile.
  for (const { source, value: rule } of ruleByName.values()) {
    for (const field of criterionFields) {
      const criterion = rule.criteria[field];
      if (criterion === undefined) {
        continue;
      }
      if (typeof criterion === 'object' && !Array.isArray(criterion)) {
        try {
          new RegExp(criterion.pattern);
        } catch (error) {
          issues.push(issueAt(source, ['criteria', field, 'pattern'], `invalid regular expression: ${String(error)}`));
        }
        continue;
      }
      const values = typeof criterion === 'string' ? [criterion] : criterion;
      const allowed: readonly string[] | undefined =
        field === 'environment' ? environments : field === 'host_state_type' ? ['HARD', 'SOFT'] : undefined;
      values.forEach((value, index) => {
        const segments = typeof criterion === 'string' ? ['criteria', field] : ['criteria', field, index];
        if (allowed && !allowed.includes(value)) {
          issues.push(
            issueAt(source, segments, `"${value}" can never match: ${field} is one of ${allowed.join(', ')}`),
          );
        }
        if (field === 'event_type' && !/^[A-Za-z][A-Za-z0-9]*$/.test(value)) {
          issues.push(issueAt(source, segments, `"${value}" can never match: event types are letters and digits`));
        }
      });
    }
  }

  // Runbooks: the DAG validator.
  const resolvedRunbooks = new Map<string, ResolvedRunbook>();
  const paramReferences = new Map<string, { source: YamlSource; references: ParamReference[] }>();
  for (const { source, value } of runbookByName.values()) {
    const validation = validateRunbook(source, value);
    issues.push(...validation.issues);
    if (validation.runbook) {
      resolvedRunbooks.set(value.name, validation.runbook);
    }
    paramReferences.set(value.name, { source, references: validation.paramReferences });
  }

  // Profiles: bind rules to runbooks, settle locks and categories, resolve parameters.
  const resolvedProfiles = new Map<string, ResolvedProfile>();
  const profileParamsFile = new Map<string, ParamsFile>();
  for (const { source, value: profile } of profileByName.values()) {
    let ok = true;
    const params = profile.params ?? {};
    for (const name of Object.keys(params.custom ?? {})) {
      if (knownFlatParams.has(name)) {
        issues.push(issueAt(source, ['params', 'custom', name], `"${name}" is a built-in parameter; set it directly`));
        ok = false;
      }
    }
    const flat = flattenParams(params);
    const usedActions = new Set<string>();
    const profileRules: ProfileRule[] = [];
    profile.rules.forEach((ruleName, order) => {
      const ruleEntry = ruleByName.get(ruleName);
      if (!ruleEntry) {
        if (!brokenNames.rule.has(ruleName)) {
          issues.push(issueAt(source, ['rules', order], `unknown rule "${ruleName}" (no rules/*.yaml has that name)`));
        }
        ok = false;
        return;
      }
      const rule = ruleEntry.value;
      usedActions.add(rule.action);
      const runbookName = profile.runbooks?.[rule.action] ?? rule.action;
      const runbookEntry = runbookByName.get(runbookName);
      if (!runbookEntry) {
        if (!brokenNames.runbook.has(runbookName)) {
          const how = profile.runbooks?.[rule.action]
            ? `bound by runbooks.${rule.action}`
            : `action of rule ${ruleName}`;
          issues.push(
            issueAt(source, ['rules', order], `unknown runbook "${runbookName}" (${how}; no profiles/runbooks/*.yaml)`),
          );
        }
        ok = false;
        return;
      }
      for (const reference of paramReferences.get(runbookName)?.references ?? []) {
        if (!Object.prototype.hasOwnProperty.call(flat, reference.name)) {
          issues.push(
            issueAt(
              runbookEntry.source,
              reference.segments,
              `\${params.${reference.name}}: profile "${profile.name}" has no such parameter ` +
                '(built-ins are listed in docs/configuration.md; others go under params.custom)',
            ),
          );
          ok = false;
        }
      }
      const runbook = resolvedRunbooks.get(runbookName);
      if (!runbook) {
        ok = false;
        return;
      }
      const category = ruleCategory(rule, runbook);
      if (typeof category !== 'string') {
        issues.push(issueAt(ruleEntry.source, ['action'], category.problem));
        ok = false;
        return;
      }
      const criteria: ProfileRule['criteria'] = {};
      for (const field of criterionFields) {
        const criterion = rule.criteria[field];
        if (criterion !== undefined) {
          criteria[field] = normalizeCriterion(criterion);
        }
      }
      profileRules.push({
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
      });
    });
    for (const action of Object.keys(profile.runbooks ?? {})) {
      if (!usedActions.has(action) && ok) {
        issues.push(
          issueAt(source, ['runbooks', action], `binds action "${action}", which none of the profile's rules names`),
        );
        ok = false;
      }
    }
    issues.push(...scalingIssues(source, params));
    profileParamsFile.set(profile.name, params);
    if (ok) {
      issues.push(...stepTimeoutIssues(source, flat, profileRules, params));
      profileRules.sort((a, b) => b.specificity - a.specificity || a.order - b.order);
      resolvedProfiles.set(profile.name, {
        name: profile.name,
        ...(profile.description === undefined ? {} : { description: profile.description }),
        rules: profileRules,
        params: flat,
        notifications: profile.notifications ?? {},
        shadow: profile.shadow ?? false,
      });
    }
  }

  // Deployment.
  let deployment: DeploymentSettings | undefined;
  if (!deploymentSeen) {
    issues.push({
      file: 'services/deployment.yaml',
      line: 1,
      column: 1,
      path: '',
      message: 'missing: the deployment file (region, checker nodes, quorum, breaker) is required',
    });
  }
  for (const extra of deployments.slice(1)) {
    issues.push(issueAt(extra.source, [], `a second deployment file (the first is ${deployments[0]?.source.file})`));
  }
  const deploymentEntry = deployments[0];
  if (deploymentEntry) {
    const resolved = resolveDeployment(deploymentEntry.value);
    const before = issues.length;
    issues.push(...deploymentIssues(deploymentEntry.source, resolved));
    if (issues.length === before) {
      deployment = resolved;
    }
  }

  // Services: subscribe to a profile, apply overrides.
  const resolvedServices: Record<string, ServicePolicy> = {};
  for (const { source, value: service } of serviceByName.values()) {
    const profile = resolvedProfiles.get(service.profile);
    const profileParams = profileParamsFile.get(service.profile);
    if (!profileParams) {
      if (!brokenNames.profile.has(service.profile)) {
        issues.push(
          issueAt(source, ['profile'], `unknown profile "${service.profile}" (no profiles/*.yaml has that name)`),
        );
      }
      continue;
    }
    for (const name of Object.keys(service.params?.custom ?? {})) {
      if (knownFlatParams.has(name)) {
        issues.push(issueAt(source, ['params', 'custom', name], `"${name}" is a built-in parameter; set it directly`));
      }
    }
    const merged = mergeParams(profileParams, service.params);
    const scaling = scalingIssues(source, merged, service.params);
    issues.push(...scaling);
    if (!profile || scaling.length > 0) {
      continue;
    }
    const params = service.params === undefined ? profile.params : flattenParams(merged);
    if (service.params !== undefined) {
      const timeouts = stepTimeoutIssues(source, params, profile.rules, service.params);
      if (timeouts.length > 0) {
        issues.push(...timeouts);
        continue;
      }
    }
    resolvedServices[service.name] = servicePolicy(service, profile, params, deploymentEntry?.value.team_email_domain);
  }

  if (issues.length > 0 || deployment === undefined) {
    return { errors: dedupe(issues) };
  }
  const servicesByName: Record<string, ServicePolicy> = {};
  for (const name of Object.keys(resolvedServices).sort()) {
    servicesByName[name] = resolvedServices[name];
  }
  const content = {
    deployment,
    profiles: Object.fromEntries(resolvedProfiles),
    services: servicesByName,
    runbooks: Object.fromEntries(resolvedRunbooks),
  };
  // Normalized content: keys sorted everywhere users control them. Service policies are built here in a fixed key
  // order (custom parameters sorted), so the native serializer is canonical for them and ten times faster.
  const normalized =
    `{"deployment":${canonicalJson(deployment)},"profiles":${canonicalJson(content.profiles)},` +
    `"runbooks":${canonicalJson(content.runbooks)},"services":${JSON.stringify(servicesByName)}}`;
  const hashContent = options.hashContent ?? defaultHashContent;
  const snapshot: ConfigSnapshot = { version: hashContent(normalized), ...content };
  return { snapshot: deepFreeze(snapshot) };
}

/** Issues without repeats, by file, line and column (the order editors and people read them in). */
function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  const sorted = [...issues].sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column,
  );
  return sorted.filter((issue) => {
    const key = `${issue.file}|${issue.line}|${issue.column}|${issue.path}|${issue.message}`;
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
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
  const types = eventTypesOf(normalizeCriterionOrUndefined(rule.criteria.event_type));
  return types && types.every((type) => type === 'ScaleUp' || type === 'ScaleDown')
    ? 'autoscaling'
    : 'host_replacement';
}

function normalizeCriterionOrUndefined(value: CriterionValue | undefined): Criterion | undefined {
  return value === undefined ? undefined : normalizeCriterion(value);
}

function scalingIssues(source: YamlSource, merged: ParamsFile, own: ParamsFile | undefined = merged): ConfigIssue[] {
  const min = merged.scaling?.min_hosts ?? configDefaults.params.scaling.min_hosts;
  const max = merged.scaling?.max_hosts ?? configDefaults.params.scaling.max_hosts;
  if (min <= max) {
    return [];
  }
  const field = own?.scaling?.max_hosts !== undefined ? 'max_hosts' : 'min_hosts';
  return [
    issueAt(source, ['params', 'scaling', field], `scaling.min_hosts (${min}) exceeds scaling.max_hosts (${max})`),
  ];
}

/**
 * A step whose input is a timeout parameter (`timeoutMs: ${params.health_timeout_ms}`) must be allowed to run longer
 * than that timeout, or the step's own timeout cuts the wait short. Reported where the parameter is set (`own`, the
 * profile's or the service's params), so a service is blamed only for what it overrides.
 */
function stepTimeoutIssues(
  source: YamlSource,
  params: FlatParams,
  rules: readonly ProfileRule[],
  own: ParamsFile,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const rule of rules) {
    for (const step of rule.runbook.steps) {
      for (const value of Object.values(step.input)) {
        const match = typeof value === 'string' ? /^\$\{params\.([a-z0-9_]+_timeout_ms)\}$/.exec(value) : null;
        const name = match?.[1];
        const wanted = name === undefined ? undefined : params[name];
        if (name === undefined || typeof wanted !== 'number' || wanted < step.timeout_ms) {
          continue;
        }
        const field = name.replace(/_ms$/, '');
        const segments =
          field in own ? ['params', field] : own.custom && name in own.custom ? ['params', 'custom', name] : [];
        const key = `${field}|${rule.runbook.name}|${step.id}`;
        if (segments.length === 0 || seen.has(key)) {
          continue;
        }
        seen.add(key);
        issues.push(
          issueAt(
            source,
            segments,
            `${field} (${formatDuration(wanted)}) must be shorter than the timeout of step ${step.id} of runbook ` +
              `${rule.runbook.name} (${formatDuration(step.timeout_ms)}), which waits for it`,
          ),
        );
      }
    }
  }
  return issues;
}

function resolveDeployment(file: DeploymentFile): DeploymentSettings {
  const defaults = configDefaults.deployment;
  const nodes: { name: string; zone: string; task_queue?: string }[] =
    file.checker_nodes ??
    defaults.checkerZoneSuffixes.map((suffix) => ({ name: `checker-${suffix}`, zone: `${file.region}${suffix}` }));
  return {
    region: file.region,
    checker_nodes: nodes.map((node) => ({
      name: node.name,
      zone: node.zone,
      task_queue: node.task_queue ?? checkerTaskQueue(node.zone),
    })),
    quorum: file.quorum ?? defaults.quorum,
    quorum_deadline_ms: parseDuration(file.quorum_deadline ?? defaults.quorumDeadline),
    breaker: {
      open_threshold: file.breaker?.open_threshold ?? defaults.breaker.open_threshold,
      close_threshold: file.breaker?.close_threshold ?? defaults.breaker.close_threshold,
      window_ms: parseDuration(file.breaker?.window ?? defaults.breaker.window),
    },
    shadow: file.shadow ?? false,
    ...(file.temporal_ui_url === undefined ? {} : { temporal_ui_url: file.temporal_ui_url }),
    ...(file.notifications === undefined
      ? {}
      : {
          notifications: {
            slack_webhooks: file.notifications.slack_webhooks ?? [],
            emails: file.notifications.emails ?? [],
            ...(file.notifications.pagerduty_routing_key
              ? { pagerduty_routing_key: file.notifications.pagerduty_routing_key }
              : {}),
          },
        }),
  };
}

function deploymentIssues(source: YamlSource, deployment: DeploymentSettings): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const nodes = deployment.checker_nodes;
  if (deployment.quorum > nodes.length) {
    issues.push(issueAt(source, ['quorum'], `quorum ${deployment.quorum} exceeds the ${nodes.length} checker nodes`));
  }
  if (deployment.breaker.close_threshold >= deployment.breaker.open_threshold) {
    issues.push(
      issueAt(
        source,
        ['breaker', 'close_threshold'],
        `must be below open_threshold (${deployment.breaker.open_threshold}) so the breaker does not flap`,
      ),
    );
  }
  const seen = new Set<string>();
  nodes.forEach((node, index) => {
    for (const [field, key] of [
      ['name', `name:${node.name}`],
      ['task_queue', `queue:${node.task_queue}`],
    ] as const) {
      if (seen.has(key)) {
        issues.push(
          issueAt(source, ['checker_nodes', index, field], `duplicate checker node ${field} "${node[field]}"`),
        );
      }
      seen.add(key);
    }
  });
  return issues;
}

function notificationChannels(
  service: ServiceFile,
  profile: ResolvedProfile,
  teamEmailDomain: string | undefined,
): NotificationChannels {
  const own: NotificationsFile = service.notifications ?? {};
  const fallback = profile.notifications;
  const emails = own.emails ?? fallback.emails ?? (teamEmailDomain ? [`${service.team}@${teamEmailDomain}`] : []);
  const routingKey = own.pagerduty_routing_key ?? fallback.pagerduty_routing_key;
  return {
    slack_webhooks: own.slack_webhooks ?? fallback.slack_webhooks ?? [],
    emails,
    ...(routingKey === undefined ? {} : { pagerduty_routing_key: routingKey }),
  };
}

function servicePolicy(
  service: ServiceFile,
  profile: ResolvedProfile,
  params: FlatParams,
  teamEmailDomain: string | undefined,
): ServicePolicy {
  const number = (name: string): number => Number(params[name]);
  return {
    service: service.name,
    team: service.team,
    profile: profile.name,
    params,
    notifications: notificationChannels(service, profile, teamEmailDomain),
    shadow: service.shadow ?? profile.shadow,
    max_event_age_ms: number('max_event_age_ms'),
    rate_limit: { threshold: number('rate_limit_threshold'), window_ms: number('rate_limit_window_ms') },
    scaling: {
      min_hosts: number('scaling_min_hosts'),
      max_hosts: number('scaling_max_hosts'),
      max_step: number('scaling_max_step'),
      cooldown_ms: number('scaling_cooldown_ms'),
    },
  };
}
