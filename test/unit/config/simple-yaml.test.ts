import { parse } from 'yaml';
import { parseSimpleYaml } from '../../../core/config';
import { shippedFiles } from './config-fixture';

// The fast path must never read a file differently from the yaml package: it either agrees or declines.
function expectAgreesOrDeclines(text: string): void {
  const simple = parseSimpleYaml(text);
  if (simple !== undefined) {
    expect(simple).toEqual(parse(text));
  }
}

describe('parseSimpleYaml', () => {
  it('reads a three-line service like the yaml package', () => {
    const text =
      '# yaml-language-server: $schema=../core/schemas/service.schema.json\nname: web\nteam: frontend\nprofile: stateless\n';
    expect(parseSimpleYaml(text)).toEqual({ name: 'web', team: 'frontend', profile: 'stateless' });
  });

  it('reads nested maps, flow lists and maps, numbers, durations, booleans, paths, emails and URLs', () => {
    const text = [
      'name: checkout',
      'params:',
      '  health_path: /healthz',
      '  health_port: 8080',
      '  health_timeout: 15m',
      '  rate_limit: { threshold: 2, window: 1h30m }',
      '  scaling:',
      '    min_hosts: 4',
      'notifications:',
      '  slack_webhooks:  [https://hooks.slack.com/services/T/B/X]',
      '  emails: [a@example.com, b@example.com] # the on-call',
      'shadow: true',
      'ratio: 0.25',
    ].join('\n');
    const simple = parseSimpleYaml(text);
    expect(simple).toBeUndefined(); // a URL inside a flow list is outside the subset
    const withoutUrl = text.replace('  slack_webhooks:  [https://hooks.slack.com/services/T/B/X]\n', '');
    expect(parseSimpleYaml(withoutUrl)).toEqual(parse(withoutUrl));
    expect(parseSimpleYaml(withoutUrl)).toMatchObject({ params: { rate_limit: { threshold: 2, window: '1h30m' } } });
  });

  it.each([
    ['a block list', 'rules:\n  - a\n  - b\n'],
    ['quotes', "name: 'web'\n"],
    ['a null value', 'name: web\nteam:\n'],
    ['a word YAML reads as null or a boolean', 'name: null\n', 'shadow: yes\n', 'shadow: True\n'],
    ['duplicate keys', 'name: a\nname: b\n'],
    ['exponent numbers', 'n: 1e3\n'],
    ['hex numbers', 'n: 0x10\n'],
    ['tabs', 'params:\n\thealth_port: 80\n'],
    ['an anchor', 'a: &x b\n'],
    ['bad indentation', 'params:\n    a: 1\n  b: 2\n'],
    ['a YAML syntax error', 'name: [web\n'],
    ['an empty file', '# nothing\n'],
  ])('declines %s, leaving it to the yaml package', (_label, ...texts) => {
    for (const text of texts) {
      expect(parseSimpleYaml(text)).toBeUndefined();
    }
  });

  it('agrees with the yaml package on every shipped file it accepts', () => {
    for (const file of shippedFiles()) {
      expectAgreesOrDeclines(file.text);
    }
  });

  it('agrees with the yaml package on generated variations', () => {
    const words = ['web', '80', '0', '10m', 'true', 'false', '/x', 'a.b', 'x-y', '1.5', '007', 'a@b.co', 'null', 'on'];
    for (const word of words) {
      for (const form of [`k: ${word}\n`, `k: [${word}, b]\n`, `k: { a: ${word} }\n`, `m:\n  k: ${word}\n`]) {
        expectAgreesOrDeclines(form);
      }
    }
  });
});
