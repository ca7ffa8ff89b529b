import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../cli/main';
import type { CliIo } from '../../../cli/command';
import { minimalFiles, repoRoot } from '../config/config-fixture';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function lazarus(argv: string[], cwd = repoRoot): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    cwd,
    now: () => Date.parse('2026-11-22T02:00:00Z'),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe('lazarus', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lazarus-cli-'));
    for (const [path, text] of Object.entries(minimalFiles)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists its commands with --help', async () => {
    const { code, stdout } = await lazarus(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/validate\s+check rules/);
    expect(stdout).toMatch(/explain\s+show which rule/);
  });

  it('shows a command`s help with examples', async () => {
    const { code, stdout } = await lazarus(['explain', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Examples:');
  });

  it('exits 2 on an unknown command or option', async () => {
    expect((await lazarus(['frobnicate'])).code).toBe(2);
    const unknownOption = await lazarus(['validate', '--strict']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain('--strict');
  });

  describe('validate', () => {
    it('accepts the shipped configuration by default', async () => {
      const { code, stdout } = await lazarus(['validate']);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^ok: \d+ files, 5 services, 4 profiles, \d+ runbooks; version sha256:[0-9a-f]{64}\n$/);
    });

    it('prints every problem as file:line:col: path: message and exits 1', async () => {
      writeFileSync(join(dir, 'services/web.yaml'), 'name: web\nteam: frontend\nprofile: basic\ncolour: blue\n');
      writeFileSync(join(dir, 'services/deployment.yaml'), 'region: us-east-1\nquorum: 9\n');
      const { code, stdout } = await lazarus(['validate', 'rules', 'profiles', 'services'], dir);
      expect(code).toBe(1);
      expect(stdout.trim().split('\n')).toEqual([
        'services/deployment.yaml:2:1: quorum: quorum 9 exceeds the 3 checker nodes',
        'services/web.yaml:4:1: colour: unknown field',
      ]);
    });

    it('reads only the configuration folders of a configuration root, ignoring other YAML there', async () => {
      writeFileSync(join(dir, 'temporal-dev.yaml'), 'ui_port: 8233\n');
      const { code, stdout } = await lazarus(['validate', '.'], dir);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^ok: 6 files/);
    });

    it('flags a YAML file outside the known folders when given a folder to search', async () => {
      mkdirSync(join(dir, 'services', 'team-a'));
      writeFileSync(join(dir, 'services', 'team-a', 'api.yaml'), 'name: api\nteam: a\nprofile: basic\n');
      const { code, stdout } = await lazarus(['validate', 'rules', 'profiles', 'services'], dir);
      expect(code).toBe(1);
      expect(stdout).toContain('services/team-a/api.yaml:1:1: <root>: not a configuration file');
    });

    it('reports as JSON with --json', async () => {
      const { code, stdout } = await lazarus(['validate', '--json', dir], dir);
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ valid: true, files: 6, errors: [] });
    });
  });

  describe('explain', () => {
    it('explains a match from flags: rules, preconditions, resolved step inputs', async () => {
      const { code, stdout } = await lazarus([
        'explain',
        '--service',
        'checkout',
        '--host',
        'i-0123456789abcdef0',
        '--event-type',
        'NagiosHostAlarm',
      ]);
      expect(code).toBe(0);
      expect(stdout).toContain('MATCH nagios_host_down');
      expect(stdout).toContain('event_type: "NagiosHostAlarm" is not "HealthcheckDown"');
      expect(stdout).toContain('PeerCheck  health_path=/healthz health_port=8080 tolerance=0.2');
      expect(stdout).toContain('"instanceId":"i-0123456789abcdef0","drainTimeoutMs":300000');
      expect(stdout).toContain('"targetGroupArns":"${steps.drain.output.targetGroupArns}"');
      expect(stdout).toContain('"idempotencyKey":"${remediation.id}/clone"');
      expect(stdout).toContain('timeout 20m per attempt; 1 attempt(s)');
    });

    it('explains an event file that matches no rule', async () => {
      const eventPath = join(dir, 'event.json');
      writeFileSync(
        eventPath,
        JSON.stringify({
          incident_key: 'k1',
          event_type: 'NagiosHostAlarm',
          source: 'nagios',
          service: 'web',
          host: 'i-0123456789abcdef0',
          region: 'us-east-1',
          environment: 'prod',
          occurred_at: '2026-11-22T01:00:00Z',
          host_state_type: 'SOFT',
        }),
      );
      const { code, stdout } = await lazarus(['explain', eventPath]);
      expect(code).toBe(0);
      expect(stdout).toContain('host_state_type: "SOFT" is not "HARD"');
      expect(stdout).toContain('No rule matches: the event would be escalated to on-call (outcome NO_RULE).');
    });

    it('gives the match result and resolved steps as JSON, and flags unresolvable inputs', async () => {
      const { code, stdout } = await lazarus(['explain', '--json', '--service', 'web', '--event-type', 'ScaleUp']);
      expect(code).toBe(0);
      const result = JSON.parse(stdout) as {
        rule: { name: string };
        resolved_steps: { id: string; input: Record<string, unknown>; unresolved: string[] }[];
      };
      expect(result.rule.name).toBe('scale_up');
      expect(result.resolved_steps[0]?.input.service).toBe('web');
      expect(result.resolved_steps[0]?.unresolved).toEqual([expect.stringContaining('event.details.delta') as unknown]);
    });

    it('resolves step inputs from the event details when given', async () => {
      const { stdout } = await lazarus([
        'explain',
        '--json',
        '--service',
        'web',
        '--event-type',
        'ScaleUp',
        '--details',
        '{"delta":2}',
      ]);
      const result = JSON.parse(stdout) as { resolved_steps: { input: Record<string, unknown> }[] };
      expect(result.resolved_steps[0]?.input.count).toBe(2);
    });

    it('rejects an invalid event with its field paths and exits 1', async () => {
      const { code, stderr } = await lazarus(['explain', '--service', 'web', '--environment', 'production']);
      expect(code).toBe(1);
      expect(stderr).toContain('environment: must be one of: dev, stage, prod');
    });

    it('says so when the service is not configured', async () => {
      const { code, stdout } = await lazarus(['explain', '--service', 'billing', '--host', 'i-0123456789abcdef0']);
      expect(code).toBe(0);
      expect(stdout).toContain('service "billing" is not configured');
      expect(stdout).toContain('No rule matches');
    });

    it('exits 2 without an event', async () => {
      expect((await lazarus(['explain'])).code).toBe(2);
    });

    it('--from shows the event a vendor payload maps to and explains it against the rules', async () => {
      const fixture = 'test/fixtures/vendors/nagios/project-json-host-down.json';
      const { code, stdout } = await lazarus(['explain', '--from', 'nagios', '--offline', fixture]);
      expect(code).toBe(0);
      expect(stdout).toContain('Payload from nagios (nagios-json)');
      expect(stdout).toContain('"event_type": "NagiosHostAlarm"');
      expect(stdout).toMatch(/MATCH nagios_host_down/);
      const json = await lazarus([
        'explain',
        '--json',
        '--from',
        'aws',
        '--offline',
        'test/fixtures/vendors/aws/health-retirement-arn-no-resources.json',
      ]);
      const explained = JSON.parse(json.stdout) as { outcome: unknown; matches: Array<{ rule?: unknown }> };
      expect(explained.outcome).toMatchObject({
        kind: 'events',
        events: [{ service: 'unmapped', host: 'i-0123456789abcdef0', region: 'us-east-1' }],
      });
      expect(explained.matches).toHaveLength(1);
      expect(explained.matches[0].rule).toBeUndefined();
    });

    it('--from says why a payload maps to no event: ignored (exit 0) or what it would be dead-lettered as (exit 1)', async () => {
      const ignored = await lazarus([
        'explain',
        '--from',
        'datadog',
        'test/fixtures/vendors/datadog/default-payload-recovered.json',
      ]);
      expect(ignored.code).toBe(0);
      expect(ignored.stdout).toContain('Ignored (answered 202 and recorded): alert transition "Recovered"');
      const form = 'test/fixtures/vendors/nagios/pagerduty-nagios-pl-host-down.form';
      const unmapped = await lazarus(['explain', '--from', 'nagios', '--offline', form]);
      expect(unmapped.code).toBe(1);
      expect(unmapped.stdout).toContain('dead letter (reason unmapped_host)');
      expect((await lazarus(['explain', '--from', 'zabbix', form])).code).toBe(2);
    });
  });
});
