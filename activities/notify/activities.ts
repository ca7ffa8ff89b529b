// The notify activity: Slack webhooks, email and a PagerDuty note. A failing channel never fails the remediation:
// each is retried a bounded number of times, counted and logged, and the activity reports which channels failed.
import { IncomingWebhook, type IncomingWebhookSendArguments } from '@slack/webhook';
import { asyncLocalStorage } from '@temporalio/activity';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { pause } from '../aws/polling';
import { createSecretResolver, isSecretRef, SecretMissingError, type SecretResolver } from '../../platform/secrets';
import { emailBody, pagerNote, remediationLink, slackBody, type NotifyMessage } from './messages';

export type NotifyChannelKind = 'slack' | 'email' | 'pagerduty';

export interface ChannelResult {
  channel: NotifyChannelKind;
  /** Webhook URL (without its secret path) or its reference (`secret:NAME`), addresses, or incident key. */
  target: string;
  ok: boolean;
  attempts: number;
  error?: string;
  /** Nothing to deliver to (see NotifyResult.skipped); `error` says why. */
  skipped?: boolean;
}

export interface NotifyResult {
  delivered: ChannelResult[];
  failed: ChannelResult[];
  /** Channels with nothing to deliver to (the PagerDuty note of an event no page carries, e.g. a scale event). */
  skipped?: ChannelResult[];
}

/** Thrown by a channel's send when there is nothing to deliver to: not a failure, not retried. */
class NothingToDeliver extends Error {}

/** Counts per channel, for metrics and tests. */
export class NotifyCounters {
  readonly sent: Record<NotifyChannelKind, number> = { slack: 0, email: 0, pagerduty: 0 };
  readonly failed: Record<NotifyChannelKind, number> = { slack: 0, email: 0, pagerduty: 0 };
  readonly retries: Record<NotifyChannelKind, number> = { slack: 0, email: 0, pagerduty: 0 };
}

export interface SmtpSettings {
  host: string;
  port: number;
  /** Implicit TLS (port 465). */
  secure?: boolean;
  /** Skip STARTTLS (local receivers). */
  ignoreTLS?: boolean;
  user?: string;
  password?: string;
  from: string;
  /**
   * LAZARUS_SMTP_ALLOW_PLAINTEXT_AUTH: send the credentials even without TLS. Without it, credentials need implicit
   * TLS (secure) or STARTTLS, which is then required: a server that does not offer it is refused.
   */
  allowPlaintextAuth?: boolean;
}

export class SmtpSettingsError extends Error {
  override readonly name = 'SmtpSettingsError';
}

/** Why these settings would send the SMTP credentials without TLS (refused at worker start), or undefined. */
export function smtpPlaintextAuthProblem(smtp: SmtpSettings): string | undefined {
  if (!smtp.user || smtp.secure || !smtp.ignoreTLS || smtp.allowPlaintextAuth) return undefined;
  return (
    'LAZARUS_SMTP_USER is set with LAZARUS_SMTP_IGNORE_TLS=true and without LAZARUS_SMTP_SECURE=true, so the SMTP ' +
    'password would travel without TLS: unset LAZARUS_SMTP_IGNORE_TLS (STARTTLS, then required), set ' +
    'LAZARUS_SMTP_SECURE=true (implicit TLS), or set LAZARUS_SMTP_ALLOW_PLAINTEXT_AUTH=true to allow it'
  );
}

/**
 * nodemailer's options for these settings. With credentials and neither implicit TLS nor an explicit allowance of
 * plaintext, STARTTLS is required (requireTLS): a server that does not offer it is refused before AUTH is sent.
 */
export function smtpTransportOptions(smtp: SmtpSettings, timeoutMs: number): SMTPTransport.Options {
  const problem = smtpPlaintextAuthProblem(smtp);
  if (problem) throw new SmtpSettingsError(problem);
  const requireTLS = Boolean(smtp.user) && !smtp.secure && !smtp.allowPlaintextAuth;
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure ?? false,
    ignoreTLS: smtp.ignoreTLS ?? false,
    ...(requireTLS ? { requireTLS: true } : {}),
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
}

export interface NotifyDependencies {
  smtp?: SmtpSettings;
  /** Adds a note to the page found by its incident key (the pager activities' addPageNote). */
  addPageNote?: (input: { incidentKey: string; note: string }) => Promise<unknown>;
  temporalUiUrl?: string;
  namespace?: string;
  /** Attempts per channel (default 3) and the pause between them (default 500 ms, doubling). */
  attempts?: number;
  retryDelayMs?: number;
  /** Per-attempt timeout of a channel (default 5000). */
  channelTimeoutMs?: number;
  /**
   * How long one channel may take over all its attempts (default 8000): no attempt starts that could not end within
   * it, so a notification (a local activity, holding its workflow task) ends inside its 10 s bound.
   */
  channelBudgetMs?: number;
  /**
   * A channel target whose last `skipAfterFailures` deliveries all failed (default 2) is not tried for `skipForMs`
   * (default 30 000): during a Slack or SMTP outage each notification reports it failed at once instead of waiting out
   * its timeouts (in a storm, every decision would otherwise hold its workflow task that long). After the pause one
   * delivery tries again.
   */
  skipAfterFailures?: number;
  skipForMs?: number;
  counters?: NotifyCounters;
  /** Resolves webhook URLs given as `secret:NAME` (default: the process environment and LAZARUS_SECRETS_FILE). */
  secrets?: SecretResolver;
}

export interface NotifyActivities {
  notify(message: NotifyMessage): Promise<NotifyResult>;
}

function redactWebhook(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.split('/').slice(0, 3).join('/')}/…`;
  } catch {
    return 'invalid webhook URL';
  }
}

function logWarn(message: string, meta: Record<string, unknown>): void {
  const context = asyncLocalStorage.getStore();
  if (context) context.log.warn(message, meta);
  else process.stderr.write(`${JSON.stringify({ level: 'warn', message, ...meta })}\n`);
}

export function createNotifyActivities(deps: NotifyDependencies = {}): NotifyActivities {
  const attempts = Math.max(1, deps.attempts ?? 3);
  const retryDelayMs = deps.retryDelayMs ?? 500;
  const timeoutMs = deps.channelTimeoutMs ?? 5000;
  const budgetMs = deps.channelBudgetMs ?? 8000;
  const skipAfterFailures = Math.max(1, deps.skipAfterFailures ?? 2);
  const skipForMs = deps.skipForMs ?? 30_000;
  /** Channel targets whose last deliveries failed: how many in a row, the last error, when to try again. */
  const failing = new Map<string, { failures: number; lastError: string; retryAt: number }>();
  const counters = deps.counters ?? new NotifyCounters();
  const secrets = deps.secrets ?? createSecretResolver();
  const transport = deps.smtp ? nodemailer.createTransport(smtpTransportOptions(deps.smtp, timeoutMs)) : undefined;

  async function deliver(
    channel: NotifyChannelKind,
    target: string,
    send: () => Promise<unknown>,
    context: Record<string, unknown>,
  ): Promise<ChannelResult> {
    const key = `${channel} ${target}`;
    const known = failing.get(key);
    if (known && known.failures >= skipAfterFailures && Date.now() < known.retryAt) {
      const error =
        `not tried: its last ${known.failures} deliveries failed (last: ${known.lastError}); ` +
        `tried again from ${new Date(known.retryAt).toISOString()}`;
      counters.failed[channel] += 1;
      logWarn('notification channel skipped', { channel, target, error, ...context });
      return { channel, target, ok: false, attempts: 0, error };
    }
    const started = Date.now();
    let error = '';
    let attempt = 0;
    while (attempt < attempts) {
      attempt += 1;
      try {
        await send();
        counters.sent[channel] += 1;
        failing.delete(key);
        return { channel, target, ok: true, attempts: attempt };
      } catch (err) {
        if (err instanceof NothingToDeliver) {
          return { channel, target, ok: false, attempts: attempt, error: err.message, skipped: true };
        }
        error = err instanceof Error ? err.message : String(err);
        const delay = retryDelayMs * 2 ** (attempt - 1);
        if (attempt >= attempts || Date.now() - started + delay + timeoutMs > budgetMs) break;
        counters.retries[channel] += 1;
        await pause(delay);
      }
    }
    counters.failed[channel] += 1;
    failing.set(key, { failures: (known?.failures ?? 0) + 1, lastError: error, retryAt: Date.now() + skipForMs });
    logWarn('notification channel failed', { channel, target, attempts: attempt, error, ...context });
    return { channel, target, ok: false, attempts: attempt, error };
  }

  return {
    async notify(message) {
      const link = remediationLink(message.workflowId, {
        temporalUiUrl: deps.temporalUiUrl,
        namespace: deps.namespace ?? 'default',
      });
      const context = { kind: message.kind, service: message.service, workflowId: message.workflowId };
      const jobs: Array<Promise<ChannelResult>> = [];
      for (const configured of message.channels.slack_webhooks) {
        const target = isSecretRef(configured) ? configured : redactWebhook(configured);
        let url: string;
        try {
          url = secrets.resolve(configured);
        } catch (err) {
          // A missing secret is a configuration problem: no retry, the channel fails naming the secret.
          if (!(err instanceof SecretMissingError)) throw err;
          counters.failed.slack += 1;
          logWarn('notification channel failed', {
            channel: 'slack',
            target,
            attempts: 0,
            error: err.message,
            ...context,
          });
          jobs.push(Promise.resolve({ channel: 'slack', target, ok: false, attempts: 0, error: err.message }));
          continue;
        }
        const webhook = new IncomingWebhook(url, { timeout: timeoutMs });
        jobs.push(
          deliver(
            'slack',
            target,
            async () => {
              try {
                await webhook.send(slackBody(message, link) as IncomingWebhookSendArguments);
              } catch (err) {
                // the result and the log carry the error: never the URL (its path is the secret)
                const text = err instanceof Error ? err.message : String(err);
                throw new Error(text.split(url).join(target));
              }
            },
            context,
          ),
        );
      }
      if (message.channels.emails.length > 0) {
        const to = message.channels.emails.join(', ');
        jobs.push(
          deliver(
            'email',
            to,
            async () => {
              if (!transport || !deps.smtp) throw new Error('no SMTP server configured');
              await transport.sendMail({
                from: deps.smtp.from,
                to: message.channels.emails,
                ...emailBody(message, link),
              });
            },
            context,
          ),
        );
      }
      if (message.channels.pagerduty_routing_key && message.incidentKey) {
        const incidentKey = message.incidentKey;
        jobs.push(
          deliver(
            'pagerduty',
            incidentKey,
            async () => {
              if (!deps.addPageNote) throw new Error('no PagerDuty client configured');
              try {
                await deps.addPageNote({ incidentKey, note: pagerNote(message, link) });
              } catch (err) {
                // no page carries the event's key (a scale event, a sensor that never paged): nothing to note
                if ((err as { type?: string }).type !== 'PagerIncidentNotFound') throw err;
                throw new NothingToDeliver(`no page: ${(err as Error).message}`);
              }
            },
            context,
          ),
        );
      }
      const results = await Promise.all(jobs);
      const skipped = results.filter((r) => r.skipped);
      const failed = results.filter((r) => !r.ok && !r.skipped);
      return { delivered: results.filter((r) => r.ok), failed, ...(skipped.length ? { skipped } : {}) };
    },
  };
}
