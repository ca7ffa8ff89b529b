// Kill switch and shadow mode: the state the control entity holds and the pure rules for reading it.
import type { KillSwitchCategory } from './resolved-config';

export type KillSwitchScope = 'global' | KillSwitchCategory;
export const killSwitchScopes: readonly KillSwitchScope[] = ['global', 'host_replacement', 'autoscaling'];

export interface SwitchSetting {
  enabled: boolean;
  reason: string;
  actor: string;
  at: number;
}

export interface ControlState {
  region: string;
  kill_switch: Partial<Record<KillSwitchScope, SwitchSetting>>;
  /** Shadow mode by scope: "global", "profile:<name>", "service:<name>". */
  shadow: Record<string, SwitchSetting>;
  history: Array<{ what: string; setting: SwitchSetting }>;
}

export function emptyControlState(region: string): ControlState {
  return { region, kill_switch: {}, shadow: {}, history: [] };
}

/** The setting that blocks actions of this category, if any: the global switch first, then the category's. */
export function blockingKillSwitch(
  state: ControlState,
  category: KillSwitchCategory,
): (SwitchSetting & { scope: KillSwitchScope }) | undefined {
  for (const scope of ['global', category] as const) {
    const setting = state.kill_switch[scope];
    if (setting?.enabled) return { ...setting, scope };
  }
  return undefined;
}

/**
 * The runtime shadow setting that applies to a service: the most specific one wins (service, then profile, then
 * global). Whether it may switch off what configuration says is decided by decideShadow.
 */
export function shadowSetting(
  state: ControlState,
  service: string,
  profile: string,
): (SwitchSetting & { scope: string }) | undefined {
  for (const scope of [`service:${service}`, `profile:${profile}`, 'global']) {
    const setting = state.shadow[scope];
    if (setting) return { ...setting, scope };
  }
  return undefined;
}

/** How broad a shadow scope is: a runtime setting may switch configured shadow off only from a scope as narrow. */
const shadowScopeRank = { global: 1, profile: 2, service: 3 } as const;
type ShadowScopeKind = keyof typeof shadowScopeRank;

export interface ShadowDecision {
  shadow: boolean;
  /** What decided it: `config:service`, `config:deployment`, `runtime:<scope>` or `default`. */
  by: string;
  /** A runtime setting that wanted shadow off and was too broad to switch off the configuration. */
  overridden?: string;
}

/**
 * Shadow precedence (docs/configuration.md#shadow-precedence):
 * 1. a runtime setting that turns shadow ON always wins (the most specific runtime setting present is the one read);
 * 2. a runtime setting that turns shadow OFF wins over configured shadow only from a scope at least as narrow as the
 *    configuration's: `service:<svc>` over a service's (or its profile's) `shadow: true`; any runtime scope over the
 *    deployment's `shadow: true`. A broader runtime OFF (global or profile over a service's configuration) is
 *    ignored, and the trace says so;
 * 3. without a runtime setting, configuration decides; without either, no shadow.
 */
export function decideShadow(
  state: ControlState | undefined,
  service: string,
  profile: string,
  configured: { service: boolean; deployment: boolean },
): ShadowDecision {
  const runtime = state ? shadowSetting(state, service, profile) : undefined;
  const configScope: ShadowScopeKind | undefined = configured.service
    ? 'service'
    : configured.deployment
      ? 'global'
      : undefined;
  if (!runtime) {
    return configScope
      ? { shadow: true, by: configScope === 'service' ? 'config:service' : 'config:deployment' }
      : { shadow: false, by: 'default' };
  }
  const runtimeKind = runtime.scope.split(':')[0] as ShadowScopeKind;
  if (runtime.enabled || !configScope || shadowScopeRank[runtimeKind] >= shadowScopeRank[configScope]) {
    return { shadow: runtime.enabled, by: `runtime:${runtime.scope}` };
  }
  return {
    shadow: true,
    by: configScope === 'service' ? 'config:service' : 'config:deployment',
    overridden: `runtime:${runtime.scope}`,
  };
}
