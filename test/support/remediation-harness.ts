// A remediation under test: the real workflows on the shared dev server, the real governor/control entities, three
// checker workers (one per zone) on their own task queues, and recording page, notify and runbook activities whose
// behaviour each test chooses.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkerOptions } from '@temporalio/worker';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createCheckerActivities, type ProbeOutcome } from '../../activities/checks';
import { createEntityActivities } from '../../activities/entities';
import { toldOnce } from '../../activities';
import { createScalingActivities } from '../../activities/scaling';
import type { HostFacts } from '../../core/host';
import type { LazarusEvent } from '../../core/event';
import type { CheckResult } from '../../core/quorum';
import type { MatchResult, ResolvedRule, ResolvedStep, ServicePolicy } from '../../core/resolved-config';
import { createWorkerMetrics, type WorkerMetrics } from '../../worker/metrics';
import { createTestWorker, uniqueTaskQueue } from './temporal';
import { actionTaskQueue } from '../../contracts/task-queues';

export interface PageCall {
  call: 'acknowledgePage' | 'resolvePage' | 'escalatePage' | 'triggerPage' | 'addPageNote' | 'notify';
  key: string;
  detail?: unknown;
}

export interface HarnessOptions {
  rule?: Partial<ResolvedRule>;
  steps?: ResolvedStep[];
  service?: Partial<ServicePolicy>;
  breaker?: { open_threshold: number; close_threshold: number; window_ms: number };
  /** Zones whose checker worker runs; others stay silent. */
  checkerZones?: string[];
  quorumDeadlineMs?: number;
  /** Health each zone sees for each host (default healthy, the sick host unhealthy). */
  health?: (zone: string, host: HostFacts) => ProbeOutcome['status'];
  hostCount?: number;
  /** Runbook activity behaviour: return output or throw. */
  stepBehaviour?: Record<string, (input: Record<string, unknown>, attempt: number) => Promise<Record<string, unknown>>>;
  noRule?: boolean;
  /** Continue-as-new threshold of the entity workflows (default 50). */
  continueAsNewAfter?: number;
  /** The deployment's channels for breaker transitions. */
  breakerNotifications?: MatchResult['deployment']['notifications'];
  /** The deployment's default PagerDuty route (services/deployment.yaml pagerduty.default_routing_key). */
  defaultRoutingKey?: string;
  /** How long each checker probe takes (default: answers at once). */
  probeDelayMs?: number;
  /** The activities of the control realm's queue instead of the recording step stand-ins. */
  actionActivities?: Record<string, (...args: never[]) => Promise<unknown>>;
  /** Instance ids of the service's hosts (default made-up ids); the first is the sick host. */
  hostIds?: string[];
  /** Replaces any activity of the main worker (e.g. a dependency that fails), by name. */
  activityOverrides?: Record<string, (...args: never[]) => Promise<unknown>>;
  /** The main worker's interceptors and workflow bundle (default: the prebuilt bundle, none). */
  mainWorker?: Pick<WorkerOptions, 'interceptors' | 'workflowBundle' | 'stickyQueueScheduleToStartTimeout'>;
}

export const zones = ['zone-a', 'zone-b', 'zone-c'];

export function step(
  id: string,
  activity: string,
  needs: string[] = [],
  extra: Partial<ResolvedStep> = {},
): ResolvedStep {
  return {
    id,
    activity: activity as ResolvedStep['activity'],
    input: { instanceId: '${event.host}' },
    needs,
    retry: { maximum_attempts: 2, initial_interval_ms: 50, backoff_coefficient: 2, maximum_interval_ms: 200 },
    timeout_ms: 10_000,
    ...extra,
  };
}

export class RemediationHarness {
  readonly service = `svc-${randomUUID().slice(0, 8)}`;
  readonly region = `region-${randomUUID().slice(0, 8)}`;
  readonly taskQueue = uniqueTaskQueue('remediate');
  /** This harness's own all-regions kill switch, so turning it on stops no other test file's remediations. */
  readonly allRegionsControlId = `control/all-regions-${this.taskQueue}`;
  readonly pages: PageCall[] = [];
  /** Each notification's kind and whether it would also note the page (its channels name a PagerDuty routing key). */
  readonly notifications: Array<{ kind: string; notesPage: boolean }> = [];
  /** Runbook step and compensation calls, as the control realm's queue received them (`region` apart). */
  readonly stepCalls: Array<{ activity: string; input: Record<string, unknown>; region?: unknown; at: number }> = [];
  readonly hosts: HostFacts[];
  /** What the workflows of this harness reported through the metrics sinks (worker/metrics.ts). */
  readonly metrics: WorkerMetrics = createWorkerMetrics();
  private readonly attempts = new Map<string, number>();
  private workers: Worker[] = [];

  constructor(
    readonly env: TestWorkflowEnvironment,
    readonly options: HarnessOptions = {},
  ) {
    this.hosts = Array.from({ length: options.hostIds?.length ?? options.hostCount ?? 4 }, (_, i) => ({
      instanceId: options.hostIds?.[i] ?? `i-${this.service}-${i}`,
      state: 'running',
      securityGroupIds: [],
      tags: { 'lazarus:service': this.service },
    }));
  }

  get sickHost(): string {
    return this.hosts[0].instanceId;
  }

  event(overrides: Partial<LazarusEvent> = {}): LazarusEvent {
    return {
      incident_key: `inc-${randomUUID()}`,
      event_type: 'HealthcheckDown',
      source: 'api',
      service: this.service,
      host: this.sickHost,
      region: this.region,
      environment: 'prod',
      occurred_at: new Date().toISOString(),
      ...overrides,
    };
  }

  match(event: LazarusEvent): MatchResult {
    const o = this.options;
    const rule: ResolvedRule = {
      name: 'replace-unhealthy-host',
      preconditions: [
        { check: 'MinActiveHosts', params: { min: 2 } },
        { check: 'HealthCheckDown', params: {} },
        { check: 'PeerCheck', params: { tolerance: 0.34 } },
      ],
      runbook: {
        name: 'replace_host',
        workflow_timeout_ms: 60_000,
        steps: o.steps ?? [step('drain', 'drainHost'), step('clone', 'cloneHost', ['drain'])],
      },
      lock: 'host',
      notification_group: 'sre',
      category: 'host_replacement',
      ...o.rule,
    };
    const service: ServicePolicy = {
      service: this.service,
      team: 'sre',
      profile: 'stateless',
      params: { health_path: '/health' },
      notifications: { slack_webhooks: [], emails: [], pagerduty_routing_key: 'routing-key' },
      shadow: false,
      max_event_age_ms: 60_000,
      rate_limit: { threshold: 5, window_ms: 60_000 },
      ...o.service,
    };
    return {
      snapshot_version: 'test-snapshot',
      event,
      service,
      rule: o.noRule ? undefined : rule,
      explanations: [],
      deployment: {
        region: this.region,
        regions: [this.region],
        checker_nodes: zones.map((zone) => ({ name: `node-${zone}`, zone, task_queue: `${this.taskQueue}-${zone}` })),
        quorum: 2,
        quorum_deadline_ms: o.quorumDeadlineMs ?? 5_000,
        breaker: o.breaker ?? { open_threshold: 3, close_threshold: 1, window_ms: 60_000 },
        shadow: false,
        page_retry_ms: 60_000,
        compensation_retry_ms: 60_000,
        ...(o.breakerNotifications ? { notifications: o.breakerNotifications } : {}),
        ...(o.defaultRoutingKey ? { pagerduty_default_routing_key: o.defaultRoutingKey } : {}),
      },
    };
  }

  private record(call: PageCall['call'], key: string, detail?: unknown): void {
    this.pages.push({ call, key, detail });
  }

  async start(): Promise<void> {
    const stepActivity =
      (activity: string) =>
      async ({ region, ...input }: Record<string, unknown>): Promise<Record<string, unknown>> => {
        const attempt = (this.attempts.get(activity) ?? 0) + 1;
        this.attempts.set(activity, attempt);
        this.stepCalls.push({ activity, input, region, at: Date.now() });
        const behaviour = this.options.stepBehaviour?.[activity];
        if (!behaviour) return { done: activity };
        // Like the real long-running activities: heartbeat while the behaviour runs, so a cancel (or the workflow's
        // heartbeat timeout) reaches the stand-in at once instead of when it happens to return.
        const context = Context.current();
        const beat = setInterval(() => context.heartbeat(), 200);
        try {
          return await Promise.race([behaviour(input, attempt), context.cancelled]);
        } finally {
          clearInterval(beat);
        }
      };
    const stepNames = [
      'drainHost',
      'restoreHost',
      'cloneHost',
      'terminateHost',
      'waitHealthy',
      'registerHost',
      'deregisterHost',
      'keepForensics',
      'launchFromTemplate',
      'retireHosts',
      'waitAllHealthy',
      'registerHosts',
      'chooseHostsToRetire',
      'drainHosts',
    ];
    const activities = {
      ...createEntityActivities({
        client: this.env.client,
        taskQueue: this.taskQueue,
        continueAsNewAfter: this.options.continueAsNewAfter ?? 50,
        controlCacheMs: 0,
        allRegionsControlId: this.allRegionsControlId,
      }),
      resolveEvent: async (event: LazarusEvent): Promise<MatchResult> => Promise.resolve(this.match(event)),
      ...createScalingActivities({
        listServiceHosts: async () => Promise.resolve(this.hosts),
        probeHost: async (host) =>
          Promise.resolve({
            status: this.options.health?.('census', host) ?? 'healthy',
            url: `sim://${host.instanceId}`,
          }),
      }),
      // the recording page and notify stand-ins, each telling a person once per local activity as the real ones do
      ...toldOnce({
        acknowledgePage: async (input: { incidentKey: string }) => {
          this.record('acknowledgePage', input.incidentKey);
          return Promise.resolve({ dedupKey: input.incidentKey });
        },
        resolvePage: async (input: { incidentKey: string }) => {
          this.record('resolvePage', input.incidentKey);
          return Promise.resolve({ dedupKey: input.incidentKey });
        },
        triggerPage: async (input: { incidentKey: string; routingKey: string }) => {
          this.record('triggerPage', input.incidentKey, input.routingKey);
          return Promise.resolve({ dedupKey: input.incidentKey });
        },
        escalatePage: async (input: { incidentKey: string; note?: string }) => {
          this.record('escalatePage', input.incidentKey, input.note);
          return Promise.resolve({ incidentId: 'P1', escalationLevel: 2, raised: true });
        },
        addPageNote: async (input: { incidentKey: string; note: string }) => {
          this.record('addPageNote', input.incidentKey, input.note);
          return Promise.resolve({ incidentId: 'P1' });
        },
        notify: async (message: {
          kind: string;
          incidentKey?: string;
          channels?: { pagerduty_routing_key?: string };
        }) => {
          this.record('notify', message.incidentKey ?? '', message.kind);
          this.notifications.push({ kind: message.kind, notesPage: !!message.channels?.pagerduty_routing_key });
          return Promise.resolve({ delivered: [], failed: [] });
        },
        ...this.options.activityOverrides,
      }),
    };
    this.workers.push(
      await createTestWorker(this.env, {
        taskQueue: this.taskQueue,
        activities,
        metrics: this.metrics,
        ...this.options.mainWorker,
      }),
      // the runbook's actions run on the control realm's own queue, which (as in worker/main.ts) only activities use:
      // no workflow bundle to load
      await createTestWorker(this.env, {
        taskQueue: actionTaskQueue(this.taskQueue),
        activitiesOnly: true,
        activities:
          this.options.actionActivities ?? Object.fromEntries(stepNames.map((name) => [name, stepActivity(name)])),
      }),
    );
    for (const zone of this.options.checkerZones ?? zones) {
      this.workers.push(
        await createTestWorker(this.env, {
          taskQueue: `${this.taskQueue}-${zone}`,
          activitiesOnly: true,
          activities: createCheckerActivities({
            node: `node-${zone}`,
            zone,
            listServiceHosts: async () => Promise.resolve(this.hosts),
            probeHost: async (host) => {
              if (this.options.probeDelayMs) await new Promise((r) => setTimeout(r, this.options.probeDelayMs));
              return {
                status:
                  this.options.health?.(zone, host) ?? (host.instanceId === this.sickHost ? 'unhealthy' : 'healthy'),
                url: `sim://${host.instanceId}`,
              };
            },
          }),
        }),
      );
    }
  }

  /** Runs the workers while `fn` runs. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.workers.length === 0) await this.start();
    const runs = this.workers.map((w) => w.run());
    try {
      return await fn();
    } finally {
      for (const w of this.workers) w.shutdown();
      await Promise.all(runs);
      this.workers = [];
    }
  }

  calls(call: PageCall['call']): string[] {
    return this.pages.filter((p) => p.call === call).map((p) => p.key);
  }

  notices(): string[] {
    return this.pages.filter((p) => p.call === 'notify').map((p) => String(p.detail));
  }
}

export function failingStep(message: string, nonRetryable = true) {
  return async (): Promise<Record<string, unknown>> => {
    await Promise.resolve();
    throw nonRetryable ? ApplicationFailure.nonRetryable(message, 'TestFailure') : new Error(message);
  };
}

export type { CheckResult };
