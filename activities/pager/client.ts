// PagerDuty over @pagerduty/pdjs: Events API v2 (trigger, acknowledge, resolve by dedup key) and the REST API
// (incidents, escalation level, notes), each call under our own abort timeout and inside a total time budget.
import type { Agent } from 'node:https';
import { api, event } from '@pagerduty/pdjs';
import type { EventPayloadV2 } from '@pagerduty/pdjs/build/src/events';
import { ApplicationFailure } from '@temporalio/activity';
import { pause } from '../aws/polling';
import { PagerFailureType, pagerFailure } from './errors';

export interface PagerClientOptions {
  /** host[:port] of the Events API; pdjs always builds https://<eventsServer>/v2/enqueue. */
  eventsServer: string;
  /** Base URL of the REST API (https://api.pagerduty.com, or the emulator's http URL). */
  restUrl: string;
  /** REST API token. */
  token?: string;
  /** `From` header the REST API wants on writes (an email of a PagerDuty user). */
  fromEmail?: string;
  /** Agent for https calls, e.g. one trusting the local emulator's CA. */
  httpsAgent?: Agent;
  /** Abort one HTTP call after this long (default 5000). */
  callTimeoutMs?: number;
  /** Total time for one operation including 429/5xx backoff (default 60 000, PagerDuty's ack window). */
  budgetMs?: number;
  /** Backoff between attempts after 429/5xx/timeouts: initial, doubling with jitter, capped (250 / 5000). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /**
   * Once this many attempts in a row failed without an answer from PagerDuty (refused connections, timeouts, 5xx;
   * default 6, across all calls of this client), a call that starts while the last failure is under `forgetMs` old
   * (default 30 000) fails at once with the retryable PagerUnreachable instead of waiting out its budget, except one
   * call `probeMs` after the last failure (default 5000), which tries: an answer from PagerDuty ends it. During an outage a storm's
   * decisions then hand their pages to the durable retries at once instead of each holding its workflow task.
   */
  unreachableAfter?: number;
  forgetMs?: number;
  probeMs?: number;
}

export interface PagerResponse {
  status: number;
  data: unknown;
}

export interface PagerCallOptions {
  /** Epoch ms after which no more attempts are made (default now + budgetMs). */
  notAfter?: number;
}

export interface PagerClient {
  enqueue(data: EventPayloadV2, options?: PagerCallOptions): Promise<PagerResponse>;
  rest(method: 'GET' | 'PUT' | 'POST', path: string, data?: object, options?: PagerCallOptions): Promise<PagerResponse>;
}

export interface PagerAttemptLog {
  attempts: number;
  lastStatus?: number;
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

export function createPagerClient(options: PagerClientOptions): PagerClient {
  const callTimeoutMs = options.callTimeoutMs ?? 5000;
  const budgetMs = options.budgetMs ?? 60_000;
  const initialMs = options.backoffInitialMs ?? 250;
  const maxMs = options.backoffMaxMs ?? 5000;
  const restBase = options.restUrl.replace(/\/+$/, '');
  const unreachableAfter = options.unreachableAfter ?? 6;
  const forgetMs = options.forgetMs ?? 30_000;
  const probeMs = options.probeMs ?? 5000;
  /** Attempts in a row PagerDuty did not answer, across calls; when the last failed; when a call last probed. */
  const health = { failures: 0, lastFailureAt: 0, lastError: '', lastProbeAt: 0 };

  /** Fails at once when PagerDuty is known unreachable and no probe is due (see `unreachableAfter`). */
  function refuseWhileUnreachable(what: string): void {
    const now = Date.now();
    if (health.failures < unreachableAfter || now - health.lastFailureAt > forgetMs) return;
    if (now - health.lastProbeAt >= probeMs) {
      health.lastProbeAt = now; // this call probes
      return;
    }
    throw ApplicationFailure.retryable(
      `${what}: not called: PagerDuty is unreachable (the last ${health.failures} attempts failed, last: ` +
        `${health.lastError}); a call tries again every ${probeMs} ms`,
      PagerFailureType.Unreachable,
    );
  }
  const agentFor = (url: string): object =>
    url.startsWith('https:') && options.httpsAgent ? { agent: options.httpsAgent } : {};

  function unanswered(error: string): void {
    health.failures += 1;
    health.lastFailureAt = Date.now();
    health.lastProbeAt = health.lastFailureAt; // the next probe is due `probeMs` after the last failure
    health.lastError = error;
  }

  /** Runs `call` until it gives a non-retryable answer or the budget ends. */
  async function withBudget(
    what: string,
    call: (signal: AbortSignal) => Promise<{ status: number; data: unknown; headers?: Headers }>,
    notAfter: number | undefined,
  ): Promise<PagerResponse> {
    refuseWhileUnreachable(what);
    const deadline = notAfter ?? Date.now() + budgetMs;
    let attempt = 0;
    let last = 'no attempt';
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw pagerFailure(
          PagerFailureType.BudgetExhausted,
          `${what}: gave up after ${attempt} attempt(s) inside the time budget; last: ${last}`,
        );
      }
      attempt += 1;
      const controller = new AbortController();
      // the last attempt of a call may get less than its own timeout: the rest of the budget
      const cutByBudget = left < callTimeoutMs;
      const cutOff = `cut off by the end of the time budget after ${Math.round(left)} ms`;
      const timer = setTimeout(() => controller.abort(), Math.min(callTimeoutMs, left));
      let retryAfter: number | undefined;
      try {
        const res = await Promise.race([
          call(controller.signal),
          new Promise<never>((_, reject) =>
            controller.signal.addEventListener('abort', () =>
              reject(new Error(cutByBudget ? cutOff : `timed out after ${callTimeoutMs} ms`)),
            ),
          ),
        ]);
        if (res.status < 500) health.failures = 0; // PagerDuty answered
        if (res.status >= 200 && res.status < 300) return { status: res.status, data: res.data };
        last = `HTTP ${res.status} ${JSON.stringify(res.data)}`;
        if (res.status >= 500) unanswered(last);
        if (res.status !== 429 && res.status < 500) {
          throw pagerFailure(PagerFailureType.Rejected, `${what}: PagerDuty refused: ${last}`);
        }
        retryAfter = retryAfterMs(res.headers);
      } catch (err) {
        if ((err as { type?: string }).type === PagerFailureType.Rejected) throw err;
        if (cutByBudget && controller.signal.aborted) {
          // our own budget ended the wait (whichever rejection came first), not PagerDuty's silence: no failure
          // counted, and an earlier attempt's answer stays the one named
          if (attempt === 1) last = cutOff;
        } else {
          last = err instanceof Error ? err.message : String(err);
          unanswered(last);
        }
      } finally {
        clearTimeout(timer);
      }
      const backoff = Math.min(maxMs, initialMs * 2 ** (attempt - 1));
      const wait = Math.min(retryAfter ?? backoff * (0.5 + Math.random() / 2), Math.max(0, deadline - Date.now()));
      await pause(wait);
    }
  }

  return {
    async enqueue(data, callOptions = {}) {
      return await withBudget(
        `PagerDuty ${data.event_action} ${data.dedup_key ?? ''}`.trim(),
        async (signal) => {
          const res = await event({
            server: options.eventsServer,
            data,
            signal,
            // pdjs retries 429 three times by itself; keep those retries short, our loop does the real backoff.
            retryTimeout: initialMs,
            ...(options.httpsAgent ? ({ agent: options.httpsAgent } as object) : {}),
          });
          return { status: res.status, data: res.data, headers: res.headers };
        },
        callOptions.notAfter,
      );
    },

    async rest(method, path, data, callOptions = {}) {
      const url = `${restBase}${path}`;
      return await withBudget(
        `PagerDuty ${method} ${path}`,
        async (signal) => {
          const res = await api({
            url,
            method,
            token: options.token ?? '',
            ...(data ? { data } : {}),
            headers: options.fromEmail ? { From: options.fromEmail } : {},
            signal,
            retryTimeout: initialMs,
            ...agentFor(url),
          });
          return { status: res.status, data: res.data, headers: res.headers };
        },
        callOptions.notAfter,
      );
    },
  };
}
