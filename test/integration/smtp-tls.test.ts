// SMTP credentials and TLS against a local smtp-server receiver (issue 13, item 7). The receiver offers no STARTTLS
// and would accept AUTH in clear, as a careless or hostile server might: with credentials the notify activity must
// refuse it before the password is sent, unless LAZARUS_SMTP_ALLOW_PLAINTEXT_AUTH says otherwise; a worker whose
// settings would send the password in clear refuses to start with one line naming the variables.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { SMTPServer } from 'smtp-server';
import {
  createNotifyActivities,
  SmtpSettingsError,
  type NotifyMessage,
  type SmtpSettings,
} from '../../activities/notify';

interface PlaintextReceiver {
  port: number;
  /** AUTH attempts the server saw: the user and password as they arrived in clear. */
  logins: { username?: string; password?: string }[];
  mails: number;
  stop(): Promise<void>;
}

async function plaintextReceiver(): Promise<PlaintextReceiver> {
  const receiver = { logins: [] as PlaintextReceiver['logins'], mails: 0 };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      receiver.logins.push({ username: auth.username, password: auth.password ?? undefined });
      callback(null, { user: auth.username });
    },
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        receiver.mails++;
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  return Object.assign(receiver, {
    port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

const message: NotifyMessage = {
  kind: 'escalated',
  service: 'checkout',
  host: 'i-0abc',
  outcome: 'ESCALATED',
  reason: 'quorum timeout',
  workflowId: 'event/smtp-tls',
  channels: { slack_webhooks: [], emails: ['oncall@example.com'] },
};

describe('SMTP credentials never travel without TLS unless allowed', () => {
  let receiver: PlaintextReceiver;
  beforeEach(async () => {
    receiver = await plaintextReceiver();
  });
  afterEach(async () => {
    await receiver.stop();
  });

  const smtp = (overrides: Partial<SmtpSettings> = {}): SmtpSettings => ({
    host: '127.0.0.1',
    port: receiver.port,
    from: 'lazarus@example.com',
    user: 'lazarus',
    password: 'never-in-clear',
    ...overrides,
  });
  const notify = (settings: SmtpSettings): ReturnType<ReturnType<typeof createNotifyActivities>['notify']> =>
    new MockActivityEnvironment().run(
      createNotifyActivities({ smtp: settings, attempts: 1, channelTimeoutMs: 2000 }).notify,
      message,
    );

  it('with credentials and a server that offers no STARTTLS, the email fails and the password is never sent', async () => {
    const result = await notify(smtp());

    expect(result.delivered).toEqual([]);
    expect(result.failed).toEqual([expect.objectContaining({ channel: 'email', ok: false })]);
    expect(result.failed[0].error).toMatch(/STARTTLS/i);
    expect(receiver.logins).toEqual([]);
    expect(receiver.mails).toBe(0);
  });

  it('credentials with STARTTLS skipped are refused when the activities are made, naming the variables', () => {
    expect(() => createNotifyActivities({ smtp: smtp({ ignoreTLS: true }) })).toThrow(SmtpSettingsError);
    expect(() => createNotifyActivities({ smtp: smtp({ ignoreTLS: true }) })).toThrow(
      /LAZARUS_SMTP_IGNORE_TLS=true .*LAZARUS_SMTP_ALLOW_PLAINTEXT_AUTH=true/,
    );
    expect(receiver.logins).toEqual([]);
  });

  it('explicitly allowed, credentials go in clear (what the check prevents otherwise)', async () => {
    const result = await notify(smtp({ ignoreTLS: true, allowPlaintextAuth: true }));

    expect(result.failed).toEqual([]);
    expect(receiver.logins).toEqual([{ username: 'lazarus', password: 'never-in-clear' }]);
    expect(receiver.mails).toBe(1);
  });

  it('the worker refuses to start with one line naming the variables, before connecting to anything', async () => {
    const root = path.join(__dirname, '..', '..');
    const child = spawn(
      process.execPath,
      ['-r', path.join(root, 'test', 'support', 'ts-require.js'), path.join(root, 'worker', 'main.ts')],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          NODE_NO_WARNINGS: '1',
          // nothing listens here: the refusal must come before any connection is tried
          TEMPORAL_ADDRESS: '127.0.0.1:1',
          LAZARUS_WORKER_METRICS_PORT: '0',
          LAZARUS_SMTP_HOST: '127.0.0.1',
          LAZARUS_SMTP_PORT: String(receiver.port),
          LAZARUS_SMTP_USER: 'lazarus',
          LAZARUS_SMTP_PASSWORD: 'never-in-clear',
          LAZARUS_SMTP_IGNORE_TLS: 'true',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));

    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^lazarus worker: LAZARUS_SMTP_USER is set with LAZARUS_SMTP_IGNORE_TLS=true and without LAZARUS_SMTP_SECURE=true.*LAZARUS_SMTP_ALLOW_PLAINTEXT_AUTH=true to allow it$/,
    );
    expect(stderr).not.toContain('never-in-clear');
  }, 60_000);
});
