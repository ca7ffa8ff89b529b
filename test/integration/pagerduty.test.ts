import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  createPagerActivities,
  PagerFailureType,
  type EscalatePageInput,
  type EscalatePageOutput,
  type PagerActivities,
} from '../../activities/pager';
import type { PagerDutyEmulatorState, RunningPagerDutyEmulator } from '../../devstack/pagerduty-emulator';
import {
  eventually,
  getJson,
  pagerClientFor,
  postJson,
  sharedPagerDuty,
  startPagerDutyEmulator,
} from '../support/stand-ins';

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
  new MockActivityEnvironment().run(fn, ...args);

describe('PagerDuty activities through pdjs against the PagerDuty emulator', () => {
  // One emulator for this file: failure injection and timers must not disturb other test files.
  let emulator: RunningPagerDutyEmulator;
  let pager: PagerActivities;
  const routingKey = 'R0UTINGKEY0000000000000000000001';

  beforeAll(async () => {
    emulator = await startPagerDutyEmulator({ ackTimeoutMs: 60_000, escalationLevels: 3 });
    pager = createPagerActivities({ client: pagerClientFor(emulator) });
  });
  afterAll(() => emulator.stop());
  afterEach(() => postJson(`${emulator.restUrl}/_emulator/heal`));

  async function page(summary = 'web-1 is down'): Promise<string> {
    const incidentKey = `event/${randomUUID()}`;
    await run(pager.triggerPage, { routingKey, incidentKey, summary, source: 'nagios' });
    return incidentKey;
  }
  const incident = (key: string) => emulator.state().incidents.find((i) => i.incident_key === key);

  it('acknowledges and resolves a page by its incident key over the Events API (TLS)', async () => {
    const key = await page();
    expect(incident(key)?.status).toBe('triggered');

    await run(pager.acknowledgePage, { routingKey, incidentKey: key });
    expect(incident(key)?.status).toBe('acknowledged');
    await run(pager.resolvePage, { routingKey, incidentKey: key });
    expect(incident(key)?.status).toBe('resolved');
  });

  it('deduplicates a second trigger with the same key into the open incident', async () => {
    const key = await page();

    await run(pager.triggerPage, { routingKey, incidentKey: key, summary: 'again', source: 'datadog' });

    expect(emulator.state().incidents.filter((i) => i.incident_key === key)).toHaveLength(1);
    expect(
      emulator
        .state()
        .events.filter((e) => e.dedup_key === key)
        .map((e) => e.effect),
    ).toEqual(['created', 'deduplicated']);
  });

  it('leaves the incident alone when acknowledged with another routing key, as PagerDuty does', async () => {
    const key = await page();

    await run(pager.acknowledgePage, { routingKey: 'SOMEOTHERKEY00000000000000000000', incidentKey: key });

    expect(incident(key)?.status).toBe('triggered');
    expect(emulator.state().events.at(-1)?.effect).toMatch(/routing_key differs/);
  });

  it('escalates: finds the incident over REST, raises its level once even when retried, and adds the note', async () => {
    const key = await page();

    const first = await run(pager.escalatePage, { incidentKey: key, note: 'quorum: 2 of 3 saw web-1 healthy' });
    const retry = new MockActivityEnvironment({
      heartbeatDetails: { incidentId: first.incidentId, raisedTo: 2, raised: true, noted: true },
    });
    const again = await retry.run<[EscalatePageInput], EscalatePageOutput, PagerActivities['escalatePage']>(
      pager.escalatePage,
      { incidentKey: key, note: 'quorum: 2 of 3 saw web-1 healthy' },
    );

    expect(first).toEqual({ incidentId: incident(key)?.id, escalationLevel: 2, raised: true });
    expect(again.escalationLevel).toBe(2);
    expect(incident(key)?.escalation_level).toBe(2);
    expect(incident(key)?.notes.map((n) => n.content)).toEqual(['quorum: 2 of 3 saw web-1 healthy']);
  });

  it('as a local activity (no heartbeat), a retry in the same worker neither raises the level again nor repeats the note', async () => {
    const key = await page();
    // a local activity's attempts: same workflow and activity id, attempt 1 then 2
    const attempt = (n: number) =>
      new MockActivityEnvironment({
        isLocal: true,
        attempt: n,
        activityId: '7',
        workflowExecution: { workflowId: `event/${key}`, runId: 'run-1' },
      });
    const input = { incidentKey: key, note: 'STALE: the event is 20 min old' };

    const first = await attempt(1).run<[EscalatePageInput], EscalatePageOutput, PagerActivities['escalatePage']>(
      pager.escalatePage,
      input,
    );
    const retried = await attempt(2).run<[EscalatePageInput], EscalatePageOutput, PagerActivities['escalatePage']>(
      pager.escalatePage,
      input,
    );

    expect(first).toEqual({ incidentId: incident(key)?.id, escalationLevel: 2, raised: true });
    expect(retried.escalationLevel).toBe(2);
    expect(incident(key)?.escalation_level).toBe(2);
    expect(incident(key)?.notes.map((n) => n.content)).toEqual(['STALE: the event is 20 min old']);
  });

  it('run again elsewhere (another worker, no progress kept), an escalation or a note already made changes nothing', async () => {
    const key = await page();
    const input = { incidentKey: key, note: 'KILL_SWITCH: host_replacement is off (workflow event/x)' };

    const first = await run(pager.escalatePage, input);
    const again = await run(pager.escalatePage, input);
    const noted = await run(pager.addPageNote, {
      incidentKey: key,
      note: 'LATE: no decision in time (workflow event/y)',
    });
    const notedAgain = await run(pager.addPageNote, {
      incidentKey: key,
      note: 'LATE: no decision in time (workflow event/y)',
    });

    expect(first).toEqual({ incidentId: incident(key)?.id, escalationLevel: 2, raised: true });
    expect(again).toMatchObject({ escalationLevel: 2, repeated: true });
    expect(noted.repeated).toBeUndefined();
    expect(notedAgain).toEqual({ incidentId: incident(key)?.id, repeated: true });
    expect(incident(key)?.escalation_level).toBe(2);
    expect(incident(key)?.notes.map((n) => n.content)).toEqual([
      input.note,
      'LATE: no decision in time (workflow event/y)',
    ]);
  });

  it('still adds the note when the incident is already at the last escalation level', async () => {
    const key = await page();
    await run(pager.escalatePage, { incidentKey: key });
    await run(pager.escalatePage, { incidentKey: key });

    const last = await run(pager.escalatePage, { incidentKey: key, note: 'kill switch closed' });

    expect(last).toMatchObject({ escalationLevel: 3, raised: false });
    expect(incident(key)?.notes).toHaveLength(1);
  });

  it('links the remediation in the Temporal Web UI in the note it adds', async () => {
    const key = await page();
    const linked = createPagerActivities({
      client: pagerClientFor(emulator),
      ui: { temporalUiUrl: 'http://localhost:8233/', namespace: 'default' },
    });

    await run(linked.escalatePage, {
      incidentKey: key,
      note: 'Lazarus FAILED: governor unavailable',
      workflowId: `event/${key}`,
    });

    expect(incident(key)?.notes.map((n) => n.content)).toEqual([
      `Lazarus FAILED: governor unavailable\nhttp://localhost:8233/namespaces/default/workflows/${encodeURIComponent(`event/${key}`)}`,
    ]);
  });

  it('fails retryably with PagerIncidentNotFound when no incident has the key', async () => {
    const attempt = run(pager.escalatePage, { incidentKey: 'event/never-paged' });

    await expect(attempt).rejects.toMatchObject({ type: PagerFailureType.IncidentNotFound, nonRetryable: false });
  });

  it('rides out 429s with bounded backoff and acknowledges within the budget', async () => {
    const key = await page();
    await postJson(`${emulator.restUrl}/_emulator/fail`, { mode: '429', count: 6, scope: 'events' });

    await run(pager.acknowledgePage, { routingKey, incidentKey: key });

    expect(incident(key)?.status).toBe('acknowledged');
    expect(emulator.state().calls.failed).toBeGreaterThanOrEqual(6);
  });

  it('gives up with a non-retryable PagerBudgetExhausted when PagerDuty is down for the whole budget', async () => {
    const key = await page();
    const client = pagerClientFor(emulator, { budgetMs: 800 });
    await postJson(`${emulator.restUrl}/_emulator/fail`, { mode: '503', scope: 'events' });
    const started = Date.now();

    const attempt = run(createPagerActivities({ client }).acknowledgePage, { routingKey, incidentKey: key });

    await expect(attempt).rejects.toMatchObject({ type: PagerFailureType.BudgetExhausted, nonRetryable: true });
    // The last cause is the 503, or, on a machine loaded enough that the last call outlives its timeout, that timeout.
    await expect(attempt).rejects.toThrow(
      /gave up after \d+ attempt\(s\) inside the time budget; last: (HTTP 503|timed out)/,
    );
    expect(emulator.state().calls.failed).toBeGreaterThanOrEqual(1);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(incident(key)?.status).toBe('triggered');
  });

  it('once PagerDuty stops answering, later calls fail at once (PagerUnreachable, retryable) but one probes every few seconds', async () => {
    const key = await page();
    const client = pagerClientFor(emulator, { budgetMs: 400, unreachableAfter: 3, probeMs: 300 });
    const pagerOf = createPagerActivities({ client });
    await postJson(`${emulator.restUrl}/_emulator/fail`, { mode: '503', scope: 'events' });

    // a call that starts while PagerDuty answers keeps its whole budget
    await expect(run(pagerOf.acknowledgePage, { routingKey, incidentKey: key })).rejects.toMatchObject({
      type: PagerFailureType.BudgetExhausted,
    });
    const failedCalls = emulator.state().calls.failed;
    expect(failedCalls).toBeGreaterThanOrEqual(3);
    // the next ones are not made
    const started = Date.now();
    const refused = run(pagerOf.acknowledgePage, { routingKey, incidentKey: key });
    await expect(refused).rejects.toMatchObject({ type: PagerFailureType.Unreachable, nonRetryable: false });
    await expect(refused).rejects.toThrow(
      /not called: PagerDuty is unreachable \(the last \d+ attempts failed, last: HTTP 503/,
    );
    expect(Date.now() - started).toBeLessThan(200);
    expect(emulator.state().calls.failed).toBe(failedCalls);

    // PagerDuty is back: the probe after 300 ms gets through, and so does everything after it
    await postJson(`${emulator.restUrl}/_emulator/heal`);
    const refusedWhileWaiting: string[] = [];
    await eventually(async () => {
      try {
        return await run(pagerOf.acknowledgePage, { routingKey, incidentKey: key });
      } catch (err) {
        refusedWhileWaiting.push((err as { type?: string }).type ?? String(err));
        await new Promise((r) => setTimeout(r, 50));
        return undefined;
      }
    }, 3000);
    expect(new Set(refusedWhileWaiting)).toEqual(
      new Set(refusedWhileWaiting.length ? [PagerFailureType.Unreachable] : []),
    );
    expect(incident(key)?.status).toBe('acknowledged');
    await run(pagerOf.resolvePage, { routingKey, incidentKey: key });
    expect(incident(key)?.status).toBe('resolved');
  });

  it('aborts a call that hangs with its own timeout, inside the budget', async () => {
    const key = await page();
    const client = pagerClientFor(emulator, { callTimeoutMs: 150, budgetMs: 600 });
    await postJson(`${emulator.restUrl}/_emulator/fail`, { mode: 'hang', scope: 'events' });
    const started = Date.now();

    const attempt = run(createPagerActivities({ client }).acknowledgePage, { routingKey, incidentKey: key });

    await expect(attempt).rejects.toThrow(/timed out after 150 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('names an attempt the time budget cut short as such, and does not count it as PagerDuty unreachable', async () => {
    const key = await page();
    // the budget ends before the attempt's own timeout: the one attempt is cut off by the budget (1 s, not less: the
    // call after the heal runs on the same budget, and a loaded machine took more than 300 ms for it once)
    const client = pagerClientFor(emulator, {
      callTimeoutMs: 5000,
      budgetMs: 1000,
      unreachableAfter: 1,
      probeMs: 60_000,
    });
    const pagerOf = createPagerActivities({ client });
    await postJson(`${emulator.restUrl}/_emulator/fail`, { mode: 'hang', scope: 'events' });

    const cut = run(pagerOf.acknowledgePage, { routingKey, incidentKey: key });
    await expect(cut).rejects.toMatchObject({ type: PagerFailureType.BudgetExhausted });
    await expect(cut).rejects.toThrow(/last: cut off by the end of the time budget after \d+ ms/);

    // not a failure of PagerDuty's: with one unanswered attempt enough to call it unreachable, the next call is made
    await postJson(`${emulator.restUrl}/_emulator/heal`);
    await run(pagerOf.acknowledgePage, { routingKey, incidentKey: key });
    expect(incident(key)?.status).toBe('acknowledged');
  });

  it('refuses without retry an event PagerDuty rejects', async () => {
    const attempt = run(pager.acknowledgePage, { routingKey: '', incidentKey: 'event/x' });

    await expect(attempt).rejects.toMatchObject({ type: PagerFailureType.Rejected, nonRetryable: true });
    await expect(attempt).rejects.toThrow(/HTTP 400/);
  });

  it('escalates an unacknowledged incident by itself after the ack timeout, but not an acknowledged one', async () => {
    const quick = await startPagerDutyEmulator({ ackTimeoutMs: 150, escalationLevels: 2 });
    try {
      const activities = createPagerActivities({ client: pagerClientFor(quick) });
      const ignored = `event/${randomUUID()}`;
      const handled = `event/${randomUUID()}`;
      for (const incidentKey of [ignored, handled]) {
        await run(activities.triggerPage, { routingKey, incidentKey, summary: 'db down', source: 'cli' });
      }
      await run(activities.acknowledgePage, { routingKey, incidentKey: handled });

      const escalated = await eventually(async () => {
        const state = await getJson<PagerDutyEmulatorState>(`${quick.restUrl}/_emulator/state`);
        const found = state.incidents.find((i) => i.incident_key === ignored);
        return found && found.escalation_level === 2 ? state : undefined;
      }, 5000);

      expect(escalated.incidents.find((i) => i.incident_key === ignored)?.escalations).toEqual([
        expect.objectContaining({ to: 2, by: 'timeout' }),
      ]);
      expect(escalated.incidents.find((i) => i.incident_key === handled)?.escalation_level).toBe(1);
    } finally {
      await quick.stop();
    }
  });

  it('the run`s shared emulator takes a page over TLS with the CA from the stack environment', async () => {
    const shared = sharedPagerDuty();
    const activities = createPagerActivities({ client: pagerClientFor(shared) });
    const incidentKey = `event/${randomUUID()}`;

    await run(activities.triggerPage, { routingKey, incidentKey, summary: 'shared', source: 'test' });

    const state = await getJson<PagerDutyEmulatorState>(`${shared.restUrl}/_emulator/state`);
    expect(state.incidents.find((i) => i.incident_key === incidentKey)?.status).toBe('triggered');
  });
});
