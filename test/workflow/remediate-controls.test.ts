import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type LazarusEvent } from '../../core/event';
import type { RemediationStatus } from '../../contracts/trace';
import { Outcome } from '../../core/outcome';
import { remediate } from '../../workflows';
import {
  cancelSignal,
  pauseSignal,
  regionalGovernorQuery,
  resumeSignal,
  serviceGovernorQuery,
  setKillSwitchUpdate,
  setShadowUpdate,
  statusQuery,
} from '../../contracts/messages';
import { RemediationHarness, step, type HarnessOptions } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';
import { until } from '../support/wait';
import { remediationWorkflowId } from '../../contracts/workflow-ids';
import { controlId, regionalGovernorId, serviceGovernorId } from '../../contracts/workflow-ids';
import { LazarusRegion, LazarusService } from '../../contracts/search-attributes';

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
beforeAll(() => ({ env } = stack));

function start(h: RemediationHarness, event: LazarusEvent = h.event(), killSwitchPollMs = 200) {
  return env.client.workflow.start(remediate, {
    taskQueue: h.taskQueue,
    workflowId: remediationWorkflowId(event.incident_key),
    args: [event, { kill_switch_poll_ms: killSwitchPollMs }],
  });
}

/** A runbook whose second step waits until the test lets it go. */
function gatedRunbook(options: HarnessOptions = {}): {
  h: RemediationHarness;
  release: () => void;
  entered: Promise<void>;
} {
  let release!: () => void;
  let enter!: () => void;
  const entered = new Promise<void>((r) => (enter = r));
  const gate = new Promise<void>((r) => (release = r));
  const h = new RemediationHarness(env, {
    steps: [
      step('drain', 'drainHost', [], {
        compensate: { activity: 'restoreHost', input: { instanceId: '${event.host}' } },
      }),
      step('clone', 'cloneHost', ['drain']),
      step('forensics', 'keepForensics', ['clone']),
    ],
    ...options,
    stepBehaviour: {
      cloneHost: async () => {
        enter();
        await gate;
        return {};
      },
      ...options.stepBehaviour,
    },
  });
  return { h, release, entered };
}

async function setKillSwitch(h: RemediationHarness, enabled: boolean): Promise<void> {
  const handle = env.client.workflow.getHandle(controlId(h.region));
  await handle.executeUpdate(setKillSwitchUpdate, {
    args: [{ scope: 'host_replacement', enabled, reason: 'bad deploy of the remediation code', actor: 'alice' }],
  });
}

async function ensureControl(h: RemediationHarness): Promise<void> {
  await env.client.workflow.start('control', {
    taskQueue: h.taskQueue,
    workflowId: controlId(h.region),
    args: [{ region: h.region }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

describe('kill switch', () => {
  it('KILL_SWITCH: set before the runbook, nothing runs and the page is escalated with who set it', async () => {
    const h = new RemediationHarness(env);
    const status = await h.run(async () => {
      await ensureControl(h);
      await setKillSwitch(h, true);
      return await (await start(h)).result();
    });
    expect(status.outcome).toBe(Outcome.KillSwitch);
    expect(status.reason).toContain('alice');
    expect(h.stepCalls).toEqual([]);
    expect(h.calls('escalatePage')).toHaveLength(1);
    expect(h.notices()).toContain('kill_switch_blocked');
    // the escalation wrote the decision on the page: its notification goes to the other channels, not a second note
    expect(h.notifications).toEqual([{ kind: 'kill_switch_blocked', notesPage: false }]);
  });

  it('set during a runbook, pauses it at the next step boundary until it is turned off', async () => {
    const { h, release, entered } = gatedRunbook();
    const status = await h.run(async () => {
      await ensureControl(h);
      const handle = await start(h);
      await entered;
      await setKillSwitch(h, true);
      release();
      const child = env.client.workflow.getHandle(`lock/host/${h.sickHost}`);
      await until(
        () => child.query(statusQuery),
        (s) => s.phase === 'paused',
      );
      expect(h.stepCalls.map((c) => c.activity)).toEqual(['drainHost', 'cloneHost']);
      await setKillSwitch(h, false);
      return await handle.result();
    });
    expect(status.outcome).toBe(Outcome.Remediated);
    expect(h.stepCalls.map((c) => c.activity)).toEqual(['drainHost', 'cloneHost', 'keepForensics']);
  });
});

describe('operator signals', () => {
  it('pause holds the next step until resume', async () => {
    const { h, release, entered } = gatedRunbook();
    const status = await h.run(async () => {
      const handle = await start(h);
      await entered;
      await handle.signal(pauseSignal, { reason: 'looking at it', actor: 'bob' });
      const child = env.client.workflow.getHandle(`lock/host/${h.sickHost}`);
      await until(
        () => child.query(statusQuery),
        (s) => s.paused !== undefined,
      );
      release();
      await until(
        () => child.query(statusQuery),
        (s) => s.phase === 'paused',
      );
      const paused = await handle.query(statusQuery);
      expect(paused.paused).toMatchObject({ reason: 'looking at it', actor: 'bob' });
      expect(h.stepCalls.map((c) => c.activity)).not.toContain('keepForensics');
      await handle.signal(resumeSignal);
      return await handle.result();
    });
    expect(status.outcome).toBe(Outcome.Remediated);
  });

  it('CANCELLED: cancel compensates what was done and escalates', async () => {
    const { h, entered, release } = gatedRunbook();
    const status = await h.run(async () => {
      const handle = await start(h);
      await entered;
      await handle.signal(cancelSignal, { reason: 'wrong host', actor: 'carol' });
      const result = await handle.result();
      release(); // the abandoned activity ends, so the worker can shut down
      return result;
    });
    expect(status.outcome).toBe(Outcome.Cancelled);
    expect(status.reason).toContain('carol');
    expect(h.stepCalls.map((c) => c.activity)).toContain('restoreHost');
    expect(h.calls('escalatePage')).toHaveLength(1);
  });
});

describe('locks', () => {
  it('LOCKED: a second event for a host in remediation starts no second action; its page follows the first', async () => {
    const { h, release, entered } = gatedRunbook();
    const [first, second] = await h.run(async () => {
      const firstHandle = await start(h);
      await entered;
      const secondEvent = h.event({ event_type: 'NagiosHostAlarm' });
      const second = await (await start(h, secondEvent)).result();
      release();
      return [await firstHandle.result(), second];
    });
    expect(second.outcome).toBe(Outcome.Locked);
    expect(first.outcome).toBe(Outcome.Remediated);
    expect(h.stepCalls.filter((c) => c.activity === 'drainHost')).toHaveLength(1);
    expect(h.calls('resolvePage')).toEqual([first.incident_key, second.incident_key]);
    expect(h.calls('escalatePage')).toEqual([]);
  });
});

describe('shadow mode', () => {
  it('SHADOW: runs every gate, records what it would do, touches nothing', async () => {
    const h = new RemediationHarness(env);
    const status = await h.run(async () => {
      await ensureControl(h);
      await env.client.workflow.getHandle(controlId(h.region)).executeUpdate(setShadowUpdate, {
        args: [{ scope: `service:${h.service}`, enabled: true, reason: 'trial', actor: 'dave' }],
      });
      return await (await start(h)).result();
    });
    expect(status.outcome).toBe(Outcome.Shadow);
    expect(status.gates.map((g) => g.gate)).toEqual(expect.arrayContaining(['governor', 'quorum', 'kill_switch']));
    expect(h.stepCalls).toEqual([]);
    expect(h.pages.filter((p) => p.call !== 'notify')).toEqual([]);
  });
});

describe('regional circuit breaker', () => {
  it('opens on a burst across services: no admission after it passes, whichever service; closes when the windows empty', async () => {
    // Long enough that a loaded machine finishes the burst inside it; the close needs the windows to run out.
    const windowMs = 12_000;
    const h = new RemediationHarness(env, {
      rule: { preconditions: [] },
      breaker: { open_threshold: 3, close_threshold: 1, window_ms: windowMs },
      service: { rate_limit: { threshold: 10, window_ms: windowMs } },
      breakerNotifications: { slack_webhooks: [], emails: ['sre@example.com'] },
    });
    const original = h.match.bind(h);
    h.match = (event) => {
      const m = original(event);
      m.service = { ...m.service!, service: event.service };
      return m;
    };
    const remediateFor = async (svc: string, host: string): Promise<RemediationStatus> =>
      await (await start(h, h.event({ service: `${h.service}-${svc}`, host }))).result();
    await h.run(async () => {
      // a burst of single-host failures over five services: the report that reaches the threshold opens the breaker,
      // and an event admitted just before it is refused by the re-read right before its runbook
      const burst = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((svc) => remediateFor(svc, `i-${svc}`)));
      const acted = burst.filter((s) => s.outcome === Outcome.Remediated);
      expect(acted.length).toBeLessThanOrEqual(2);
      expect(burst.filter((s) => s.outcome === Outcome.CircuitOpen)).toHaveLength(5 - acted.length);
      const region = env.client.workflow.getHandle(regionalGovernorId(h.region));
      const opened = await region.query(regionalGovernorQuery);
      expect(opened.state).toBe('open');
      // every runbook that ran had read the breaker closed right before it started
      for (const s of acted) expect(s.gates.find((g) => g.gate === 'breaker')?.detail.state).toBe('closed');
      // a service that was already failing (a) and one never seen (f): refused at admission
      for (const [svc, host] of [
        ['a', 'i-a2'],
        ['f', 'i-f'],
      ]) {
        const later = await remediateFor(svc, host);
        expect(later.outcome).toBe(Outcome.CircuitOpen);
        expect(later.gates.find((g) => g.gate === 'governor')?.verdict).toBe('fail');
      }
      // the windows run out, services stop failing, the breaker closes (at close_threshold) and remediation resumes
      const closed = await until(
        () => region.query(regionalGovernorQuery),
        (r) => r.state === 'closed',
        windowMs * 4,
      );
      expect(closed.transitions.map((t) => t.to)).toEqual(['open', 'closed']);
      expect((await remediateFor('g', 'i-g')).outcome).toBe(Outcome.Remediated);
    });
    // the deployment's team heard of both transitions
    expect(h.notices().filter((kind) => kind.startsWith('breaker_'))).toEqual(['breaker_opened', 'breaker_closed']);
  });

  it('reads the breaker again right before the runbook: admitted before it opened, refused after, nothing run', async () => {
    let releaseAck!: () => void;
    let ackEntered!: () => void;
    const entered = new Promise<void>((r) => (ackEntered = r));
    const held = new Promise<void>((r) => (releaseAck = r));
    const h = new RemediationHarness(env, {
      rule: { preconditions: [] },
      breaker: { open_threshold: 2, close_threshold: 0, window_ms: 60_000 },
      activityOverrides: {
        acknowledgePage: async (input: { incidentKey: string }) => {
          ackEntered();
          if (input.incidentKey.startsWith('held-')) await held;
          return { dedupKey: input.incidentKey };
        },
      },
    });
    const original = h.match.bind(h);
    h.match = (event) => {
      const m = original(event);
      m.service = { ...m.service!, service: event.service };
      return m;
    };
    const [first, second] = await h.run(async () => {
      const admitted = await start(h, h.event({ incident_key: `held-${h.service}`, service: `${h.service}-x` }));
      await entered; // admitted with the breaker closed, now acknowledging its page
      const opener = await (await start(h, h.event({ service: `${h.service}-y`, host: 'i-y' }))).result();
      releaseAck();
      return [await admitted.result(), opener];
    });
    expect(second.outcome).toBe(Outcome.CircuitOpen);
    expect(first.gates.find((g) => g.gate === 'governor')?.verdict).toBe('pass');
    expect(first.outcome).toBe(Outcome.CircuitOpen);
    expect(first.gates.find((g) => g.gate === 'breaker')).toMatchObject({ verdict: 'fail', detail: { state: 'open' } });
    expect(h.stepCalls).toEqual([]);
    expect(h.calls('escalatePage')).toEqual(expect.arrayContaining([first.incident_key, second.incident_key]));
  });
});

describe('governor entities', () => {
  it('continue as new before their history grows, carrying their counts and windows', async () => {
    const h = new RemediationHarness(env, {
      rule: { preconditions: [] },
      continueAsNewAfter: 3,
      service: { rate_limit: { threshold: 4, window_ms: 60_000 } },
    });
    const governor = env.client.workflow.getHandle(serviceGovernorId(h.service));
    const { outcomes, counted, continued, attributes } = await h.run(async () => {
      const results: string[] = [];
      for (let i = 0; i < 5; i++) {
        results.push((await (await start(h, h.event({ host: `i-can-${i}` }))).result()).outcome!);
      }
      const history = await governor.fetchHistory();
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      return {
        outcomes: results,
        counted: (await governor.query(serviceGovernorQuery)).counted,
        continued: Boolean(started?.continuedExecutionRunId),
        // what the governor view lists it by, kept by the continued run (the server copies them)
        attributes: (await governor.describe()).typedSearchAttributes,
      };
    });
    // the fifth event is over the threshold of 4: the window survived the continue-as-new
    expect(outcomes).toEqual([...Array<string>(4).fill(Outcome.Remediated), Outcome.RateLimited]);
    expect(continued).toBe(true);
    expect(counted).toBe(5);
    expect([attributes.get(LazarusRegion), attributes.get(LazarusService)]).toEqual([h.region, h.service]);
  });
});
