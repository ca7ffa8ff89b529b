// The shape of resolved configuration that the remediation workflow consumes: what the loader (core/config)
// produces from rules/, profiles/, services/ and the deployment file, with every default applied.
// Durations are milliseconds. Everything is plain JSON so it can cross into the workflow sandbox.
import type { LazarusEvent } from './event';
import type { RunbookActivityName } from './activity-catalog';
import type { QuarantineThresholds } from './quarantine';

export type PreconditionCheck = 'MinActiveHosts' | 'MaxActiveHosts' | 'HealthCheckDown' | 'PeerCheck';

export interface ResolvedPrecondition {
  check: PreconditionCheck;
  /** With defaults applied: MinActiveHosts { min: 2 }, MaxActiveHosts { max }, PeerCheck { tolerance }, ... */
  params: Record<string, string | number | boolean>;
}

export interface RetrySpec {
  maximum_attempts: number;
  initial_interval_ms: number;
  backoff_coefficient: number;
  maximum_interval_ms: number;
}

/**
 * Step inputs are JSON whose strings may hold references, resolved at run time by resolveReferences():
 * `${event.<field>}`, `${params.<name>}`, `${steps.<id>.output.<key>}`, `${remediation.id}`.
 * A string that is exactly one reference takes the referenced value as is (number, array, ...).
 */
export type StepInput = Record<string, unknown>;

export interface ResolvedStep {
  id: string;
  activity: RunbookActivityName;
  input: StepInput;
  /** Ids of the steps this one waits for. Steps with no path between them run in parallel. */
  needs: string[];
  retry: RetrySpec;
  /** startToClose timeout of one attempt. */
  timeout_ms: number;
  /** The activity that undoes this step, run in reverse order of completion when the runbook fails. */
  compensate?: { activity: RunbookActivityName; input: StepInput };
}

export interface ResolvedRunbook {
  name: string;
  description?: string;
  workflow_timeout_ms: number;
  /** Topologically ordered. */
  steps: ResolvedStep[];
}

export type KillSwitchCategory = 'host_replacement' | 'autoscaling';

export interface ResolvedRule {
  name: string;
  description?: string;
  preconditions: ResolvedPrecondition[];
  runbook: ResolvedRunbook;
  lock: 'host' | 'service';
  notification_group: string;
  /** Which kill-switch category gates this rule's runbook. */
  category: KillSwitchCategory;
}

export interface NotificationChannels {
  slack_webhooks: string[];
  emails: string[];
  /** PagerDuty Events API v2 routing (integration) key of the service. */
  pagerduty_routing_key?: string;
}

/** A service's channels: its pages always have a routing key (a service without one does not load). */
export interface ServiceNotificationChannels extends NotificationChannels {
  /**
   * Where the service's pages are acknowledged, resolved and escalated: its own key, else its profile's, else its
   * team's default (`teams.<team>.pagerduty_routing_key`), else the deployment's `pagerduty.default_routing_key`.
   */
  pagerduty_routing_key: string;
}

export interface ServicePolicy {
  service: string;
  team: string;
  profile: string;
  /** Profile parameters with the service's overrides applied (health_path, max_step, cooldown_ms, ...). */
  params: Record<string, string | number | boolean>;
  notifications: ServiceNotificationChannels;
  shadow: boolean;
  max_event_age_ms: number;
  /**
   * The page's acknowledgement window (`ack_window`, default 60 s = PagerDuty's): a decision not reached within
   * occurred_at + this is LATE. Absent in policies built before it (recorded histories): 60 s.
   */
  ack_window_ms?: number;
  rate_limit: { threshold: number; window_ms: number };
  scaling?: { min_hosts: number; max_hosts: number; max_step: number; cooldown_ms: number };
}

export interface CheckerNode {
  name: string;
  zone: string;
  task_queue: string;
}

/** The breaker of one region: opens at open_threshold distinct failing services, closes at close_threshold. */
export interface RegionBreakerSettings {
  /** Opens when this many distinct services are failing within the window. */
  open_threshold: number;
  /** Closes when the count falls to this or below (hysteresis: close_threshold < open_threshold). */
  close_threshold: number;
  window_ms: number;
}

/** One region Lazarus serves (`regions:` of services/deployment.yaml, or the `region:` shorthand). */
export interface RegionSettings {
  name: string;
  /** The AWS region whose API this region's checks and actions call (`aws_region`, default the name). */
  aws_region?: string;
  checker_nodes: CheckerNode[];
  breaker: RegionBreakerSettings;
}

export interface DeploymentSettings {
  /** The home region (the worker's own); its checker nodes and breaker are `checker_nodes` and `breaker` below. */
  region: string;
  /**
   * The names of the regions Lazarus serves, home region first. An event naming another region is refused at the
   * edge and fails (escalated) in the workflow; no control or governor entity exists for it. Absent only in settings
   * built before regions were declared (recorded histories, hand-built tests): then `[region]` (declaredRegions()).
   */
  regions?: string[];
  /** Each declared region's checker nodes and breaker, by name (absent as `regions` is). */
  region_settings?: Record<string, RegionSettings>;
  /**
   * The control realm: the region whose workers alone carry out runbook actions, on their own task queue
   * (contracts/task-queues.ts). Absent in settings built before it was configured: the home region (controlRealm()).
   */
  control_realm?: string;
  checker_nodes: CheckerNode[];
  quorum: number;
  quorum_deadline_ms: number;
  breaker: RegionBreakerSettings;
  shadow: boolean;
  temporal_ui_url?: string;
  /** Who hears of circuit-breaker transitions. */
  notifications?: NotificationChannels;
  /**
   * `pagerduty.default_routing_key` of the deployment file: the route of every service without its own, its
   * profile's or its team's, and where a page for an event of a service not configured here goes (NO_RULE).
   */
  pagerduty_default_routing_key?: string;
  /** `pagerduty.retry_for`: how long a page change keeps retrying while PagerDuty is unreachable. */
  page_retry_ms: number;
  /** `compensation_retry_for`: how long each compensation retries before it is left to a person. */
  compensation_retry_ms: number;
  /** `quarantine`: when a rule whose runbook fails too often goes to shadow in a region (default: core/quarantine.ts). */
  quarantine?: QuarantineThresholds;
}

/** Why a candidate rule did or did not match an event: one line per criterion. */
export interface RuleExplanation {
  rule: string;
  matched: boolean;
  reasons: string[];
}

export interface MatchResult {
  snapshot_version: string;
  event: LazarusEvent;
  /** Absent when the service is unknown. */
  service?: ServicePolicy;
  /** Absent when no rule matched (outcome NO_RULE). */
  rule?: ResolvedRule;
  explanations: RuleExplanation[];
  deployment: DeploymentSettings;
}

/** The regions a deployment declares (its `regions`, else its one `region`). */
export function declaredRegions(deployment: Pick<DeploymentSettings, 'region' | 'regions'>): string[] {
  return deployment.regions ?? [deployment.region];
}

/** The breaker of `region`: its own when declared with one, else the deployment's (the home region's). */
export function breakerOf(deployment: DeploymentSettings, region: string): RegionBreakerSettings {
  return deployment.region_settings?.[region]?.breaker ?? deployment.breaker;
}

/** The checker nodes of `region`: its own when declared, else the deployment's (the home region's). */
export function checkerNodesOf(deployment: DeploymentSettings, region: string): CheckerNode[] {
  return deployment.region_settings?.[region]?.checker_nodes ?? deployment.checker_nodes;
}

/** The control realm: `control_realm`, else the home region. */
export function controlRealm(deployment: Pick<DeploymentSettings, 'region' | 'control_realm'>): string {
  return deployment.control_realm ?? deployment.region;
}

/** The AWS region whose API serves `region` (its `aws_region`, else its own name). */
export function awsRegionOf(deployment: Pick<DeploymentSettings, 'region_settings'>, region: string): string {
  return deployment.region_settings?.[region]?.aws_region ?? region;
}
