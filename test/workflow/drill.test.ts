import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { Outcome } from '../../core/outcome';
import { drill, remediate } from '../../workflows';
import { createDrillActivities } from '../../activities/drill';
import { recordedEvents, showDrill, startDrill } from '../../api/drills';
import type { ApiDependencies } from '../../api/dependencies';
import { regionalGovernorQuery } from '../../contracts/messages';
import {
  drillEntityPrefix,
  drillTaskQueue,
  drillWorkflowId,
  regionalGovernorId,
  remediationWorkflowId,
} from '../../contracts/workflow-ids';
import type { DrillEvent, DrillInput, DrillReport } from '../../contracts/drill';
import { RemediationHarness } from '../support/remediation-harness';
import { createTestWorker } from '../support/temporal';
import { useTestStack } from '../support/test-stack';
import { until } from '../support/wait';

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
beforeAll(() => ({ env } = stack));

describe('replay drill', () => {
  it('a drill over a recorded burst reproduces the breaker opening at the same event, without touching pages or production governors', async () => {
    // breaker opens at 3 distinct failing services (the harness default)
    const h = new RemediationHarness(env);
    const services = ['a', 'b', 'c', 'd'].map((s) => `${h.service}-${s}`);
    const deps: ApiDependencies = { temporal: env.client, taskQueue: h.taskQueue, region: h.region };
    const drillWorker: Worker = await createTestWorker(env, {
      taskQueue: drillTaskQueue(h.taskQueue),
      activities: createDrillActivities({
        client: env.client,
        taskQueue: drillTaskQueue(h.taskQueue),
        liveMatch: async (event) => Promise.resolve(h.match(event)),
      }),
    });
    const since = new Date(Date.now() - 1000).toISOString();
    const report = await h.run(async () => {
      const drillRun = drillWorker.run();
      try {
        // the recorded burst: one event per service, one after the other
        const actual: string[] = [];
        for (const service of services) {
          const event = h.event({ service });
          const handle = await env.client.workflow.start(remediate, {
            taskQueue: h.taskQueue,
            workflowId: remediationWorkflowId(event.incident_key),
            args: [event],
          });
          actual.push((await handle.result()).outcome!);
        }
        expect(actual).toEqual([Outcome.Remediated, Outcome.Remediated, Outcome.CircuitOpen, Outcome.CircuitOpen]);
        const production = env.client.workflow.getHandle(regionalGovernorId(h.region));
        const transitionsBefore = (await production.query(regionalGovernorQuery)).transitions.length;
        const pagesBefore = h.pages.length;

        // read back from Temporal by time range (visibility is eventually consistent)
        await until(
          () => recordedEvents(deps, { since, region: h.region }),
          (events) => events.length === services.length && events.every((e) => e.actual?.outcome),
        );
        const receipt = await startDrill(deps, { since, region: h.region, label: 'burst replay' }, 'operator:test');
        expect(receipt.events).toBe(services.length);
        const view = await until(
          () => showDrill(deps, receipt.drill_id),
          (v) => v.report !== undefined || v.status !== 'RUNNING',
          60_000,
        );
        // production left alone: no page, no notification, no breaker change
        expect(h.pages.length).toBe(pagesBefore);
        expect((await production.query(regionalGovernorQuery)).transitions.length).toBe(transitionsBefore);
        return view.report!;
      } finally {
        drillWorker.shutdown();
        await drillRun;
      }
    });
    const reportOf = (r: DrillReport): DrillReport => r;
    const r = reportOf(report);
    expect(r.rows.map((row) => row.outcome)).toEqual([
      Outcome.Remediated,
      Outcome.Remediated,
      Outcome.CircuitOpen,
      Outcome.CircuitOpen,
    ]);
    expect(r.breaker_opened).toHaveLength(1);
    expect(r.actual_breaker_opened).toHaveLength(1);
    expect(r.breaker_opened[0].index).toBe(2);
    expect(r.breaker_opened[0].incident_key).toBe(r.actual_breaker_opened[0].incident_key);
    expect(r.rows[2].stopped_at).toBe('governor');
    expect(r.differences).toEqual([]);
    // the actions that would have run, with their inputs, for the two events that passed every gate
    expect(r.would_act.map((a) => a.actions.map((s) => s.activity))).toEqual([
      ['drainHost', 'cloneHost'],
      ['drainHost', 'cloneHost'],
    ]);
    expect(r.would_act[0].actions[0].input).toEqual({ instanceId: h.sickHost });
  });

  it('keeps what happened one after the other in production in that order, however close the recorded gaps', async () => {
    // Four remediations recorded 20 ms apart, each ended before the next arrived. Replayed by their gaps alone, they
    // would overlap: the third's admission (opening the breaker) could come before the second's re-read of the
    // breaker right before its runbook, and the second would end CIRCUIT_OPEN though in production it ran.
    const h = new RemediationHarness(env);
    const services = ['a', 'b', 'c', 'd'].map((s) => `${h.service}-${s}`);
    const drillWorker: Worker = await createTestWorker(env, {
      taskQueue: drillTaskQueue(h.taskQueue),
      activities: createDrillActivities({
        client: env.client,
        taskQueue: drillTaskQueue(h.taskQueue),
        liveMatch: async (event) => Promise.resolve(h.match(event)),
      }),
    });
    const t0 = Date.now();
    const events: DrillEvent[] = services.map((service, i) => {
      const event = h.event({ service, occurred_at: new Date(t0 + i * 20).toISOString() });
      return {
        event,
        received_at: t0 + i * 20,
        actual: { workflow_id: remediationWorkflowId(event.incident_key), ended_at: t0 + i * 20 + 10 },
      };
    });
    const drillId = `order-${randomUUID().slice(0, 8)}`;
    const input: DrillInput = {
      drill_id: drillId,
      task_queue: drillTaskQueue(h.taskQueue),
      events,
      speed: 1,
      preconditions: 'pass',
      actor: 'operator:test',
    };
    const { report, spans } = await h.run(async () => {
      const drillRun = drillWorker.run();
      try {
        const result = await env.client.workflow.execute(drill, {
          workflowId: drillWorkflowId(drillId),
          taskQueue: h.taskQueue,
          args: [input],
        });
        const described = await Promise.all(
          events.map(({ event }) =>
            env.client.workflow
              .getHandle(`${drillEntityPrefix(drillId)}${remediationWorkflowId(event.incident_key)}`)
              .describe(),
          ),
        );
        return {
          report: result,
          spans: described.map((d) => ({ start: d.startTime.getTime(), end: d.closeTime?.getTime() ?? Infinity })),
        };
      } finally {
        drillWorker.shutdown();
        await drillRun;
      }
    });
    expect(report.rows.map((row) => row.outcome)).toEqual([
      Outcome.Remediated,
      Outcome.Remediated,
      Outcome.CircuitOpen,
      Outcome.CircuitOpen,
    ]);
    // each drill remediation started after the one before it had ended
    for (let i = 1; i < spans.length; i++) expect(spans[i].start).toBeGreaterThanOrEqual(spans[i - 1].end);
  });
});
