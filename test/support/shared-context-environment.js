// jest's Node environment with one V8 context for all the test files a jest worker runs, so that the packages under
// node_modules can be loaded once per jest worker instead of once per test file (test/support/cached-runtime.js
// keeps them). A module's objects belong to the context it ran in (its Object, Error, Promise): a package loaded in
// one file's context and used from another's would fail `instanceof` checks, hence one context.
//
// What each test file still gets of its own, as with jest's environment: its module registry for the project's and
// the tests' files, its `process` object (a copy of the real one's environment), its mocks and fake timers, jest's
// globals (describe, it, expect), its console. What it shares with the files before it: the context's built-ins
// (Date, Promise, ...) and whatever an earlier file left on the global object. jest's own environment deletes what a
// file added to the global object at its end; here it stays, as in one Node process.
const { TestEnvironment } = require('jest-environment-node');
const { LegacyFakeTimers, ModernFakeTimers } = require('@jest/fake-timers');
const { ModuleMocker } = require('jest-mock');
const { installCommonGlobals } = require('jest-util');

/** The context of this jest worker's first test file: { context, global, globalProxy }. */
let shared;

const timerIdToRef = (id) => ({
  id,
  ref() {
    return this;
  },
  unref() {
    return this;
  },
});
const timerRefToId = (timer) => timer?.id;

class SharedContextEnvironment extends TestEnvironment {
  /** Read by test/support/cached-runtime.js: packages may be shared by the files. */
  static sharesContext = true;

  constructor(config, context) {
    // jest's environment made whole, for the first file; a later file's fresh context is left unused
    super(config, context);
    if (shared === undefined) {
      shared = { context: this.context, global: this.global, globalProxy: this._globalProxy };
      return;
    }
    const { projectConfig } = config;
    const global = shared.global;
    this.context = shared.context;
    this.global = global;
    this._globalProxy = shared.globalProxy;
    // jest's common globals are defined once per global object (some cannot be redefined): the new file's own
    // `process` and configured globals are made on a scratch object and moved over
    const scratch = { Symbol: global.Symbol, Date: global.Date };
    installCommonGlobals(scratch, projectConfig.globals);
    global.process = scratch.process;
    for (const key of Object.keys(projectConfig.globals)) global[key] = scratch[key];
    this.moduleMocker = new ModuleMocker(global);
    this.fakeTimers = new LegacyFakeTimers({
      config: projectConfig,
      global,
      moduleMocker: this.moduleMocker,
      timerConfig: { idToRef: timerIdToRef, refToId: timerRefToId },
    });
    this.fakeTimersModern = new ModernFakeTimers({ config: projectConfig, global });
  }

  /** Fake timers disposed; the context kept for the next file (what the file set on it is forgotten, not deleted). */
  async teardown() {
    this.fakeTimers?.dispose();
    this.fakeTimersModern?.dispose();
    this.fakeTimers = null;
    this.fakeTimersModern = null;
    this.context = null;
    const proxy = shared.globalProxy;
    proxy.propertyToValue.clear();
    proxy.leftovers = [];
  }
}

module.exports = SharedContextEnvironment;
module.exports.default = SharedContextEnvironment;
module.exports.TestEnvironment = SharedContextEnvironment;
