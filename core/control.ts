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
 * Whether a service runs in shadow mode: the most specific setting wins (service, then profile, then global),
 * and configuration (deployment or service file) can turn shadow on but the control entity can also turn it off.
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
