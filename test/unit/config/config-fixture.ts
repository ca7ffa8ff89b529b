// A small, valid configuration as in-memory files, for tests to break one piece at a time.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSnapshot, type ConfigFileText, type ConfigIssue, type ConfigSnapshot } from '../../../core/config';
import type { LazarusEvent } from '../../../core';
import { snapshotVersion } from '../../../platform/content-hash';

export const repoRoot = join(__dirname, '..', '..', '..');

/** The minimal deployment's paging default: the route of every service here without its own. */
export const fixtureRoutingKey = 'R0UT1NGKEYFIXTURE000000000000000';
const pagingDefault = `pagerduty:\n  default_routing_key: ${fixtureRoutingKey}\n`;
const minimalDeployment = 'region: us-east-1\n';

export const minimalFiles: Record<string, string> = {
  'rules/host_down.yaml': `name: host_down
criteria:
  event_type: NagiosHostAlarm
  host_state_type: HARD
preconditions:
  - check: MinActiveHosts
  - check: HealthCheckDown
action: replace_host
`,
  'rules/any_health.yaml': `name: any_health
criteria:
  event_type: HealthcheckDown
action: replace_host
`,
  'profiles/runbooks/replace_host.yaml': `name: replace_host
steps:
  - id: drain
    activity: drainHost
    input:
      instanceId: \${event.host}
  - id: clone
    activity: cloneHost
    needs: [drain]
    input:
      instanceId: \${event.host}
      idempotencyKey: \${remediation.id}/clone
`,
  'profiles/basic.yaml': `name: basic
rules: [host_down, any_health]
`,
  'services/web.yaml': `name: web
team: frontend
profile: basic
`,
  'services/deployment.yaml': `${minimalDeployment}${pagingDefault}`,
};

/**
 * The minimal files with some replaced (a value of undefined removes the file). A deployment file given here gets
 * the paging default too (every service needs a route), unless it has a `pagerduty:` section of its own or
 * `pagingDefault: false` asks for none.
 */
export function filesWith(
  changes: Record<string, string | undefined> = {},
  options: { pagingDefault?: boolean } = {},
): ConfigFileText[] {
  const merged: Record<string, string | undefined> = { ...minimalFiles, ...changes };
  const deployment = 'services/deployment.yaml' in changes ? changes['services/deployment.yaml'] : minimalDeployment;
  merged['services/deployment.yaml'] =
    deployment === undefined || options.pagingDefault === false || /^pagerduty:/m.test(deployment)
      ? deployment
      : `${deployment.endsWith('\n') ? deployment : `${deployment}\n`}${pagingDefault}`;
  return Object.entries(merged)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([path, text]) => ({ path, text }));
}

export function snapshotOf(files: ConfigFileText[]): ConfigSnapshot {
  const result = buildSnapshot(files, { hashContent: snapshotVersion });
  if (result.errors) {
    throw new Error(`expected a valid configuration, got:\n${JSON.stringify(result.errors, null, 2)}`);
  }
  return result.snapshot;
}

export function issuesOf(files: ConfigFileText[]): ConfigIssue[] {
  const result = buildSnapshot(files, { hashContent: snapshotVersion });
  if (!result.errors) {
    throw new Error('expected configuration errors, got a snapshot');
  }
  return result.errors;
}

/** The repository's own rules/, profiles/ and services/ files. */
export function shippedFiles(): ConfigFileText[] {
  const files: ConfigFileText[] = [];
  for (const folder of ['rules', 'profiles', 'profiles/runbooks', 'services']) {
    for (const name of readdirSync(join(repoRoot, folder))) {
      if (name.endsWith('.yaml')) {
        files.push({ path: `${folder}/${name}`, text: readFileSync(join(repoRoot, folder, name), 'utf8') });
      }
    }
  }
  return files;
}

export function eventOf(overrides: Partial<LazarusEvent> = {}): LazarusEvent {
  return {
    incident_key: 'nagios/web/i-0abc',
    event_type: 'NagiosHostAlarm',
    source: 'nagios',
    service: 'web',
    host: 'i-0abc',
    region: 'us-east-1',
    environment: 'prod',
    occurred_at: '2026-11-22T01:00:00Z',
    host_state_type: 'HARD',
    ...overrides,
  };
}
