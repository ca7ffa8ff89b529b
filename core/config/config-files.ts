// The snapshot builder's first stages: which kind each file is, its YAML and schema checks, and the files by name.
// Which kind a file is follows from the folder it sits in: rules/, profiles/runbooks/ (any folder named runbooks),
// profiles/, services/ (services/deployment.yaml is the deployment file, services/sensors.yaml the sensor mapping).
import type { ConfigIssue } from './errors';
import type { DeploymentFile, ProfileFile, RuleFile, RunbookFile, ServiceFile } from './file-shapes';
import { schemaViolations } from './schema-validation';
import { sensorMappingIssues } from './sensor-mapping';
import { issueAt, parseYamlSource, type YamlSource } from './yaml-source';

export type ConfigFileKind = 'rule' | 'runbook' | 'profile' | 'service' | 'deployment' | 'sensors';

export interface ConfigFileText {
  path: string;
  text: string;
}

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
      if (/^sensors\.ya?ml$/.test(base)) return 'sensors';
      return /^deployment\.ya?ml$/.test(base) ? 'deployment' : 'service';
    default:
      return undefined;
  }
}

/** A schema-valid file: its content, and its source to locate problems in. */
export interface Parsed<T> {
  source: YamlSource;
  value: T;
}

/** Names declared by files that failed their schema: not reported again as missing. */
export type BrokenNames = Record<ConfigFileKind, Set<string>>;

/** The schema-valid files of each kind, in path order. */
export interface ConfigFiles {
  rules: Parsed<RuleFile>[];
  runbooks: Parsed<RunbookFile>[];
  profiles: Parsed<ProfileFile>[];
  services: Parsed<ServiceFile>[];
  deployments: Parsed<DeploymentFile>[];
  brokenNames: BrokenNames;
  /** Whether a deployment file was given at all, valid or not: a broken one is not also reported as missing. */
  deploymentSeen: boolean;
}

/** Sort the files by path (so problems and duplicates come out the same whatever order they were read in) and parse. */
export function readConfigFiles(files: readonly ConfigFileText[], issues: ConfigIssue[]): ConfigFiles {
  const read: ConfigFiles = {
    rules: [],
    runbooks: [],
    profiles: [],
    services: [],
    deployments: [],
    brokenNames: {
      rule: new Set(),
      runbook: new Set(),
      profile: new Set(),
      service: new Set(),
      deployment: new Set(),
      sensors: new Set(),
    },
    deploymentSeen: false,
  };
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of sorted) {
    const kind = configFileKind(file.path);
    read.deploymentSeen ||= kind === 'deployment';
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
    if (kind === 'sensors') {
      // The sensor mapping is the API's (services/sensors.yaml): checked here so `lazarus validate` reports it.
      issues.push(...sensorMappingIssues(parsed.source));
      continue;
    }
    const entry = schemaCheckedFile(kind, parsed.source, read.brokenNames, issues);
    if (entry !== undefined) {
      fileInto(read, kind, entry);
    }
  }
  return read;
}

function schemaCheckedFile(
  kind: ConfigFileKind,
  source: YamlSource,
  brokenNames: BrokenNames,
  issues: ConfigIssue[],
): Parsed<unknown> | undefined {
  const violations = schemaViolations(kind, source.value);
  if (violations.length === 0) {
    return { source, value: source.value };
  }
  issues.push(...violations.map((violation) => issueAt(source, violation.segments, violation.message)));
  const name = (source.value as { name?: unknown } | null)?.name;
  if (typeof name === 'string') {
    brokenNames[kind].add(name);
  }
  return undefined;
}

/** The schema has checked the shape, so the casts to the kind's file shape hold. */
function fileInto(read: ConfigFiles, kind: ConfigFileKind, entry: Parsed<unknown>): void {
  switch (kind) {
    case 'rule':
      read.rules.push(entry as Parsed<RuleFile>);
      break;
    case 'runbook':
      read.runbooks.push(entry as Parsed<RunbookFile>);
      break;
    case 'profile':
      read.profiles.push(entry as Parsed<ProfileFile>);
      break;
    case 'service':
      read.services.push(entry as Parsed<ServiceFile>);
      break;
    case 'deployment':
      read.deployments.push(entry as Parsed<DeploymentFile>);
      break;
  }
}

/** The rules, runbooks, profiles and services by name. */
export interface NamedFiles {
  rules: Map<string, Parsed<RuleFile>>;
  runbooks: Map<string, Parsed<RunbookFile>>;
  profiles: Map<string, Parsed<ProfileFile>>;
  services: Map<string, Parsed<ServiceFile>>;
}

/** Index each kind by name; a second file with a name already taken is an error, and the first one wins. */
export function indexByName(read: ConfigFiles, issues: ConfigIssue[]): NamedFiles {
  return {
    rules: uniqueNames('rule', read.rules, issues),
    runbooks: uniqueNames('runbook', read.runbooks, issues),
    profiles: uniqueNames('profile', read.profiles, issues),
    services: uniqueNames('service', read.services, issues),
  };
}

function uniqueNames<T extends { name: string }>(
  kind: string,
  entries: Parsed<T>[],
  issues: ConfigIssue[],
): Map<string, Parsed<T>> {
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
}
