// The shapes of the YAML files as users write them (after schema validation), before defaults and resolution.
import type { PreconditionCheck } from '../resolved-config';

export type CriterionValue = string | string[] | { pattern: string };

export interface RuleFile {
  name: string;
  description?: string;
  criteria: Partial<Record<'environment' | 'event_type' | 'host_state_type' | 'service' | 'region', CriterionValue>>;
  preconditions?: { check: PreconditionCheck; params?: Record<string, string | number | boolean> }[];
  action: string;
  lock?: 'host' | 'service';
  notification_group?: string;
  category?: 'host_replacement' | 'autoscaling';
}

export interface StepFile {
  id: string;
  description?: string;
  activity: string;
  input?: Record<string, unknown>;
  needs?: string[];
  retry?: {
    maximum_attempts?: number;
    initial_interval?: string;
    backoff_coefficient?: number;
    maximum_interval?: string;
  };
  timeout?: string;
  compensate?: { activity: string; input?: Record<string, unknown> };
}

export interface RunbookFile {
  name: string;
  description?: string;
  workflow_timeout?: string;
  steps: StepFile[];
}

export interface ParamsFile {
  health_path?: string;
  health_port?: number;
  health_timeout?: string;
  drain_timeout?: string;
  cluster_timeout?: string;
  forensics_mode?: 'stop' | 'isolate';
  workflow_timeout?: string;
  max_event_age?: string;
  /** A decision not reached within occurred_at + this is LATE (default 60s). */
  ack_window?: string;
  rate_limit?: { threshold?: number; window?: string };
  scaling?: {
    min_hosts?: number;
    max_hosts?: number;
    max_step?: number;
    cooldown?: string;
    /** default: health_timeout */
    retire_min_age?: string;
  };
  custom?: Record<string, string | number | boolean>;
}

export interface NotificationsFile {
  slack_webhooks?: string[];
  emails?: string[];
  pagerduty_routing_key?: string;
}

export interface ProfileFile {
  name: string;
  description?: string;
  rules: string[];
  runbooks?: Record<string, string>;
  lock?: 'host' | 'service';
  params?: ParamsFile;
  notifications?: NotificationsFile;
  shadow?: boolean;
}

export interface ServiceFile {
  name: string;
  team: string;
  profile: string;
  description?: string;
  params?: ParamsFile;
  notifications?: NotificationsFile;
  shadow?: boolean;
}

export interface RegionFile {
  name: string;
  aws_region?: string;
  checker_nodes?: { name: string; zone: string; task_queue?: string }[];
  breaker?: { open_threshold?: number; close_threshold?: number; window?: string };
}

export interface DeploymentFile {
  region?: string;
  regions?: RegionFile[];
  aws_region?: string;
  control_realm?: string;
  checker_nodes?: { name: string; zone: string; task_queue?: string }[];
  quorum?: number;
  quorum_deadline?: string;
  breaker?: { open_threshold?: number; close_threshold?: number; window?: string };
  shadow?: boolean;
  temporal_ui_url?: string;
  team_email_domain?: string;
  notifications?: NotificationsFile;
  pagerduty?: { default_routing_key?: string; retry_for?: string };
  compensation_retry_for?: string;
  quarantine?: { enabled?: boolean; consecutive_failures?: number; min_success_rate?: number; window_runs?: number };
  teams?: Record<string, { pagerduty_routing_key?: string }>;
}
