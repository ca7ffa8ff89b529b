/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers (expect.any, ...) are typed any */
import { buildSnapshot, formatConfigIssue } from '../../../core/config';
import { snapshotVersion } from '../../../platform/content-hash';
import { filesWith, issuesOf } from './config-fixture';

describe('configuration files against their schemas', () => {
  it('reports YAML that does not parse at its line and column', () => {
    const issues = issuesOf(filesWith({ 'services/web.yaml': 'name: web\nteam: [frontend\nprofile: basic\n' }));
    expect(issues[0]).toMatchObject({
      file: 'services/web.yaml',
      line: expect.any(Number),
      column: expect.any(Number),
    });
    expect(issues[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('reports duplicate keys as a parse error', () => {
    const issues = issuesOf(filesWith({ 'services/web.yaml': 'name: web\nteam: a\nteam: b\nprofile: basic\n' }));
    expect(issues).toEqual([expect.objectContaining({ file: 'services/web.yaml', line: 3 })]);
  });

  it('reports an unknown key at the key itself, with its field path', () => {
    const issues = issuesOf(
      filesWith({ 'services/web.yaml': 'name: web\nteam: frontend\nprofile: basic\nparams:\n  helth_path: /x\n' }),
    );
    expect(issues).toEqual([
      { file: 'services/web.yaml', line: 5, column: 3, path: 'params.helth_path', message: 'unknown field' },
    ]);
  });

  it('reports a missing required field at its parent', () => {
    const issues = issuesOf(filesWith({ 'services/web.yaml': 'name: web\nprofile: basic\n' }));
    expect(issues).toEqual([
      { file: 'services/web.yaml', line: 1, column: 1, path: 'team', message: 'required field is missing' },
    ]);
  });

  it('reports wrong types, enum values and malformed durations', () => {
    const issues = issuesOf(
      filesWith({
        'profiles/basic.yaml':
          'name: basic\nrules: [host_down, any_health]\nlock: cluster\nparams:\n  health_port: "80"\n  drain_timeout: 5 minutes\n',
      }),
    );
    expect(issues.map((issue) => [issue.path, issue.line])).toEqual([
      ['lock', 3],
      ['params.health_port', 5],
      ['params.drain_timeout', 6],
    ]);
    expect(issues[0]?.message).toBe('must be one of: host, service');
  });

  it('explains a criterion that is neither a value, a list nor a pattern in one line', () => {
    const issues = issuesOf(
      filesWith({
        'rules/any_health.yaml':
          'name: any_health\ncriteria:\n  event_type: { regex: "^Health" }\naction: replace_host\n',
      }),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        path: 'criteria.event_type',
        line: 3,
        message: expect.stringContaining('An exact value, a list of values'),
      }),
    ]);
  });

  it('rejects precondition parameters the check does not take', () => {
    const issues = issuesOf(
      filesWith({
        'rules/any_health.yaml':
          'name: any_health\ncriteria:\n  event_type: HealthcheckDown\npreconditions:\n  - check: PeerCheck\n    params: { tolerance: 2, min: 1 }\naction: replace_host\n',
      }),
    );
    expect(issues.map((issue) => issue.path).sort()).toEqual([
      'preconditions[0].params.min',
      'preconditions[0].params.tolerance',
    ]);
  });

  it('rejects an unknown precondition check', () => {
    const issues = issuesOf(
      filesWith({
        'rules/any_health.yaml':
          'name: any_health\ncriteria:\n  event_type: HealthcheckDown\npreconditions:\n  - check: DiskFree\naction: replace_host\n',
      }),
    );
    expect(issues).toEqual([expect.objectContaining({ path: 'preconditions[0].check', line: 5 })]);
  });

  it('reports every problem of every file in one run', () => {
    const result = buildSnapshot(
      filesWith({
        'services/web.yaml': 'name: web\nteam: frontend\nprofile: basic\ncolour: blue\n',
        'services/deployment.yaml': 'region: us-east-1\nquorum: zero\n',
        'rules/any_health.yaml': 'name: any_health\ncriteria: {}\naction: replace_host\n',
      }),
      { hashContent: snapshotVersion },
    );
    expect(result.errors?.map(formatConfigIssue)).toEqual([
      'rules/any_health.yaml:2:1: criteria: must NOT have fewer than 1 properties',
      'services/deployment.yaml:2:1: quorum: must be integer',
      'services/web.yaml:4:1: colour: unknown field',
    ]);
  });

  it('does not cascade a broken file into "unknown name" errors elsewhere', () => {
    const issues = issuesOf(
      filesWith({ 'rules/any_health.yaml': 'name: any_health\ncriteria:\n  event_type: HealthcheckDown\n' }),
    );
    expect(issues).toEqual([expect.objectContaining({ file: 'rules/any_health.yaml', path: 'action' })]);
  });

  it('rejects a YAML file outside the known folders', () => {
    const issues = issuesOf([...filesWith(), { path: 'misc/extra.yaml', text: 'a: 1\n' }]);
    expect(issues).toEqual([
      expect.objectContaining({
        file: 'misc/extra.yaml',
        message: expect.stringContaining('not a configuration file'),
      }),
    ]);
  });
});
