// Test access to the local stand-ins: in-process instances for tests that inject failures or change timers (so
// parallel test files do not disturb each other), and small HTTP clients for the shared ones of the run.
import fs from 'node:fs';
import { Agent } from 'node:https';
import { createPagerClient, type PagerClient, type PagerClientOptions } from '../../activities/pager';
import { startPagerDutyEmulator, type RunningPagerDutyEmulator } from '../../devstack/pagerduty-emulator';
import { stackValue } from './stack-env';

/** A pdjs-based client that trusts the emulator's self-signed certificate. */
export function pagerClientFor(
  emulator: Pick<RunningPagerDutyEmulator, 'eventsServer' | 'restUrl' | 'caPem'>,
  options: Partial<PagerClientOptions> = {},
): PagerClient {
  return createPagerClient({
    eventsServer: emulator.eventsServer,
    restUrl: emulator.restUrl,
    token: 'lazarus-test',
    fromEmail: 'lazarus@example.com',
    httpsAgent: new Agent({ ca: emulator.caPem }),
    callTimeoutMs: 2000,
    budgetMs: 10_000,
    backoffInitialMs: 20,
    backoffMaxMs: 200,
    ...options,
  });
}

/** The run's shared PagerDuty emulator, as the three values a client needs. */
export function sharedPagerDuty(): Pick<RunningPagerDutyEmulator, 'eventsServer' | 'restUrl' | 'caPem'> {
  return {
    eventsServer: stackValue('pagerDutyEventsServer'),
    restUrl: stackValue('pagerDutyRestUrl'),
    caPem: fs.readFileSync(stackValue('pagerDutyCaFile'), 'utf8'),
  };
}

export { startPagerDutyEmulator };

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function postJson<T>(url: string, body: unknown = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Polls `check` every 50 ms until it returns something other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
