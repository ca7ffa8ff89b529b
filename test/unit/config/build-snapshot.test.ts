import { buildSnapshot, formatConfigIssue, matchEvent } from '../../../core/config';
import { snapshotVersion } from '../../../platform/content-hash';
import {
  eventOf,
  filesWith,
  fixtureRoutingKey,
  issuesOf,
  minimalFiles,
  shippedFiles,
  snapshotOf,
} from './config-fixture';

describe('the shipped configuration', () => {
  it('validates cleanly', () => {
    const result = buildSnapshot(shippedFiles(), { hashContent: snapshotVersion });
    expect(result.errors?.map(formatConfigIssue) ?? []).toEqual([]);
  });

  it('ships the four profiles and puts every example service on one', () => {
    const snapshot = snapshotOf(shippedFiles());
    expect(Object.keys(snapshot.profiles).sort()).toEqual([
      'cassandra',
      'elastic_search',
      'stateless',
      'stateless_with_standby_pivot',
    ]);
    expect(Object.values(snapshot.services).map((service) => `${service.service}:${service.profile}`)).toEqual(
      expect.arrayContaining([
        'web:stateless',
        'search:elastic_search',
        'ring:cassandra',
        'api:stateless_with_standby_pivot',
      ]),
    );
  });

  it('locks the service for Elasticsearch and Cassandra nodes, the host for stateless ones', () => {
    const { profiles } = snapshotOf(shippedFiles());
    expect(profiles.elastic_search?.rules.every((rule) => rule.lock === 'service')).toBe(true);
    expect(profiles.cassandra?.rules.every((rule) => rule.lock === 'service')).toBe(true);
    expect(profiles.stateless?.rules.find((rule) => rule.name === 'nagios_host_down')?.lock).toBe('host');
  });

  it('derives kill-switch categories from the runbooks: replacement and autoscaling', () => {
    const rules = snapshotOf(shippedFiles()).profiles.stateless?.rules ?? [];
    const categories = Object.fromEntries(rules.map((rule) => [rule.name, rule.category]));
    expect(categories).toEqual({
      nagios_host_down: 'host_replacement',
      healthcheck_down: 'host_replacement',
      aws_scheduled_event: 'host_replacement',
      scale_up: 'autoscaling',
      scale_down: 'autoscaling',
    });
  });

  it("gives every example service a paging route: its own key, its team's or the deployment's default", () => {
    const snapshot = snapshotOf(shippedFiles());
    const routes = Object.fromEntries(
      Object.values(snapshot.services).map((service) => [service.service, service.notifications.pagerduty_routing_key]),
    );
    expect(routes).toEqual({
      api: 'R0UT1NGKEYPLATFORM00000000000000',
      checkout: 'R0UT1NGKEYCHECKOUT0000000000000000',
      ring: 'R0UT1NGKEYSRE0000000000000000000',
      search: 'R0UT1NGKEYSRE0000000000000000000',
      web: 'R0UT1NGKEYFRONTEND00000000000000',
    });
    expect(snapshot.deployment.pagerduty_default_routing_key).toBe('R0UT1NGKEYSRE0000000000000000000');
  });

  it('starts with a yaml-language-server schema line in every file', () => {
    for (const file of shippedFiles()) {
      expect(file.text.split('\n')[0]).toMatch(
        /^# yaml-language-server: \$schema=(\.\.\/)+core\/schemas\/\w+\.schema\.json$/,
      );
    }
  });
});

describe('buildSnapshot', () => {
  it('is enough for a service to give its name, team and profile; defaults fill the rest', () => {
    const snapshot = snapshotOf(filesWith());
    expect(snapshot.services.web).toMatchObject({
      service: 'web',
      team: 'frontend',
      profile: 'basic',
      shadow: false,
      max_event_age_ms: 15 * 60_000,
      rate_limit: { threshold: 3, window_ms: 10 * 60_000 },
      scaling: { min_hosts: 2, max_hosts: 100, max_step: 5, cooldown_ms: 10 * 60_000 },
      notifications: { slack_webhooks: [], emails: [], pagerduty_routing_key: fixtureRoutingKey },
    });
    const defaultNodes = ['a', 'b', 'c'].map((zone) => ({
      name: `checker-${zone}`,
      zone: `us-east-1${zone}`,
      task_queue: `lazarus-checker-us-east-1${zone}`,
    }));
    const defaultBreaker = { open_threshold: 5, close_threshold: 2, window_ms: 10 * 60_000 };
    expect(snapshot.deployment).toEqual({
      region: 'us-east-1',
      regions: ['us-east-1'],
      control_realm: 'us-east-1',
      region_settings: { 'us-east-1': { name: 'us-east-1', checker_nodes: defaultNodes, breaker: defaultBreaker } },
      checker_nodes: defaultNodes,
      quorum: 2,
      quorum_deadline_ms: 45_000,
      breaker: defaultBreaker,
      shadow: false,
      pagerduty_default_routing_key: fixtureRoutingKey,
      page_retry_ms: 6 * 3600_000,
      compensation_retry_ms: 5 * 60_000,
    });
  });

  it('takes how long pages and compensations keep retrying from the deployment file', () => {
    const snapshot = snapshotOf(
      filesWith({
        'services/deployment.yaml':
          'region: us-east-1\npagerduty:\n  default_routing_key: R0UT1NGKEY\n  retry_for: 2h\ncompensation_retry_for: 90s\n',
      }),
    );
    expect(snapshot.deployment).toMatchObject({ page_retry_ms: 2 * 3600_000, compensation_retry_ms: 90_000 });
  });

  it('notifies the owning team by email when the deployment names a team email domain', () => {
    const snapshot = snapshotOf(
      filesWith({ 'services/deployment.yaml': 'region: us-east-1\nteam_email_domain: example.com\n' }),
    );
    expect(snapshot.services.web?.notifications.emails).toEqual(['frontend@example.com']);
  });

  it('produces a deeply frozen snapshot', () => {
    const snapshot = snapshotOf(filesWith());
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.isFrozen(snapshot.services.web?.params)).toBe(true);
    expect(Object.isFrozen(snapshot.runbooks.replace_host?.steps[0]?.input)).toBe(true);
  });

  it('versions the snapshot by content: comments and key order do not change it, values do', () => {
    const version = snapshotOf(filesWith()).version;
    expect(version).toMatch(/^sha256:[0-9a-f]{64}$/);
    const reordered = snapshotOf(
      filesWith({ 'services/web.yaml': '# the web tier\nprofile: basic\nteam: frontend\nname: web\n' }),
    ).version;
    const changed = snapshotOf(
      filesWith({ 'services/web.yaml': 'name: web\nteam: frontend\nprofile: basic\nshadow: true\n' }),
    ).version;
    expect(reordered).toBe(version);
    expect(changed).not.toBe(version);
  });

  it('uses the hash function it is given', () => {
    const result = buildSnapshot(filesWith(), { hashContent: (text) => `len:${text.length}` });
    expect(result.errors).toBeUndefined();
    expect(result.snapshot?.version).toMatch(/^len:\d+$/);
  });
});

describe('cross-file checks', () => {
  const messages = (changes: Record<string, string | undefined>): string[] =>
    issuesOf(filesWith(changes)).map(formatConfigIssue);

  it('rejects a profile naming an unknown rule', () => {
    expect(messages({ 'profiles/basic.yaml': 'name: basic\nrules: [host_down, disk_full]\n' })).toEqual([
      'profiles/basic.yaml:2:20: rules[1]: unknown rule "disk_full" (no rules/*.yaml has that name)',
    ]);
  });

  it('rejects a rule whose action names no runbook', () => {
    expect(
      messages({
        'rules/any_health.yaml': 'name: any_health\ncriteria: { event_type: HealthcheckDown }\naction: reboot\n',
      }),
    ).toEqual([
      expect.stringContaining(
        'profiles/basic.yaml:2:20: rules[1]: unknown runbook "reboot" (action of rule any_health',
      ),
    ]);
  });

  it('rejects a runbook binding to an unknown runbook and a binding no rule uses', () => {
    expect(
      messages({ 'profiles/basic.yaml': 'name: basic\nrules: [host_down]\nrunbooks:\n  replace_host: es_replace\n' }),
    ).toEqual([expect.stringContaining('unknown runbook "es_replace" (bound by runbooks.replace_host')]);
    expect(
      messages({ 'profiles/basic.yaml': 'name: basic\nrules: [host_down]\nrunbooks:\n  scale_up: replace_host\n' }),
    ).toEqual([
      'profiles/basic.yaml:4:3: runbooks.scale_up: binds action "scale_up", which none of the profile\'s rules names',
    ]);
  });

  it('rejects a service on an unknown profile', () => {
    expect(messages({ 'services/web.yaml': 'name: web\nteam: frontend\nprofile: stateles\n' })).toEqual([
      'services/web.yaml:3:1: profile: unknown profile "stateles" (no profiles/*.yaml has that name)',
    ]);
  });

  it('rejects two files declaring the same name', () => {
    expect(messages({ 'services/web2.yaml': minimalFiles['services/web.yaml'] })).toEqual([
      'services/web2.yaml:1:1: name: duplicate service name "web" (also services/web.yaml)',
    ]);
  });

  it('requires the deployment file', () => {
    expect(messages({ 'services/deployment.yaml': undefined })).toEqual([
      expect.stringContaining('services/deployment.yaml:1:1: <root>: missing: the deployment file'),
    ]);
  });

  it('rejects a quorum larger than the checker nodes and a breaker without hysteresis', () => {
    expect(
      messages({
        'services/deployment.yaml':
          'region: eu-west-1\nchecker_nodes:\n  - { name: a, zone: eu-west-1a }\n  - { name: b, zone: eu-west-1b }\nquorum: 3\nbreaker: { open_threshold: 3, close_threshold: 3 }\n',
      }),
    ).toEqual([
      'services/deployment.yaml:5:1: quorum: quorum 3 exceeds the 2 checker nodes',
      'services/deployment.yaml:6:31: breaker.close_threshold: must be below open_threshold (3) so the breaker does not flap',
    ]);
  });

  it('rejects duplicate checker node names', () => {
    expect(
      messages({
        'services/deployment.yaml':
          'region: eu-west-1\nchecker_nodes:\n  - { name: a, zone: eu-west-1a }\n  - { name: a, zone: eu-west-1b }\n',
      }),
    ).toEqual(['services/deployment.yaml:4:7: checker_nodes[1].name: duplicate checker node name "a"']);
  });

  it('rejects a service override that puts scaling.min_hosts above max_hosts', () => {
    expect(
      messages({
        'services/web.yaml': 'name: web\nteam: frontend\nprofile: basic\nparams:\n  scaling: { max_hosts: 1 }\n',
      }),
    ).toEqual([
      'services/web.yaml:5:14: params.scaling.max_hosts: scaling.min_hosts (2) exceeds scaling.max_hosts (1)',
    ]);
  });

  it('rejects criteria that can never match: invalid patterns, environments, host states', () => {
    expect(
      messages({
        'rules/any_health.yaml':
          'name: any_health\ncriteria:\n  event_type: HealthcheckDown\n  service: { pattern: "^web-(" }\n  environment: [prod, production]\n  host_state_type: hard\naction: replace_host\n',
      }),
    ).toEqual([
      expect.stringContaining('rules/any_health.yaml:4:14: criteria.service.pattern: invalid regular expression'),
      'rules/any_health.yaml:5:23: criteria.environment[1]: "production" can never match: environment is one of dev, stage, prod',
      'rules/any_health.yaml:6:3: criteria.host_state_type: "hard" can never match: host_state_type is one of HARD, SOFT',
    ]);
  });

  it('rejects a timeout parameter longer than the step that waits for it, where it is set', () => {
    const runbook = `${minimalFiles['profiles/runbooks/replace_host.yaml']}  - id: verify\n    activity: waitHealthy\n    needs: [clone]\n    input:\n      instanceId: i\n      timeoutMs: \${params.health_timeout_ms}\n    timeout: 12m\n`;
    expect(
      messages({
        'profiles/runbooks/replace_host.yaml': runbook,
        'services/web.yaml': 'name: web\nteam: frontend\nprofile: basic\nparams:\n  health_timeout: 15m\n',
      }),
    ).toEqual([
      'services/web.yaml:5:3: params.health_timeout: health_timeout (15m) must be shorter than the timeout of step verify of runbook replace_host (12m), which waits for it',
    ]);
    expect(
      messages({
        'profiles/runbooks/replace_host.yaml': runbook,
        'profiles/basic.yaml': 'name: basic\nrules: [host_down]\nparams:\n  health_timeout: 1h\n',
      }),
    ).toEqual([
      expect.stringContaining('profiles/basic.yaml:4:3: params.health_timeout: health_timeout (1h) must be shorter'),
    ]);
  });

  it('rejects a custom parameter that shadows a built-in one', () => {
    expect(
      messages({ 'profiles/basic.yaml': 'name: basic\nrules: [host_down]\nparams:\n  custom: { health_port: 1 }\n' }),
    ).toEqual([
      'profiles/basic.yaml:4:13: params.custom.health_port: "health_port" is a built-in parameter; set it directly',
    ]);
  });

  it('asks for an explicit category when a runbook mixes replacement and autoscaling activities', () => {
    const runbook =
      'name: replace_host\nsteps:\n  - id: drain\n    activity: drainHost\n    input: { instanceId: i }\n  - id: retire\n    activity: retireHosts\n    input: { instanceIds: [i] }\n';
    expect(messages({ 'profiles/runbooks/replace_host.yaml': runbook })).toEqual([
      expect.stringContaining(
        'rules/any_health.yaml:4:1: action: runbook "replace_host" mixes host_replacement and autoscaling',
      ),
      expect.stringContaining('rules/host_down.yaml:8:1: action: runbook "replace_host" mixes'),
    ]);
    const explicit = snapshotOf(
      filesWith({
        'profiles/runbooks/replace_host.yaml': runbook,
        'profiles/basic.yaml': 'name: basic\nrules: [host_down]\n',
        'rules/host_down.yaml': `${minimalFiles['rules/host_down.yaml']}category: host_replacement\n`,
      }),
    );
    expect(explicit.profiles.basic?.rules[0]?.category).toBe('host_replacement');
  });
});

describe('paging routes', () => {
  const service = (notifications = '', team = 'frontend'): string =>
    `name: web\nteam: ${team}\nprofile: basic\n${notifications}`;
  const own = 'notifications:\n  pagerduty_routing_key: OWNKEY\n';
  const teams = 'teams:\n  frontend: { pagerduty_routing_key: TEAMKEY }\n  payments: {}\n';
  const deploymentDefault = 'pagerduty:\n  default_routing_key: DEFAULTKEY\n';
  const routeOf = (changes: Record<string, string>): string | undefined =>
    snapshotOf(filesWith(changes, { pagingDefault: false })).services.web?.notifications.pagerduty_routing_key;

  it('refuses a service without any route, naming its file, the field and where a default can go', () => {
    expect(
      issuesOf(filesWith({ 'services/web.yaml': service() }, { pagingDefault: false })).map(formatConfigIssue),
    ).toEqual([
      "services/web.yaml:1:1: notifications.pagerduty_routing_key: no PagerDuty routing key, so the service's pages " +
        'would go nowhere: set notifications.pagerduty_routing_key here or in profile "basic", or ' +
        'teams.frontend.pagerduty_routing_key or pagerduty.default_routing_key in services/deployment.yaml',
    ]);
    // at the service's notifications when it has some; another team's default is no route for it
    expect(
      issuesOf(
        filesWith(
          {
            'services/web.yaml': service('notifications:\n  emails: [web@example.com]\n', 'payments'),
            'services/deployment.yaml': `region: us-east-1\n${teams}`,
          },
          { pagingDefault: false },
        ),
      ).map((issue) => `${issue.file}:${issue.line}:${issue.column}: ${issue.path}`),
    ).toEqual(['services/web.yaml:4:1: notifications.pagerduty_routing_key']);
  });

  it("is reported with the deployment file's own problems, in one pass", () => {
    expect(
      issuesOf(
        filesWith(
          { 'services/web.yaml': service(), 'services/deployment.yaml': 'region: us-east-1\nquorum: 9\n' },
          {
            pagingDefault: false,
          },
        ),
      ).map((issue) => `${issue.file}: ${issue.path}`),
    ).toEqual(['services/deployment.yaml: quorum', 'services/web.yaml: notifications.pagerduty_routing_key']);
  });

  it("takes the service's own key, else its profile's, else its team's, else the deployment's default", () => {
    const deployment = `region: us-east-1\n${teams}${deploymentDefault}`;
    const profileWithKey = `${minimalFiles['profiles/basic.yaml']}notifications:\n  pagerduty_routing_key: PROFILEKEY\n`;
    expect(
      routeOf({
        'services/web.yaml': service(own),
        'profiles/basic.yaml': profileWithKey,
        'services/deployment.yaml': deployment,
      }),
    ).toBe('OWNKEY');
    expect(routeOf({ 'profiles/basic.yaml': profileWithKey, 'services/deployment.yaml': deployment })).toBe(
      'PROFILEKEY',
    );
    expect(routeOf({ 'services/deployment.yaml': deployment })).toBe('TEAMKEY');
    expect(routeOf({ 'services/web.yaml': service('', 'payments'), 'services/deployment.yaml': deployment })).toBe(
      'DEFAULTKEY',
    );
    expect(routeOf({ 'services/web.yaml': service('', 'search'), 'services/deployment.yaml': deployment })).toBe(
      'DEFAULTKEY',
    );
    expect(routeOf({ 'services/deployment.yaml': `region: us-east-1\n${teams}` })).toBe('TEAMKEY');
  });

  it("hands the deployment's default to the match of an event whose service is not configured", () => {
    const snapshot = snapshotOf(filesWith({ 'services/deployment.yaml': `region: us-east-1\n${deploymentDefault}` }));
    const result = matchEvent(snapshot, eventOf({ service: 'billing' }));
    expect(result.service).toBeUndefined();
    expect(result.deployment.pagerduty_default_routing_key).toBe('DEFAULTKEY');
    const withoutDefault = snapshotOf(
      filesWith({ 'services/deployment.yaml': `region: us-east-1\n${teams}` }, { pagingDefault: false }),
    );
    expect(withoutDefault.deployment).not.toHaveProperty('pagerduty_default_routing_key');
  });
});
