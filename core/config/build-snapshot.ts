// The loader's pure part: YAML texts in, one immutable resolved snapshot (or every problem, located) out.
// Each stage reports into one issue list and hands on what it could resolve, so one pass finds every problem.
import type { DeploymentSettings, ResolvedRunbook, ServicePolicy } from '../resolved-config';
import { indexByName, readConfigFiles, type ConfigFileText, type Parsed } from './config-files';
import { canonicalJson } from './canonical-json';
import { resolveDeploymentFile } from './deployment-settings';
import type { ConfigIssue } from './errors';
import type { RunbookFile } from './file-shapes';
import { resolveProfiles } from './profile-resolution';
import { checkRuleCriteria } from './rule-criteria';
import { validateRunbook, type ParamReference } from './runbook-validation';
import { resolveServices } from './service-policies';
import { deepFreeze, type ConfigSnapshot, type ResolvedProfile } from './snapshot';

export { configFileKind, type ConfigFileKind, type ConfigFileText } from './config-files';

export interface BuildSnapshotOptions {
  /**
   * Turns the normalized content into the snapshot version (`sha256:<hex>` from platform/content-hash.ts). The
   * caller's: core has no hashing of its own, so one SHA-256 serves the whole project.
   */
  hashContent: (normalized: string) => string;
}

export type BuildSnapshotResult =
  { snapshot: ConfigSnapshot; errors?: undefined } | { snapshot?: undefined; errors: ConfigIssue[] };

/** Build the snapshot from file texts; every problem of every file is reported, located, in one pass. */
export function buildSnapshot(files: readonly ConfigFileText[], options: BuildSnapshotOptions): BuildSnapshotResult {
  const issues: ConfigIssue[] = [];
  const read = readConfigFiles(files, issues);
  const named = indexByName(read, issues);
  checkRuleCriteria(named.rules, issues);
  const runbooks = validateRunbooks(named.runbooks, issues);
  const profiles = resolveProfiles(
    named.profiles,
    { rules: named.rules, runbooks: named.runbooks, ...runbooks, brokenNames: read.brokenNames },
    issues,
  );
  const deployment = resolveDeploymentFile(read, issues);
  const services = resolveServices(named.services, profiles, read.brokenNames, read.deployments[0], issues);
  if (issues.length > 0 || deployment === undefined) {
    return { errors: dedupe(issues) };
  }
  const snapshot = assembleSnapshot(
    { deployment, profiles: profiles.resolved, services, runbooks: runbooks.resolvedRunbooks },
    options.hashContent,
  );
  return { snapshot: deepFreeze(snapshot) };
}

interface ValidatedRunbooks {
  /** Runbooks without problems, by name. */
  resolvedRunbooks: Map<string, ResolvedRunbook>;
  paramReferences: Map<string, ParamReference[]>;
}

/** Run the DAG validator on every runbook. */
function validateRunbooks(
  runbooks: ReadonlyMap<string, Parsed<RunbookFile>>,
  issues: ConfigIssue[],
): ValidatedRunbooks {
  const validated: ValidatedRunbooks = { resolvedRunbooks: new Map(), paramReferences: new Map() };
  for (const { source, value } of runbooks.values()) {
    const validation = validateRunbook(source, value);
    issues.push(...validation.issues);
    if (validation.runbook) {
      validated.resolvedRunbooks.set(value.name, validation.runbook);
    }
    validated.paramReferences.set(value.name, validation.paramReferences);
  }
  return validated;
}

interface SnapshotContent {
  deployment: DeploymentSettings;
  profiles: ReadonlyMap<string, ResolvedProfile>;
  services: Record<string, ServicePolicy>;
  runbooks: ReadonlyMap<string, ResolvedRunbook>;
}

/** The snapshot of a configuration without problems, versioned by its normalized content. */
function assembleSnapshot(resolved: SnapshotContent, hashContent: (normalized: string) => string): ConfigSnapshot {
  const servicesByName: Record<string, ServicePolicy> = {};
  for (const name of Object.keys(resolved.services).sort()) {
    servicesByName[name] = resolved.services[name];
  }
  const content = {
    deployment: resolved.deployment,
    profiles: Object.fromEntries(resolved.profiles),
    services: servicesByName,
    runbooks: Object.fromEntries(resolved.runbooks),
  };
  // Normalized content: keys sorted everywhere users control them. Service policies are built here in a fixed key
  // order (custom parameters sorted), so the native serializer is canonical for them and ten times faster.
  const normalized =
    `{"deployment":${canonicalJson(content.deployment)},"profiles":${canonicalJson(content.profiles)},` +
    `"runbooks":${canonicalJson(content.runbooks)},"services":${JSON.stringify(servicesByName)}}`;
  return { version: hashContent(normalized), ...content };
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
