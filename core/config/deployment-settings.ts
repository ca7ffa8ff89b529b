// The deployment file: exactly one is required; defaults fill in the checker nodes, quorum and breaker, and the
// settings that would make the quorum or the breaker unworkable are errors.
import { parseDuration } from '../duration';
import type { RegionBreakerSettings, CheckerNode, DeploymentSettings, RegionSettings } from '../resolved-config';
import type { ConfigFiles } from './config-files';
import { checkerTaskQueue, configDefaults } from './defaults';
import type { ConfigIssue } from './errors';
import { defaultQuarantineThresholds } from '../quarantine';
import type { DeploymentFile } from './file-shapes';
import { issueAt, type YamlSource } from './yaml-source';
import { allRegionsName } from '../control';

/** The deployment settings, or undefined when the file is missing or has a problem (reported). */
export function resolveDeploymentFile(read: ConfigFiles, issues: ConfigIssue[]): DeploymentSettings | undefined {
  if (!read.deploymentSeen) {
    issues.push({
      file: 'services/deployment.yaml',
      line: 1,
      column: 1,
      path: '',
      message: 'missing: the deployment file (regions, checker nodes, quorum, breaker) is required',
    });
  }
  for (const extra of read.deployments.slice(1)) {
    issues.push(
      issueAt(extra.source, [], `a second deployment file (the first is ${read.deployments[0]?.source.file})`),
    );
  }
  const entry = read.deployments[0];
  if (!entry) {
    return undefined;
  }
  const resolved = resolveDeployment(entry.value);
  const problems = deploymentIssues(entry.source, entry.value, resolved);
  issues.push(...problems);
  return problems.length === 0 ? resolved : undefined;
}

type NodeFile = { name: string; zone: string; task_queue?: string };
type BreakerFile = NonNullable<DeploymentFile['breaker']>;

/** The home region: `region`, else the first of `regions`. */
function homeRegion(file: DeploymentFile): string {
  return file.region ?? file.regions?.[0]?.name ?? '';
}

function resolveNodes(region: string, nodes: NodeFile[] | undefined): CheckerNode[] {
  const defaults = configDefaults.deployment;
  const declared: NodeFile[] =
    nodes ?? defaults.checkerZoneSuffixes.map((suffix) => ({ name: `checker-${suffix}`, zone: `${region}${suffix}` }));
  return declared.map((node) => ({
    name: node.name,
    zone: node.zone,
    task_queue: node.task_queue ?? checkerTaskQueue(node.zone),
  }));
}

function resolveBreaker(...layers: (BreakerFile | undefined)[]): RegionBreakerSettings {
  const defaults = configDefaults.deployment.breaker;
  const pick = <K extends keyof BreakerFile>(key: K): BreakerFile[K] =>
    layers.find((layer) => layer?.[key] !== undefined)?.[key];
  return {
    open_threshold: pick('open_threshold') ?? defaults.open_threshold,
    close_threshold: pick('close_threshold') ?? defaults.close_threshold,
    window_ms: parseDuration(pick('window') ?? defaults.window),
  };
}

/**
 * The declared regions: `regions:` when given, else the one `region:` (the shorthand). The top-level checker_nodes
 * are the home region's; the top-level breaker is the default of every region's.
 */
function resolveRegions(file: DeploymentFile): RegionSettings[] {
  const home = homeRegion(file);
  const entries = file.regions ?? [{ name: home, ...(file.aws_region ? { aws_region: file.aws_region } : {}) }];
  return entries.map((entry) => ({
    name: entry.name,
    ...(entry.aws_region ? { aws_region: entry.aws_region } : {}),
    checker_nodes: resolveNodes(
      entry.name,
      entry.checker_nodes ?? (entry.name === home ? file.checker_nodes : undefined),
    ),
    breaker: resolveBreaker(entry.breaker, file.breaker),
  }));
}

function resolveDeployment(file: DeploymentFile): DeploymentSettings {
  const defaults = configDefaults.deployment;
  const regions = resolveRegions(file);
  const home = regions.find((region) => region.name === homeRegion(file)) ?? regions[0];
  return {
    region: home.name,
    regions: regions.map((region) => region.name),
    region_settings: Object.fromEntries(regions.map((region) => [region.name, region])),
    control_realm: file.control_realm ?? home.name,
    checker_nodes: home.checker_nodes,
    quorum: file.quorum ?? defaults.quorum,
    quorum_deadline_ms: parseDuration(file.quorum_deadline ?? defaults.quorumDeadline),
    breaker: home.breaker,
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
    ...(file.pagerduty?.default_routing_key === undefined
      ? {}
      : { pagerduty_default_routing_key: file.pagerduty.default_routing_key }),
    page_retry_ms: parseDuration(file.pagerduty?.retry_for ?? defaults.pageRetryFor),
    compensation_retry_ms: parseDuration(file.compensation_retry_for ?? defaults.compensationRetryFor),
    // absent when the file has none: remediate() then applies defaultQuarantineThresholds
    ...(file.quarantine === undefined ? {} : { quarantine: { ...defaultQuarantineThresholds, ...file.quarantine } }),
  };
}

function deploymentIssues(source: YamlSource, file: DeploymentFile, deployment: DeploymentSettings): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const regions = Object.values(deployment.region_settings ?? {});
  // where a region's settings are written: its regions: entry, or the top level (the shorthand, the home region)
  const at = (name: string, ...rest: (string | number)[]): (string | number)[] => {
    const index = file.regions?.findIndex((entry) => entry.name === name) ?? -1;
    return index >= 0 ? ['regions', index, ...rest] : rest;
  };
  const names = new Set<string>();
  file.regions?.forEach((entry, index) => {
    if (names.has(entry.name))
      issues.push(issueAt(source, ['regions', index, 'name'], `duplicate region "${entry.name}"`));
    names.add(entry.name);
  });
  if (file.control_realm !== undefined && !deployment.regions?.includes(file.control_realm)) {
    issues.push(
      issueAt(
        source,
        ['control_realm'],
        `the control realm "${file.control_realm}" is not a declared region (${(deployment.regions ?? []).join(', ')})`,
      ),
    );
  }
  if (file.aws_region !== undefined && file.regions) {
    issues.push(issueAt(source, ['aws_region'], "with regions:, give aws_region in each region's entry"));
  }
  if ((deployment.regions ?? []).includes(allRegionsName)) {
    const index = file.regions?.findIndex((entry) => entry.name === allRegionsName) ?? -1;
    issues.push(
      issueAt(
        source,
        index >= 0 ? ['regions', index, 'name'] : ['region'],
        `"${allRegionsName}" cannot be a region: it names the kill switch of every region`,
      ),
    );
  }
  if (file.region !== undefined && file.regions && !names.has(file.region)) {
    issues.push(
      issueAt(source, ['region'], `the home region "${file.region}" is not one of regions (${[...names].join(', ')})`),
    );
  }
  const homeEntry = file.regions?.findIndex((entry) => entry.name === deployment.region) ?? -1;
  if (file.checker_nodes && homeEntry >= 0 && file.regions?.[homeEntry]?.checker_nodes) {
    issues.push(
      issueAt(
        source,
        ['regions', homeEntry, 'checker_nodes'],
        `the home region's checker nodes are given twice (here and at the top level)`,
      ),
    );
  }
  const seen = new Set<string>();
  for (const region of regions) {
    const nodes = region.checker_nodes;
    if (deployment.quorum > nodes.length) {
      issues.push(
        issueAt(
          source,
          ['quorum'],
          `quorum ${deployment.quorum} exceeds the ${nodes.length} checker nodes` +
            (regions.length > 1 ? ` of region ${region.name}` : ''),
        ),
      );
    }
    if (region.breaker.close_threshold >= region.breaker.open_threshold) {
      const own = file.regions?.find((entry) => entry.name === region.name)?.breaker?.close_threshold !== undefined;
      issues.push(
        issueAt(
          source,
          own ? at(region.name, 'breaker', 'close_threshold') : ['breaker', 'close_threshold'],
          `must be below open_threshold (${region.breaker.open_threshold}) so the breaker does not flap`,
        ),
      );
    }
    const ownNodes = file.regions?.find((entry) => entry.name === region.name)?.checker_nodes !== undefined;
    nodes.forEach((node, index) => {
      for (const [field, key] of [
        ['name', `name:${region.name}:${node.name}`],
        ['task_queue', `queue:${node.task_queue}`],
      ] as const) {
        if (seen.has(key)) {
          issues.push(
            issueAt(
              source,
              ownNodes ? at(region.name, 'checker_nodes', index, field) : ['checker_nodes', index, field],
              `duplicate checker node ${field} "${node[field]}"`,
            ),
          );
        }
        seen.add(key);
      }
    });
  }
  return dedupe(issues);
}

/** One issue per place and message (a top-level breaker shared by several regions is wrong once). */
function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}|${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
