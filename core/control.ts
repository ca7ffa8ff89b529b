// Kill switch and shadow mode: the state the control entity holds and the pure rules for reading it.
import type { KillSwitchCategory } from './resolved-config';

export type KillSwitchScope = 'global' | KillSwitchCategory;
export const killSwitchScopes: readonly KillSwitchScope[] = ['global', 'host_replacement', 'autoscaling'];

/**
 * The name under which the control realm keeps the kill switch of every region at once (entity
 * control/all-regions): not a region (the loader refuses a region of this name), and never shadow mode.
 */
export const allRegionsName = 'all-regions';

/**
 * Bounds that keep a control entity's state (what its Query returns, what continue-as-new carries) below Temporal's
 * 2 MB payload limit whatever operators do: about 1.1 MB as JSON when every bound is filled with 3-byte characters
 * (test/unit/control-realm.test.ts).
 */
export const controlLimits = {
  /** Characters of a change's reason. */
  reasonMaxChars: 500,
  /** Characters of who made the change. */
  actorMaxChars: 200,
  /** Characters of a shadow scope (`profile:<name>`, `service:<name>`). */
  scopeMaxChars: 200,
  /** Changes kept in the history, newest last; older ones are dropped. */
  historyMax: 200,
  /** Distinct shadow scopes held. */
  shadowScopesMax: 200,
} as const;

export interface SwitchSetting {
  enabled: boolean;
  reason: string;
  actor: string;
  at: number;
}

/** One audited change: what (`kill_switch:<scope>` or `shadow:<scope>`), and who set it to what, when and why. */
export interface ControlChange {
  what: string;
  setting: SwitchSetting;
}

export interface ControlState {
  region: string;
  kill_switch: Partial<Record<KillSwitchScope, SwitchSetting>>;
  /** Shadow mode by scope: "global", "profile:<name>", "service:<name>". */
  shadow: Record<string, SwitchSetting>;
  history: ControlChange[];
  /**
   * The all-regions kill switch the control realm holds (control/all-regions), as read together with the region's
   * state by a remediation (the readControl activity) and the API. Absent in the entity's own state.
   */
  all_regions?: { kill_switch: Partial<Record<KillSwitchScope, SwitchSetting>> };
}

export function emptyControlState(region: string): ControlState {
  return { region, kill_switch: {}, shadow: {}, history: [] };
}

/** Where a blocking switch is: the region's own scope, or the all-regions one (`all-regions:<scope>`). */
export type BlockingScope = KillSwitchScope | `${typeof allRegionsName}:${KillSwitchScope}`;

/**
 * The setting that blocks actions of this category, if any: the all-regions switch first (global, then the
 * category's), then the region's own (global, then the category's).
 */
export function blockingKillSwitch(
  state: ControlState,
  category: KillSwitchCategory,
): (SwitchSetting & { scope: BlockingScope }) | undefined {
  for (const scope of ['global', category] as const) {
    const setting = state.all_regions?.kill_switch[scope];
    if (setting?.enabled) return { ...setting, scope: `${allRegionsName}:${scope}` };
  }
  for (const scope of ['global', category] as const) {
    const setting = state.kill_switch[scope];
    if (setting?.enabled) return { ...setting, scope };
  }
  return undefined;
}

// C0 and C1 control characters: each would take 6 bytes as JSON (\u00XX), and a reason is one line of text.
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

/** Why a change request cannot be recorded (a field and a problem), or undefined when it can. */
export function controlChangeProblem(request: {
  actor?: unknown;
  reason?: unknown;
}): { field: 'actor' | 'reason'; problem: string } | undefined {
  if (typeof request.actor !== 'string' || !request.actor.trim()) {
    return { field: 'actor', problem: 'who is changing the switch (actor) is required' };
  }
  if (request.actor.length > controlLimits.actorMaxChars || controlCharacter.test(request.actor)) {
    return { field: 'actor', problem: `at most ${controlLimits.actorMaxChars} characters, no control characters` };
  }
  if (typeof request.reason !== 'string' || !request.reason.trim()) {
    return { field: 'reason', problem: 'why the switch is changed (reason) is required' };
  }
  if (request.reason.length > controlLimits.reasonMaxChars) {
    return {
      field: 'reason',
      problem: `at most ${controlLimits.reasonMaxChars} characters (it is kept in the audited history)`,
    };
  }
  if (controlCharacter.test(request.reason)) {
    return { field: 'reason', problem: 'one line of text: no control characters (line breaks, tabs, ...)' };
  }
  return undefined;
}

/** Appends a change to the history, dropping the oldest beyond controlLimits.historyMax. */
export function recordControlChange(state: ControlState, change: ControlChange): void {
  state.history.push(change);
  if (state.history.length > controlLimits.historyMax) {
    state.history.splice(0, state.history.length - controlLimits.historyMax);
  }
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
