// The deployment file: exactly one is required; defaults fill in the checker nodes, quorum and breaker, and the
// settings that would make the quorum or the breaker unworkable are errors.
import { parseDuration } from '../duration';
import type { DeploymentSettings } from '../resolved-config';
import type { ConfigFiles } from './config-files';
import { checkerTaskQueue, configDefaults } from './defaults';
import type { ConfigIssue } from './errors';
import type { DeploymentFile } from './file-shapes';
import { issueAt, type YamlSource } from './yaml-source';

/** The deployment settings, or undefined when the file is missing or has a problem (reported). */
export function resolveDeploymentFile(read: ConfigFiles, issues: ConfigIssue[]): DeploymentSettings | undefined {
  if (!read.deploymentSeen) {
    issues.push({
      file: 'services/deployment.yaml',
      line: 1,
      column: 1,
      path: '',
      message: 'missing: the deployment file (region, checker nodes, quorum, breaker) is required',
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
  const problems = deploymentIssues(entry.source, resolved);
  issues.push(...problems);
  return problems.length === 0 ? resolved : undefined;
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
    ...(file.pagerduty?.default_routing_key === undefined
      ? {}
      : { pagerduty_default_routing_key: file.pagerduty.default_routing_key }),
    page_retry_ms: parseDuration(file.pagerduty?.retry_for ?? defaults.pageRetryFor),
    compensation_retry_ms: parseDuration(file.compensation_retry_for ?? defaults.compensationRetryFor),
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
