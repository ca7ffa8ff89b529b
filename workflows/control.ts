// The control entity of a region (control/<region>): the kill switch, global and per category, and shadow mode; and
// the control realm's all-regions kill switch (control/all-regions, no shadow mode). Who changed what, when and why
// is kept (bounded: core/control.ts controlLimits, so the state always fits a Query). Remediations read it through
// an activity right before acting.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  allRegionsName,
  controlChangeProblem,
  controlLimits,
  emptyControlState,
  killSwitchScopes,
  recordControlChange,
  type ControlState,
  type SwitchSetting,
} from '../core/control';
import {
  controlQuery,
  setKillSwitchUpdate,
  setShadowUpdate,
  type SetKillSwitchRequest,
  type SetShadowRequest,
} from '../contracts/messages';
import type { EntityOptions } from './governors';
import { controlDetails } from '../contracts/user-metadata';

export const maxControlHistory = controlLimits.historyMax;

export interface ControlInput {
  region: string;
  options?: EntityOptions;
  carried?: ControlState;
}

export class ControlRequestError extends Error {
  override readonly name = 'ControlRequestError';
}

export async function control(input: ControlInput): Promise<void> {
  const state: ControlState = input.carried ?? emptyControlState(input.region);
  let handled = 0;

  const record = (what: string, setting: SwitchSetting): void => {
    recordControlChange(state, { what, setting });
    setCurrentDetails(controlDetails(state));
  };
  const validate = (request: { reason: string; actor: string }): void => {
    const problem = controlChangeProblem(request);
    if (problem) throw new ControlRequestError(`${problem.field}: ${problem.problem}`);
  };

  setCurrentDetails(controlDetails(state));
  setHandler(controlQuery, () => state);
  setHandler(
    setKillSwitchUpdate,
    (request): ControlState => {
      handled += 1;
      const setting = { enabled: request.enabled, reason: request.reason, actor: request.actor, at: Date.now() };
      state.kill_switch[request.scope] = setting;
      record(`kill_switch:${request.scope}`, setting);
      return state;
    },
    {
      validator: (request: SetKillSwitchRequest) => {
        validate(request);
        if (!killSwitchScopes.includes(request.scope)) {
          throw new ControlRequestError(`unknown kill switch scope "${request.scope}"`);
        }
      },
    },
  );
  setHandler(
    setShadowUpdate,
    (request): ControlState => {
      handled += 1;
      const setting = { enabled: request.enabled, reason: request.reason, actor: request.actor, at: Date.now() };
      state.shadow[request.scope] = setting;
      record(`shadow:${request.scope}`, setting);
      return state;
    },
    {
      validator: (request: SetShadowRequest) => {
        validate(request);
        if (input.region === allRegionsName) {
          throw new ControlRequestError('shadow mode is set per region, not for all regions');
        }
        if (!/^(global|profile:.+|service:.+)$/.test(request.scope)) {
          throw new ControlRequestError(`shadow scope must be global, profile:<name> or service:<name>`);
        }
        if (request.scope.length > controlLimits.scopeMaxChars) {
          throw new ControlRequestError(`shadow scope: at most ${controlLimits.scopeMaxChars} characters`);
        }
        if (!(request.scope in state.shadow) && Object.keys(state.shadow).length >= controlLimits.shadowScopesMax) {
          throw new ControlRequestError(
            `at most ${controlLimits.shadowScopesMax} distinct shadow scopes are kept in a region`,
          );
        }
      },
    },
  );

  const limit = input.options?.continue_as_new_after ?? 500;
  await condition(() => handled >= limit || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof control>({ region: input.region, options: input.options, carried: state });
}
