// The resolved configuration snapshot: everything the matcher needs, immutable, with its content hash as version.
import type {
  DeploymentSettings,
  KillSwitchCategory,
  NotificationChannels,
  PreconditionCheck,
  ResolvedRunbook,
  ServicePolicy,
} from '../resolved-config';

export const criterionFields = ['environment', 'event_type', 'host_state_type', 'service', 'region'] as const;
export type CriterionField = (typeof criterionFields)[number];

export type Criterion = { kind: 'exact' | 'list'; values: string[] } | { kind: 'pattern'; pattern: string };

/** A precondition as written, with the defaults that do not depend on the service applied. */
export interface RulePrecondition {
  check: PreconditionCheck;
  params: Record<string, string | number | boolean>;
}

/** A rule as one profile uses it: its runbook bound, its lock and category settled. */
export interface ProfileRule {
  name: string;
  description?: string;
  /** The file the rule came from. */
  file: string;
  criteria: Partial<Record<CriterionField, Criterion>>;
  /** How many criteria the rule constrains; more is more specific and is tried first. */
  specificity: number;
  /** Position in the profile's `rules` list: the tie-break. */
  order: number;
  preconditions: RulePrecondition[];
  runbook: ResolvedRunbook;
  lock: 'host' | 'service';
  notification_group?: string;
  category: KillSwitchCategory;
}

export interface ResolvedProfile {
  name: string;
  description?: string;
  /** Most specific first, then in the order the profile lists them. */
  rules: ProfileRule[];
  params: Record<string, string | number | boolean>;
  notifications: Partial<NotificationChannels>;
  shadow: boolean;
}

export interface ConfigSnapshot {
  /** `sha256:<hex>` of the normalized resolved content; recorded by every remediation. */
  version: string;
  deployment: DeploymentSettings;
  profiles: Readonly<Record<string, ResolvedProfile>>;
  services: Readonly<Record<string, ServicePolicy>>;
  runbooks: Readonly<Record<string, ResolvedRunbook>>;
}

/** Freeze a plain object graph in place, so nobody can change a snapshot that remediations share. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value as Record<string, unknown>)) {
      deepFreeze(item);
    }
  }
  return value;
}
