// The words the Temporal Web UI shows for Lazarus's workflows and activities (contracts/user-metadata.ts).
import {
  controlDetails,
  regionalGovernorDetails,
  remediationSummary,
  stepSummary,
} from '../../contracts/user-metadata';

describe('user metadata', () => {
  it('says what a runbook step does to which host, with the target groups an earlier attempt found', () => {
    expect(stepSummary('drain', 'drainHost', { instanceId: 'i-0abc' })).toBe(
      'drain: drain i-0abc from its target groups',
    );
    expect(stepSummary('drain', 'drainHost', { instanceId: 'i-0abc' }, { targetGroupArns: ['arn:a', 'arn:b'] })).toBe(
      'drain: drain i-0abc from 2 target groups',
    );
    expect(stepSummary('register', 'registerHost', { instanceId: 'i-0new', targetGroupArns: ['arn:a'] })).toBe(
      'register: register i-0new in 1 target group',
    );
    expect(stepSummary('x', 'somethingNew', { instanceId: 'i-1' })).toBe('x: somethingNew i-1');
  });

  it('summarises an event on one line, a service-level one without a host', () => {
    const event = {
      incident_key: 'k',
      event_type: 'ScaleUp',
      source: 'api' as const,
      service: 'web',
      region: 'us-east-1',
      environment: 'prod' as const,
      occurred_at: '2026-12-02T10:00:00Z',
    };
    expect(remediationSummary(event)).toBe('ScaleUp on web (us-east-1)');
    expect(remediationSummary({ ...event, event_type: 'x'.repeat(300) })).toHaveLength(200);
  });

  it('tells the state of the breaker and of the kill switch', () => {
    expect(regionalGovernorDetails('eu', { state: 'open', failing: { a: 1, b: 2 }, transitions: [] })).toBe(
      'breaker open in eu; 2 failing services: a, b',
    );
    const setting = { enabled: true, reason: 'drill', actor: 'operator:1234abcd', at: 0 };
    expect(
      controlDetails({
        region: 'eu',
        kill_switch: { global: setting },
        shadow: { 'service:web': setting },
        history: [],
      }),
    ).toBe('kill switch ON for global (operator:1234abcd: drill); shadow service:web');
  });
});
