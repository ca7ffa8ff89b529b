/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers (expect.any, ...) are typed any */
import { matchEvent } from '../../../core/config';
import { eventOf, filesWith, minimalFiles, shippedFiles, snapshotOf } from './config-fixture';

const broadRule = 'name: host_any\ncriteria:\n  event_type: NagiosHostAlarm\naction: replace_host\n';
const patternRule =
  'name: web_host_down\ncriteria:\n  event_type: NagiosHostAlarm\n  host_state_type: HARD\n  service: { pattern: "^web" }\naction: replace_host\nlock: service\n';

describe('matchEvent', () => {
  it('picks the matching rule and explains every criterion', () => {
    const result = matchEvent(snapshotOf(filesWith()), eventOf());
    expect(result.rule?.name).toBe('host_down');
    expect(result.explanations).toEqual([
      {
        rule: 'host_down',
        matched: true,
        reasons: ['event_type: "NagiosHostAlarm" is "NagiosHostAlarm"', 'host_state_type: "HARD" is "HARD"'],
      },
      { rule: 'any_health', matched: false, reasons: ['event_type: "NagiosHostAlarm" is not "HealthcheckDown"'] },
    ]);
  });

  it('tries the most specific rule first, whatever the profile order', () => {
    const snapshot = snapshotOf(
      filesWith({
        'rules/host_any.yaml': broadRule,
        'rules/web_host_down.yaml': patternRule,
        'profiles/basic.yaml': 'name: basic\nrules: [host_any, host_down, web_host_down]\n',
      }),
    );
    const result = matchEvent(snapshot, eventOf());
    expect(result.rule?.name).toBe('web_host_down');
    expect(result.explanations.map((explanation) => explanation.rule)).toEqual([
      'web_host_down',
      'host_down',
      'host_any',
    ]);
    expect(result.explanations[1]?.reasons).toContain(
      'also matches, but rule "web_host_down" comes first (more specific, or listed earlier)',
    );
  });

  it('breaks ties between equally specific rules by their order in the profile', () => {
    const twin =
      'name: host_down_twin\ncriteria:\n  event_type: NagiosHostAlarm\n  environment: prod\naction: replace_host\n';
    const files = (order: string): ReturnType<typeof filesWith> =>
      filesWith({ 'rules/host_down_twin.yaml': twin, 'profiles/basic.yaml': `name: basic\nrules: [${order}]\n` });
    expect(matchEvent(snapshotOf(files('host_down_twin, host_down')), eventOf()).rule?.name).toBe('host_down_twin');
    expect(matchEvent(snapshotOf(files('host_down, host_down_twin')), eventOf()).rule?.name).toBe('host_down');
  });

  it('matches lists and patterns, and says why a pattern fails', () => {
    const snapshot = snapshotOf(
      filesWith({
        'rules/web_host_down.yaml': patternRule.replace('host_state_type: HARD', 'environment: [stage, prod]'),
        'profiles/basic.yaml': 'name: basic\nrules: [web_host_down]\n',
        'services/api.yaml': 'name: api\nteam: platform\nprofile: basic\n',
      }),
    );
    expect(matchEvent(snapshot, eventOf({ environment: 'stage' })).rule?.name).toBe('web_host_down');
    const result = matchEvent(snapshot, eventOf({ service: 'api', environment: 'dev' }));
    expect(result.rule).toBeUndefined();
    expect(result.explanations[0]?.reasons).toEqual([
      'environment: "dev" is not one of [stage, prod]',
      'event_type: "NagiosHostAlarm" is "NagiosHostAlarm"',
      'service: "api" is not matching /^web/',
    ]);
  });

  it('explains a criterion the event has no value for', () => {
    const result = matchEvent(snapshotOf(filesWith()), eventOf({ host_state_type: undefined }));
    expect(result.rule).toBeUndefined();
    expect(result.explanations[0]?.reasons).toContain('host_state_type: the event has none; the rule wants "HARD"');
  });

  it('matches nothing for an unknown service, and says the service is not configured', () => {
    const result = matchEvent(snapshotOf(filesWith()), eventOf({ service: 'billing' }));
    expect(result.service).toBeUndefined();
    expect(result.rule).toBeUndefined();
    expect(result.explanations).toEqual([
      {
        rule: '(none)',
        matched: false,
        reasons: ['service "billing" is not configured (no services/*.yaml names it), so no rule applies'],
      },
    ]);
  });

  it('records the snapshot version and deployment in the result', () => {
    const snapshot = snapshotOf(filesWith());
    const result = matchEvent(snapshot, eventOf());
    expect(result.snapshot_version).toBe(snapshot.version);
    expect(result.deployment).toBe(snapshot.deployment);
  });

  it('completes precondition parameters from defaults and the service', () => {
    const snapshot = snapshotOf(
      filesWith({
        'rules/host_down.yaml':
          `${minimalFiles['rules/host_down.yaml']}\npreconditions:\n  - check: MinActiveHosts\n  - check: MaxActiveHosts\n  - check: HealthCheckDown\n  - check: PeerCheck\n`.replace(
            /preconditions:\n  - check: MinActiveHosts\n  - check: HealthCheckDown\n/,
            '',
          ),
        'services/web.yaml':
          'name: web\nteam: frontend\nprofile: basic\nparams:\n  health_port: 8080\n  scaling: { max_hosts: 40 }\n',
      }),
    );
    expect(matchEvent(snapshot, eventOf()).rule?.preconditions).toEqual([
      { check: 'MinActiveHosts', params: { min: 2 } },
      { check: 'MaxActiveHosts', params: { max: 40 } },
      { check: 'HealthCheckDown', params: { health_path: '/health', health_port: 8080 } },
      { check: 'PeerCheck', params: { health_path: '/health', health_port: 8080, tolerance: 0.2 } },
    ]);
  });

  it('sends notifications to the rule group, or to the owning team when the rule names none', () => {
    const snapshot = snapshotOf(
      filesWith({ 'rules/host_down.yaml': `${minimalFiles['rules/host_down.yaml']}notification_group: sre\n` }),
    );
    expect(matchEvent(snapshot, eventOf()).rule?.notification_group).toBe('sre');
    expect(matchEvent(snapshot, eventOf({ event_type: 'HealthcheckDown' })).rule?.notification_group).toBe('frontend');
  });
});

describe('profiles and service overrides', () => {
  const profile =
    'name: basic\nrules: [host_down]\nlock: service\nparams:\n  health_path: /ping\n  rate_limit: { threshold: 5, window: 1h }\n  workflow_timeout: 1h\nnotifications:\n  emails: [ops@example.com]\nshadow: true\n';

  it('applies profile parameters to every subscriber', () => {
    const snapshot = snapshotOf(
      filesWith({ 'profiles/basic.yaml': profile, 'services/api.yaml': 'name: api\nteam: platform\nprofile: basic\n' }),
    );
    for (const name of ['web', 'api']) {
      const result = matchEvent(snapshot, eventOf({ service: name }));
      expect(result.service).toMatchObject({
        params: expect.objectContaining({ health_path: '/ping' }),
        rate_limit: { threshold: 5, window_ms: 3_600_000 },
        notifications: { emails: ['ops@example.com'] },
        shadow: true,
      });
      expect(result.rule?.lock).toBe('service');
      expect(result.rule?.runbook.workflow_timeout_ms).toBe(3_600_000);
    }
  });

  it('lets a service override single parameters, keeping the rest of the profile', () => {
    const snapshot = snapshotOf(
      filesWith({
        'profiles/basic.yaml': profile,
        'services/web.yaml':
          'name: web\nteam: frontend\nprofile: basic\nparams:\n  rate_limit: { threshold: 1 }\n  workflow_timeout: 45m\nnotifications:\n  slack_webhooks: [https://hooks.slack.com/services/T/B/X]\nshadow: false\n',
      }),
    );
    const result = matchEvent(snapshot, eventOf());
    expect(result.service).toMatchObject({
      params: expect.objectContaining({ health_path: '/ping', rate_limit_threshold: 1 }),
      rate_limit: { threshold: 1, window_ms: 3_600_000 },
      notifications: { emails: ['ops@example.com'], slack_webhooks: ['https://hooks.slack.com/services/T/B/X'] },
      shadow: false,
    });
    expect(result.rule?.runbook.workflow_timeout_ms).toBe(45 * 60_000);
  });

  it('routes the shipped profiles to their own runbooks', () => {
    const snapshot = snapshotOf(shippedFiles());
    const runbookFor = (service: string): string | undefined =>
      matchEvent(snapshot, eventOf({ service, host: 'i-1' })).rule?.runbook.name;
    expect(runbookFor('web')).toBe('replace_host');
    expect(runbookFor('api')).toBe('replace_host_standby_pivot');
    expect(runbookFor('search')).toBe('es_replace_host');
    expect(runbookFor('ring')).toBe('cassandra_replace_host');
    expect(matchEvent(snapshot, eventOf({ event_type: 'ScaleUp', host: undefined })).rule?.runbook.name).toBe(
      'scale_up',
    );
    expect(
      matchEvent(snapshot, eventOf({ event_type: 'NagiosHostAlarm', host_state_type: 'SOFT' })).rule,
    ).toBeUndefined();
  });
});
