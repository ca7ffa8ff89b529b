// Jest runs many test files in one process, each with a fresh module registry, while Node's core modules are shared
// by all of them. A module that enables an AsyncLocalStorage (the SDK's activity context and connection, jest-circus's
// own test context) does so again in each file, and nothing disables the earlier files' instances: Node then copies
// every enabled instance's store into every new promise and async resource, so a jest worker's 30th file pays for ~90
// of them on each promise (measured: 3 more per file). Run before each file's modules load (a jest `setupFiles`
// entry), this disables the instances the earlier files enabled: their tests are over.
import asyncHooks from 'node:async_hooks';

interface Tracked {
  enabled: Set<asyncHooks.AsyncLocalStorage<unknown>>;
}
type Internals = asyncHooks.AsyncLocalStorage<unknown> & { enabled: boolean; _enable(): void };

const core = asyncHooks as typeof asyncHooks & { lazarusEnabledStorages?: Tracked };
let tracked = core.lazarusEnabledStorages;
if (tracked === undefined) {
  const state: Tracked = { enabled: new Set() };
  tracked = state;
  core.lazarusEnabledStorages = state;
  // Node 20's AsyncLocalStorage enables itself through _enable on its first run/enterWith
  const prototype = asyncHooks.AsyncLocalStorage.prototype as Internals;
  const enable = prototype._enable;
  const disable = prototype.disable;
  if (typeof enable === 'function') {
    prototype._enable = function (this: Internals): void {
      if (!this.enabled) state.enabled.add(this);
      enable.call(this);
    };
    prototype.disable = function (this: Internals): void {
      state.enabled.delete(this);
      disable.call(this);
    };
  }
}
for (const storage of tracked.enabled) storage.disable();
