// SMTP credentials travel only over TLS unless explicitly allowed (issue 13, item 7): the settings check the worker
// runs at start, and the nodemailer options it leads to.
import {
  SmtpSettingsError,
  smtpPlaintextAuthProblem,
  smtpTransportOptions,
  type SmtpSettings,
} from '../../../activities/notify';
import { readWorkerProcessSettings } from '../../../worker/settings';

const base: SmtpSettings = { host: 'mail.example.com', port: 587, from: 'lazarus@example.com' };
const withCredentials: SmtpSettings = { ...base, user: 'lazarus', password: 's3cret' };

describe('SMTP settings check', () => {
  it('refuses credentials with STARTTLS skipped and no implicit TLS, naming the variables to change', () => {
    const problem = smtpPlaintextAuthProblem({ ...withCredentials, ignoreTLS: true });
    expect(problem).toMatch(
      /^LAZARUS_SMTP_USER is set with LAZARUS_SMTP_IGNORE_TLS=true and without LAZARUS_SMTP_SECURE=true/,
    );
    expect(problem).toContain('LAZARUS_SMTP_ALLOW_PLAINTEXT_AUTH=true');
    expect(problem).not.toContain('s3cret');
    expect(problem).not.toContain('\n');
    expect(() => smtpTransportOptions({ ...withCredentials, ignoreTLS: true }, 1000)).toThrow(SmtpSettingsError);
  });

  it.each<[string, SmtpSettings]>([
    ['no credentials, STARTTLS skipped (a local receiver)', { ...base, ignoreTLS: true }],
    ['credentials with implicit TLS', { ...withCredentials, secure: true, port: 465 }],
    [
      'credentials with implicit TLS even when STARTTLS is skipped',
      { ...withCredentials, secure: true, ignoreTLS: true },
    ],
    ['credentials with STARTTLS (then required)', withCredentials],
    ['credentials in clear, explicitly allowed', { ...withCredentials, ignoreTLS: true, allowPlaintextAuth: true }],
  ])('accepts %s', (_label, smtp) => {
    expect(smtpPlaintextAuthProblem(smtp)).toBeUndefined();
  });

  it('requires STARTTLS (requireTLS) for credentials without implicit TLS, unless plaintext is allowed', () => {
    expect(smtpTransportOptions(withCredentials, 1000)).toMatchObject({
      requireTLS: true,
      secure: false,
      ignoreTLS: false,
      auth: { user: 'lazarus', pass: 's3cret' },
    });
    expect(smtpTransportOptions({ ...withCredentials, secure: true }, 1000).requireTLS).toBeUndefined();
    expect(smtpTransportOptions({ ...withCredentials, allowPlaintextAuth: true }, 1000).requireTLS).toBeUndefined();
    // no credentials: opportunistic STARTTLS as before, nothing to protect
    expect(smtpTransportOptions(base, 1000).requireTLS).toBeUndefined();
    expect(smtpTransportOptions(base, 1000).auth).toBeUndefined();
  });

  it('reads LAZARUS_SMTP_ALLOW_PLAINTEXT_AUTH as true or false, and refuses anything else naming it', () => {
    expect(readWorkerProcessSettings({}).smtpAllowPlaintextAuth).toBeUndefined();
    expect(
      readWorkerProcessSettings({ LAZARUS_SMTP_ALLOW_PLAINTEXT_AUTH: 'false' }).smtpAllowPlaintextAuth,
    ).toBeUndefined();
    expect(readWorkerProcessSettings({ LAZARUS_SMTP_ALLOW_PLAINTEXT_AUTH: 'true' }).smtpAllowPlaintextAuth).toBe(true);
    expect(() => readWorkerProcessSettings({ LAZARUS_SMTP_ALLOW_PLAINTEXT_AUTH: 'yes' })).toThrow(
      /LAZARUS_SMTP_ALLOW_PLAINTEXT_AUTH: expected true or false, got "yes"/,
    );
  });
});
