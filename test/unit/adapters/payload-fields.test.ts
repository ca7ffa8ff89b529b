import { utf8Length } from '../../../core/config/canonical-json';
import { incidentKeyProblem, maxIncidentKeyBytes } from '../../../core/config/event-validation';
import { boundedIncidentKey } from '../../../ingest/adapters/payload-fields';

describe('boundedIncidentKey', () => {
  it('keeps a key that fits', () => {
    expect(boundedIncidentKey('nagios/web-1/host/42')).toBe('nagios/web-1/host/42');
    expect(boundedIncidentKey('k'.repeat(200))).toBe('k'.repeat(200));
  });

  it('cuts a long key to at most 200 UTF-8 bytes, keeping its start and end', () => {
    const key = `aws-health/${'x'.repeat(300)}/i-0123456789abcdef0`;
    const bounded = boundedIncidentKey(key);
    expect(utf8Length(bounded)).toBeLessThanOrEqual(maxIncidentKeyBytes);
    expect(bounded.startsWith('aws-health/xxx')).toBe(true);
    expect(bounded.endsWith('/i-0123456789abcdef0')).toBe(true);
    expect(incidentKeyProblem(bounded)).toBeUndefined();
  });

  it('counts bytes, not characters, and never splits a character outside the BMP', () => {
    for (const filler of ['é', '😀', 'a😀', '€']) {
      const bounded = boundedIncidentKey(`datadog/${filler.repeat(120)}/end`);
      expect(utf8Length(bounded)).toBeLessThanOrEqual(maxIncidentKeyBytes);
      expect(incidentKeyProblem(bounded)).toBeUndefined();
    }
  });
});
