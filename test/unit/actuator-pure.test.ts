import { copyableTags, launchToken } from '../../activities/aws/tags';
import { healthUrlOf } from '../../activities/health/probe';
import {
  emailBody,
  headline,
  pagerNote,
  remediationLink,
  slackBody,
  type NotifyMessage,
} from '../../activities/notify/messages';
import { decodeHeader, parseEmail } from '../../devstack/notify-receivers';
import type { HostFacts } from '../../core';

describe('launch idempotency token', () => {
  it('is the same for the same key, different for another, and fits EC2`s 64-character ClientToken', () => {
    const long = `event/${'x'.repeat(500)}/clone`;

    expect(launchToken(long)).toBe(launchToken(long));
    expect(launchToken(long)).not.toBe(launchToken(`${long}2`));
    expect(launchToken(long).length).toBeLessThanOrEqual(64);
    expect(launchToken('k')).toMatch(/^[\x21-\x7e]+$/);
  });

  it('does not copy the failed host`s own links, forensics marks or AWS tags onto a clone', () => {
    const copied = copyableTags({
      Name: 'web-1',
      'lazarus:service': 'web',
      'lazarus:health-url': 'http://old',
      'lazarus:forensics': 'event/1',
      'lazarus:replaces': 'i-0',
      'lazarus:role': 'standby',
      'aws:autoscaling:groupName': 'asg',
    });

    expect(copied).toEqual({ Name: 'web-1', 'lazarus:service': 'web' });
  });
});

describe('health URL of a host', () => {
  const host: HostFacts = {
    instanceId: 'i-1',
    state: 'running',
    privateIpAddress: '10.0.0.7',
    securityGroupIds: [],
    tags: {},
  };

  it('prefers the lazarus:health-url tag', () => {
    expect(healthUrlOf({ ...host, tags: { 'lazarus:health-url': 'http://sim/hosts/i-1/health' } })).toBe(
      'http://sim/hosts/i-1/health',
    );
  });

  it('falls back to the private IP with the service`s port and path', () => {
    expect(healthUrlOf(host)).toBe('http://10.0.0.7:80/health');
    expect(healthUrlOf(host, { healthPort: 8080, healthPath: 'status' })).toBe('http://10.0.0.7:8080/status');
  });
});

describe('notification messages', () => {
  const message: NotifyMessage = {
    kind: 'escalated',
    service: 'checkout',
    host: 'i-0abc',
    outcome: 'PRECONDITION_FAILED',
    reason: '2 of 3 checkers saw the host healthy',
    workflowId: 'event/nagios:checkout:i-0abc',
    channels: { slack_webhooks: [], emails: [] },
  };
  const link = remediationLink(message.workflowId, { temporalUiUrl: 'http://localhost:8233/', namespace: 'default' });

  it('links to the remediation in the Temporal Web UI, encoding the workflow id', () => {
    expect(link).toBe('http://localhost:8233/namespaces/default/workflows/event%2Fnagios%3Acheckout%3Ai-0abc');
    expect(remediationLink(undefined, { temporalUiUrl: 'http://x', namespace: 'default' })).toBeUndefined();
    expect(remediationLink('w', { namespace: 'default' })).toBeUndefined();
  });

  it('says what happened, to which service and host, in every channel', () => {
    const slack = JSON.stringify(slackBody(message, link));
    const email = emailBody(message, link);

    expect(headline(message)).toBe('Lazarus escalated to on-call: checkout / i-0abc');
    for (const text of ['checkout', 'i-0abc', 'PRECONDITION_FAILED', '2 of 3 checkers', link!]) {
      expect(slack).toContain(text);
      expect(email.text).toContain(text);
    }
    expect(email.subject).toBe('[lazarus] Lazarus escalated to on-call: checkout / i-0abc');
    expect(pagerNote(message, link)).toContain('Reason: 2 of 3 checkers saw the host healthy');
  });

  it('names the breaker events without a host', () => {
    expect(headline({ kind: 'breaker_opened', service: 'us-east-1' })).toBe(
      'Regional circuit breaker OPENED: remediations paused: us-east-1',
    );
  });
});

describe('email parsing in the SMTP receiver', () => {
  it('unfolds headers, decodes encoded subjects and quoted-printable bodies', () => {
    const raw = [
      'From: lazarus@example.com',
      'To: oncall@example.com',
      'Subject: =?UTF-8?Q?[lazarus]_caf=C3=A9?=',
      ' down',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Service: checkout=',
      ' caf=C3=A9',
      '',
    ].join('\r\n');

    const parsed = parseEmail(raw);

    expect(parsed.subject).toBe('[lazarus] café down');
    expect(parsed.text).toBe('Service: checkout café\n');
    expect(decodeHeader('=?UTF-8?B?aMOpbGxv?=')).toBe('héllo');
  });
});
