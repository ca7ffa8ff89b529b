// What end-to-end tests share: a configuration tree built from the shipped rules and profiles plus test service
// files, and the workers of one Lazarus process (the main queue and its three checker nodes).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { LazarusEvent } from '../../core/event';
import { remediationWorkflowId } from '../../contracts/workflow-ids';
import type { RemediationStatus } from '../../contracts/trace';
import { remediate } from '../../workflows';
import { projectRoot } from '../../devstack/paths';
import {
  createNodeCheckerActivities,
  type LazarusWorkerDependencies,
  type MainQueueActivities,
} from '../../worker/lazarus-activities';
import { stackValue } from './stack-env';
import { createTestWorker } from './temporal';
import type { ActionActivities } from '../../activities/control-realm';
import { actionTaskQueue } from '../../contracts/task-queues';

export const checkerZones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/**
 * Poll intervals for the actions' waits on the emulators, as end-to-end tests give them to createActionQueueActivities
 * and createMainQueueActivities (the defaults suit real AWS: instance states every 2 s, a drain every 1 s, a host's
 * health every 2 s). The fleet simulator boots hosts in 500 ms and adopts them every 250 ms in tests, so a launch or a
 * health wait polled every 2 s waited up to 2 s after the host was ready.
 */
export const testActuatorTimings = {
  awsOptions: { tuning: { pollMs: 250, drainPollMs: 250 } },
  health: { intervalMs: 250 },
} as const;

/**
 * The notify activities' dependencies on the test run's SMTP receiver, with short pauses between a channel's tries.
 * Every service has an email channel (its team's address at least): a worker without SMTP failed each notice's email
 * three times, 1.5 s of pauses per notice (0.5 s + 1 s by default). A channel that still fails pauses 50 ms + 100 ms
 * here.
 */
export function testNotifyDependencies() {
  const [host, port] = stackValue('smtpAddress').split(':');
  return {
    smtp: { host, port: Number(port), ignoreTLS: true, from: 'lazarus@example.com' },
    temporalUiUrl: 'http://localhost:8233',
    retryDelayMs: 50,
  };
}

/**
 * The dependencies of one Lazarus process's activities in an end-to-end test: the run's emulators and Temporal, the
 * run's SMTP receiver (testNotifyDependencies) unless `notify` says otherwise, control reads never cached, and short
 * actuator polls (testActuatorTimings) unless `defaultTimings`.
 */
export function testWorkerDependencies(
  env: TestWorkflowEnvironment,
  options: Pick<LazarusWorkerDependencies, 'aws' | 'pager' | 'notify' | 'taskQueue' | 'configRoot'> & {
    defaultTimings?: boolean;
  },
): LazarusWorkerDependencies {
  const { defaultTimings = false, notify = testNotifyDependencies(), pager, ...rest } = options;
  return {
    ...rest,
    ...(pager ? { pager } : {}),
    notify,
    client: env.client,
    controlCacheMs: 0,
    ...(defaultTimings ? {} : testActuatorTimings),
  };
}

/** The paging default of a written config tree: the route of its services that name no routing key. */
export const testDefaultRoutingKey = 'R0UT1NGKEYTESTDEFAULT00000000000';

/**
 * A config root with the shipped rules/ and profiles/, a deployment whose checker nodes use `taskQueue` and whose
 * `pagerduty.default_routing_key` is testDefaultRoutingKey (unless the extra lines have a `pagerduty:` section),
 * and services.
 */
export function writeConfigTree(options: {
  region: string;
  taskQueue: string;
  /** Extra deployment.yaml lines. */
  deployment?: string;
  /** File name (without .yaml) → content, under services/. */
  services: Record<string, string>;
}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lazarus-config-'));
  fs.cpSync(path.join(projectRoot, 'rules'), path.join(root, 'rules'), { recursive: true });
  fs.cpSync(path.join(projectRoot, 'profiles'), path.join(root, 'profiles'), { recursive: true });
  fs.mkdirSync(path.join(root, 'services'));
  const nodes = checkerZones
    .map((zone, i) => `  - { name: checker-${i}, zone: ${zone}, task_queue: ${options.taskQueue}-${zone} }`)
    .join('\n');
  const extra = options.deployment ?? '';
  const paging = /^pagerduty:/m.test(extra) ? '' : `pagerduty:\n  default_routing_key: ${testDefaultRoutingKey}\n`;
  fs.writeFileSync(
    path.join(root, 'services', 'deployment.yaml'),
    // the test's region is served by the emulator's us-east-1, where the fleet is
    `region: ${options.region}\naws_region: us-east-1\nchecker_nodes:\n${nodes}\nquorum: 2\nquorum_deadline: 20s\n` +
      `${paging}${extra}`,
  );
  for (const [name, content] of Object.entries(options.services)) {
    fs.writeFileSync(path.join(root, 'services', `${name}.yaml`), content);
  }
  return root;
}

/**
 * The main-queue worker, one worker per checker node and the control realm's action worker, as a Lazarus worker
 * process of the control realm runs them. `actions`: createActionQueueActivities (worker/lazarus-activities.ts).
 */
export async function createLazarusWorkers(
  env: TestWorkflowEnvironment,
  main: MainQueueActivities,
  taskQueue: string,
  actions: ActionActivities,
): Promise<Worker[]> {
  return [
    await createTestWorker(env, { taskQueue, activities: main }),
    // only activities use the action queue (as in worker/main.ts): no workflow bundle to load
    await createTestWorker(env, { taskQueue: actionTaskQueue(taskQueue), activitiesOnly: true, activities: actions }),
    ...(await Promise.all(
      checkerZones.map((zone, i) =>
        createTestWorker(env, {
          taskQueue: `${taskQueue}-${zone}`,
          activitiesOnly: true,
          activities: createNodeCheckerActivities(
            { name: `checker-${i}`, zone, task_queue: `${taskQueue}-${zone}` },
            main,
          ),
        }),
      ),
    )),
  ];
}

/** The event a health-check sensor (Nagios) sends for a sick host, occurring now. */
export function healthcheckDownEvent(fields: {
  incidentKey: string;
  service: string;
  host: string;
  region: string;
}): LazarusEvent {
  return {
    incident_key: fields.incidentKey,
    event_type: 'HealthcheckDown',
    source: 'nagios',
    service: fields.service,
    host: fields.host,
    region: fields.region,
    environment: 'prod',
    occurred_at: new Date().toISOString(),
  };
}

/** Runs the workers while the remediation of `event` runs to its end, then shuts them down; its final status. */
export async function remediateWithWorkers(
  env: TestWorkflowEnvironment,
  workers: readonly Worker[],
  taskQueue: string,
  event: LazarusEvent,
): Promise<RemediationStatus> {
  const runs = workers.map((w) => w.run());
  try {
    return await env.client.workflow.execute(remediate, {
      taskQueue,
      workflowId: remediationWorkflowId(event.incident_key),
      args: [event, {}],
    });
  } finally {
    for (const w of workers) w.shutdown();
    await Promise.all(runs);
  }
}
