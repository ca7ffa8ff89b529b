// The storm gates on the real dev server: the rate limit counts failures (a host once) and later alarms follow the
// remediation deciding for them; scaling never counts; service and host locks exclude each other; shadow set in
// configuration survives a broader runtime switch; a decision out of the acknowledgement window is LATE; a
// kill-switched event stops before the quorum.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { LazarusEvent } from '../../core/event';
import { Outcome } from '../../core/outcome';
import { remediate } from '../../workflows';
import {
  acquireLockUpdate,
  admitUpdate,
  regionalGovernorQuery,
  setKillSwitchUpdate,
  setShadowUpdate,
} from '../../contracts/messages';
import { controlId, regionalGovernorId, remediationWorkflowId, serviceGovernorId } from '../../contracts/workflow-ids';
import { RemediationHarness, step, type HarnessOptions } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
beforeAll(() => ({ env } = stack));

function start(h: RemediationHarness, event: LazarusEvent = h.event()) {
  return env.client.workflow.start(remediate, {
    taskQueue: h.taskQueue,
    workflowId: remediationWorkflowId(event.incident_key),
    args: [event, { kill_switch_poll_ms: 200 }],
  });
}

/** A harness whose cloneHost step waits until the test lets it go. */
function gated(options: HarnessOptions = {}): { h: RemediationHarness; release: () => void; entered: Promise<void> } {
  let release!: () => void;
  let enter!: () => void;
  const entered = new Promise<void>((r) => (enter = r));
  const gate = new Promise<void>((r) => (release = r));
  const h = new RemediationHarness(env, {
    rule: { preconditions: [] },
    ...options,
    stepBehaviour: {
      cloneHost: async () => {
        enter();
        await gate;
        return {};
      },
    },
  });
  return { h, release, entered };
}

async function setControl(h: RemediationHarness, update: 'kill' | 'shadow', scope: string, enabled: boolean) {
  const handle = await env.client.workflow.start('control', {
    taskQueue: h.taskQueue,
    workflowId: controlId(h.region),
    args: [{ region: h.region }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  const request = { scope, enabled, reason: 'storm drill', actor: 'erin' };
  if (update === 'kill') await handle.executeUpdate(setKillSwitchUpdate, { args: [request as never] });
  else await handle.executeUpdate(setShadowUpdate, { args: [request] });
}

describe('rate limit: failures, not alarms', () => {
  it('counts a host once; alarms about it follow its remediation and are resolved with it, never paged', async () => {
    const { h, release, entered } = gated({ service: { rate_limit: { threshold: 1, window_ms: 60_000 } } });
    const first = h.event();
    const [leader, followers, otherHost] = await h.run(async () => {
      const leaderHandle = await start(h, first);
      await entered;
      // three more alarms about the same host (other checks, other incident keys) while it is being replaced
      const alarms = await Promise.all(
        ['NagiosHostAlarm', 'HealthcheckDown', 'NagiosHostAlarm'].map(async (type) =>
          (await start(h, h.event({ event_type: type }))).result(),
        ),
      );
      // a second host of the service is a second failure: over the threshold of 1
      const second = await (await start(h, h.event({ host: h.hosts[1].instanceId }))).result();
      release();
      return [await leaderHandle.result(), alarms, second];
    });
    expect(leader.outcome).toBe(Outcome.Remediated);
    expect(followers.map((s) => s.outcome)).toEqual([Outcome.Locked, Outcome.Locked, Outcome.Locked]);
    for (const s of followers) expect(s.page_follows).toBe(remediationWorkflowId(first.incident_key));
    expect(otherHost.outcome).toBe(Outcome.RateLimited);
    expect(otherHost.reason).toContain('2 distinct failures');
    expect(h.stepCalls.filter((c) => c.activity === 'drainHost')).toHaveLength(1);
    // the followed pages were acknowledged, then resolved with the leader's; only the second host paged on-call
    expect(h.calls('resolvePage').sort()).toEqual([first.incident_key, ...followers.map((s) => s.incident_key)].sort());
    expect(h.calls('escalatePage')).toEqual([otherHost.incident_key]);
  });
});

describe('scaling never counts toward the breaker or the replacement rate limit', () => {
  it('scale events of many services open no breaker and use none of the rate limit', async () => {
    const h = new RemediationHarness(env, {
      rule: {
        name: 'scale_up',
        preconditions: [],
        lock: 'service',
        category: 'autoscaling',
        runbook: {
          name: 'scale_up',
          workflow_timeout_ms: 60_000,
          steps: [step('launch', 'launchFromTemplate', [], { input: { service: '${event.service}' } })],
        },
      },
      breaker: { open_threshold: 2, close_threshold: 0, window_ms: 60_000 },
      service: {
        rate_limit: { threshold: 1, window_ms: 60_000 },
        scaling: { min_hosts: 1, max_hosts: 20, max_step: 2, cooldown_ms: 0 },
      },
    });
    const original = h.match.bind(h);
    h.match = (event) => {
      const m = original(event);
      m.service = { ...m.service!, service: event.service };
      if (event.event_type === 'HealthcheckDown') {
        m.rule = { ...m.rule!, name: 'replace', lock: 'host', category: 'host_replacement' };
        m.rule.runbook = { ...m.rule.runbook, steps: [step('drain', 'drainHost')] };
      }
      return m;
    };
    const scale = (svc: string): LazarusEvent => {
      const event = h.event({ service: svc, event_type: 'ScaleUp', details: { delta: 1, reason: 'load' } });
      delete event.host;
      return event;
    };
    const { outcomes, region } = await h.run(async () => {
      const scaled = [];
      for (const svc of ['a', 'b', 'c'])
        scaled.push((await (await start(h, scale(`${h.service}-${svc}`))).result()).outcome);
      // then a real host failure of one of those services: the rate limit (1) is still whole, the breaker closed
      const failure = await (await start(h, h.event({ service: `${h.service}-a` }))).result();
      const breaker = await env.client.workflow.getHandle(regionalGovernorId(h.region)).query(regionalGovernorQuery);
      return { outcomes: [...scaled, failure.outcome], region: breaker };
    });
    expect(outcomes).toEqual([Outcome.Remediated, Outcome.Remediated, Outcome.Remediated, Outcome.Remediated]);
    expect(region.state).toBe('closed');
    expect(Object.keys(region.failing)).toEqual([`${h.service}-a`]);
  });
});

describe('locks: a service lock and the host locks of the service exclude each other', () => {
  it('a service-wide runbook waits out a host replacement of the service, and the reverse', async () => {
    const { h, release, entered } = gated();
    const original = h.match.bind(h);
    h.match = (event) => {
      const m = original(event);
      if (event.event_type === 'ServiceDegraded') {
        const input = { service: '${event.service}' };
        const steps = [step('drain', 'drainHost', [], { input }), step('clone', 'cloneHost', ['drain'], { input })];
        m.rule = { ...m.rule!, name: 'service-wide', lock: 'service', runbook: { ...m.rule!.runbook, steps } };
      }
      return m;
    };
    const serviceEvent = (): LazarusEvent => h.event({ event_type: 'ServiceDegraded', host: undefined });
    const [blockedByHost, serviceRun, blockedByService] = await h.run(async () => {
      const replacement = await start(h);
      await entered;
      const blocked = await (await start(h, serviceEvent())).result();
      release();
      await replacement.result();
      // now the service lock runs, gated again, and a host event of the service is excluded
      let releaseService!: () => void;
      const serviceGate = new Promise<void>((r) => (releaseService = r));
      let serviceEntered!: () => void;
      const inService = new Promise<void>((r) => (serviceEntered = r));
      h.options.stepBehaviour!.cloneHost = async () => {
        serviceEntered();
        await serviceGate;
        return {};
      };
      const serviceWide = await start(h, serviceEvent());
      await inService;
      const hostBlocked = await (await start(h, h.event({ host: h.hosts[2].instanceId }))).result();
      releaseService();
      return [blocked, await serviceWide.result(), hostBlocked];
    });
    expect(blockedByHost.outcome).toBe(Outcome.Locked);
    expect(blockedByHost.reason).toContain(`lock/host/${h.sickHost}`);
    expect(serviceRun.outcome).toBe(Outcome.Remediated);
    expect(blockedByService.outcome).toBe(Outcome.Locked);
    expect(blockedByService.reason).toContain(`lock/service/${h.service}`);
    // excluded by another lock: nobody fixes this event's failure, so a person is paged
    expect(h.calls('escalatePage')).toEqual([blockedByHost.incident_key, blockedByService.incident_key]);
  });
});

describe("the admission tells whether the event's lock is granted", () => {
  it("answers lock_held from the governor's grants, so a refused alarm asks Temporal about its lock only then", async () => {
    const h = new RemediationHarness(env, { rule: { preconditions: [] } });
    const [free, held] = await h.run(async () => {
      const governor = await env.client.workflow.start('serviceGovernor', {
        taskQueue: h.taskQueue,
        workflowId: serviceGovernorId(h.service),
        args: [{ service: h.service }],
      });
      const admit = (key: string, lock_id: string) =>
        governor.executeUpdate(admitUpdate, {
          args: [
            {
              incident_key: key,
              service: h.service,
              region: h.region,
              threshold: 3,
              window_ms: 600_000,
              breaker: { open_threshold: 5, close_threshold: 2, window_ms: 600_000 },
              failure: key,
              lock_id,
            },
          ],
        });
      const lock_id = `lock/host/${h.sickHost}`;
      const before = await admit('first', lock_id);
      await governor.executeUpdate(acquireLockUpdate, { args: [{ lock_id, scope: 'host', holder: 'event/first' }] });
      const after = await admit('second', lock_id);
      await governor.terminate('test over');
      return [before, after];
    });
    expect(free.lock_held).toBe(false);
    expect(held.lock_held).toBe(true);
  });
});

describe('shadow precedence', () => {
  it('shadow: true in configuration survives a runtime global off; a runtime service-scope off switches it off', async () => {
    const h = new RemediationHarness(env, { rule: { preconditions: [] }, service: { shadow: true } });
    const [global, service] = await h.run(async () => {
      await setControl(h, 'shadow', 'global', false);
      const underGlobalOff = await (await start(h)).result();
      await setControl(h, 'shadow', `service:${h.service}`, false);
      const underServiceOff = await (await start(h, h.event({ host: h.hosts[1].instanceId }))).result();
      return [underGlobalOff, underServiceOff];
    });
    expect(global.outcome).toBe(Outcome.Shadow);
    expect(global.gates.find((g) => g.gate === 'shadow')?.detail).toMatchObject({
      by: 'config:service',
      overridden: 'runtime:global',
    });
    expect(service.outcome).toBe(Outcome.Remediated);
  });
});

describe('decisions out of time', () => {
  it('LATE: past the acknowledgement window neither acknowledges nor acts, and leaves a note on the page', async () => {
    const h = new RemediationHarness(env, {
      service: { ack_window_ms: 2_000 },
      probeDelayMs: 2_500,
      quorumDeadlineMs: 20_000,
    });
    const [arrivedLate, decidedLate] = await h.run(async () => {
      const old = await (
        await start(h, h.event({ occurred_at: new Date(Date.now() - 30_000).toISOString() }))
      ).result();
      // in time on arrival, but the quorum takes longer than the window
      const slow = await (await start(h)).result();
      return [old, slow];
    });
    for (const s of [arrivedLate, decidedLate]) {
      expect(s.outcome).toBe(Outcome.Late);
      expect(s.gates.find((g) => g.gate === 'ack_window')?.verdict).toBe('fail');
    }
    expect(arrivedLate.gates.some((g) => g.gate === 'governor')).toBe(false);
    expect(decidedLate.gates.find((g) => g.gate === 'quorum')?.verdict).toBe('pass');
    expect(h.calls('acknowledgePage')).toEqual([]);
    expect(h.calls('escalatePage')).toEqual([]);
    expect(h.calls('addPageNote')).toEqual([arrivedLate.incident_key, decidedLate.incident_key]);
    expect(String(h.pages.find((p) => p.call === 'addPageNote')?.detail)).toContain('LATE');
    expect(h.stepCalls).toEqual([]);
    const description = await env.client.workflow.getHandle(remediationWorkflowId(arrivedLate.incident_key)).describe();
    expect(description.searchAttributes.LazarusOutcome).toEqual(['LATE']);
  });
});

describe('cheap no-action decisions', () => {
  it('a kill-switched event stops before the quorum and the acknowledgement', async () => {
    const h = new RemediationHarness(env);
    const status = await h.run(async () => {
      await setControl(h, 'kill', 'host_replacement', true);
      return await (await start(h)).result();
    });
    expect(status.outcome).toBe(Outcome.KillSwitch);
    expect(status.reason).toContain('erin');
    expect(status.gates.some((g) => g.gate === 'quorum')).toBe(false);
    expect(h.calls('acknowledgePage')).toEqual([]);
    expect(h.calls('escalatePage')).toEqual([status.incident_key]);
  });
});

describe('the breaker read again by the runbook before its first step', () => {
  it('a breaker that opened after the lock claim stops the run before anything acts, escalated, its lock free', async () => {
    // the parent's claim reads the breaker closed (the real entity activity); the child's own read finds it open,
    // as when a storm's opening lands between the claim and the first step
    let childReads = 0;
    let open = true;
    const h = new RemediationHarness(env, {
      rule: { preconditions: [] },
      activityOverrides: {
        readBreaker: async () => {
          childReads += 1;
          return Promise.resolve(
            open
              ? { state: 'open', failing_count: 5, failing: ['a', 'b', 'c', 'd', 'e'], at: Date.now() }
              : { state: 'closed', failing_count: 0, failing: [], at: Date.now() },
          );
        },
      },
    });
    const [stopped, next] = await h.run(async () => {
      const first = await (await start(h)).result();
      // the lock was given back: a later event of the host takes it and acts
      open = false;
      return [first, await (await start(h, h.event())).result()];
    });
    expect(childReads).toBe(2);
    expect(stopped.outcome).toBe(Outcome.CircuitOpen);
    expect(stopped.reason).toContain('opened before the first step: 5 services failing');
    expect(stopped.gates.filter((g) => g.gate === 'breaker').map((g) => g.verdict)).toEqual(['pass', 'fail']);
    expect(stopped.steps.every((s) => s.status === 'waiting')).toBe(true);
    expect(h.calls('escalatePage')).toContain(stopped.incident_key);
    expect(next.outcome).toBe(Outcome.Remediated);
  });
});
