// Profile and service parameters: merging a service's overrides onto its profile's, flattening them into the
// name → value table runbooks read with ${params.<name>}, and the checks that need the merged values.
import { formatDuration, parseDuration } from '../duration';
import { configDefaults } from './defaults';
import type { ConfigIssue } from './errors';
import type { ParamsFile } from './file-shapes';
import type { ProfileRule } from './snapshot';
import { issueAt, type YamlSource } from './yaml-source';

export type FlatParams = Record<string, string | number | boolean>;

/** The names flattenParams gives the built-in parameters; a custom parameter may not take one of them. */
const knownFlatParams = new Set([
  'health_path',
  'health_port',
  'health_timeout_ms',
  'drain_timeout_ms',
  'cluster_timeout_ms',
  'forensics_mode',
  'workflow_timeout_ms',
  'max_event_age_ms',
  'ack_window_ms',
  'rate_limit_threshold',
  'rate_limit_window_ms',
  'scaling_min_hosts',
  'scaling_max_hosts',
  'scaling_max_step',
  'scaling_cooldown_ms',
  'scaling_retire_min_age_ms',
]);

export function mergeParams(base: ParamsFile, over: ParamsFile | undefined): ParamsFile {
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

export function flattenParams(params: ParamsFile): FlatParams {
  const d = configDefaults.params;
  const flat: FlatParams = {
    health_path: params.health_path ?? d.health_path,
    health_port: params.health_port ?? d.health_port,
    health_timeout_ms: parseDuration(params.health_timeout ?? d.health_timeout),
    drain_timeout_ms: parseDuration(params.drain_timeout ?? d.drain_timeout),
    cluster_timeout_ms: parseDuration(params.cluster_timeout ?? d.cluster_timeout),
    forensics_mode: params.forensics_mode ?? d.forensics_mode,
    max_event_age_ms: parseDuration(params.max_event_age ?? d.max_event_age),
    ack_window_ms: parseDuration(params.ack_window ?? d.ack_window),
    rate_limit_threshold: params.rate_limit?.threshold ?? d.rate_limit.threshold,
    rate_limit_window_ms: parseDuration(params.rate_limit?.window ?? d.rate_limit.window),
    scaling_min_hosts: params.scaling?.min_hosts ?? d.scaling.min_hosts,
    scaling_max_hosts: params.scaling?.max_hosts ?? d.scaling.max_hosts,
    scaling_max_step: params.scaling?.max_step ?? d.scaling.max_step,
    scaling_cooldown_ms: parseDuration(params.scaling?.cooldown ?? d.scaling.cooldown),
    // a scale-down leaves hosts younger than this alone: by default a clone still inside its verification window
    scaling_retire_min_age_ms: parseDuration(
      params.scaling?.retire_min_age ?? params.health_timeout ?? d.health_timeout,
    ),
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

/** Custom parameters named like a built-in one: flattening would drop them, so the user would wonder where they went. */
export function shadowedBuiltInIssues(source: YamlSource, params: ParamsFile | undefined): ConfigIssue[] {
  return Object.keys(params?.custom ?? {})
    .filter((name) => knownFlatParams.has(name))
    .map((name) => issueAt(source, ['params', 'custom', name], `"${name}" is a built-in parameter; set it directly`));
}

export function scalingIssues(
  source: YamlSource,
  merged: ParamsFile,
  own: ParamsFile | undefined = merged,
): ConfigIssue[] {
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
export function stepTimeoutIssues(
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
