// jest's module runtime, made cheaper for a test run that is CPU-bound. Every test file gets a fresh module registry,
// so each of the ~100 files would load the SDKs again (@temporalio/worker, @aws-sdk/*: about half a second of CPU a
// file). Two things here:
// - The packages under node_modules are loaded once per jest worker: with the shared-context environment
//   (shared-context-environment.js) a file's registry finds the packages earlier files loaded (SharedPackagesRegistry).
//   The project's and the tests' own files load afresh in each file, as before.
// - V8's code cache: a module's compiled code is kept by file name and source, so a file (in this jest worker through
//   memory, in another through node_modules/.cache/lazarus-jest-v8) that loads the same module starts from V8's cached
//   code instead of parsing it again. Anything the cache cannot take (a syntax error, a core module) goes to jest's own
//   compile, so errors read as before.
const path = require('node:path');
const vm = require('node:vm');
const Runtime = require('jest-runtime').default;
const { codeCacheStore } = require('./code-cache-store');

const store = codeCacheStore('lazarus-jest-v8');
/** Cached code by key, for the test files this jest worker runs next. */
const inMemory = new Map();

function readCached(key) {
  return inMemory.get(key) ?? store.read(key);
}

function keep(key, data) {
  inMemory.set(key, data);
  store.keep(key, data);
}

/** `executor.compile` (jest-runtime's ModuleExecutor) through the cache; `compile` is jest's own. */
function cachedCompile(executor, compile, scriptSource, filename) {
  const vmContext = executor.environment.getVmContext();
  if (vmContext == null || executor.resolution.isCoreModule(filename)) return compile(scriptSource, filename);
  // the same parameters jest's compileFunction gives the module, on the module's first line (line numbers kept)
  const prefix = `(function (${executor.injectedModuleParameters.join(', ')}) {`;
  const key = store.keyOf(filename, prefix, scriptSource);
  const cachedData = readCached(key);
  let script;
  try {
    script = new vm.Script(`${prefix}${scriptSource}\n})`, {
      filename,
      columnOffset: -prefix.length,
      cachedData,
      importModuleDynamically: (specifier, _script, importAttributes) =>
        executor.dynamicImport(specifier, filename, vmContext, importAttributes),
    });
  } catch {
    return compile(scriptSource, filename);
  }
  if (!cachedData || script.cachedDataRejected) {
    // after the module's top level has run, so the functions it called are in the cache too
    setImmediate(() => keep(key, script.createCachedData()));
  }
  return script.runInContext(vmContext);
}

/** The modules under node_modules this jest worker has loaded, by path, for every test file it runs. */
const packages = new Map();
const isPackage = (key) => typeof key === 'string' && key.includes(`${path.sep}node_modules${path.sep}`);

/**
 * A test file's module registry whose node_modules entries are the jest worker's (`packages`): a package one file
 * loaded is found loaded by the next. The project's and the tests' own files stay the file's own. Clearing it (jest
 * does at a file's end, or jest.resetModules) clears only those.
 */
class SharedPackagesRegistry extends Map {
  get(key) {
    return isPackage(key) ? packages.get(key) : super.get(key);
  }
  has(key) {
    return isPackage(key) ? packages.has(key) : super.has(key);
  }
  set(key, value) {
    if (isPackage(key)) packages.set(key, value);
    else super.set(key, value);
    return this;
  }
  delete(key) {
    return isPackage(key) ? packages.delete(key) : super.delete(key);
  }
  get size() {
    return super.size + packages.size;
  }
  *entries() {
    yield* super.entries();
    yield* packages.entries();
  }
  *keys() {
    for (const [key] of this.entries()) yield key;
  }
  *values() {
    for (const [, value] of this.entries()) yield value;
  }
  [Symbol.iterator]() {
    return this.entries();
  }
  forEach(callback, thisArg) {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }
}

/** The runtime of the test file running now in this jest worker. */
let current;

class CachedRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    current = this;
    const executor = this.executor;
    const compile = executor.compile.bind(executor);
    executor.compile = (scriptSource, filename) => cachedCompile(executor, compile, scriptSource, filename);
    // packages shared by the test files only in one V8 context (test/support/shared-context-environment.js)
    if (this._environment.constructor.sharesContext === true) {
      this.registries.moduleRegistry = new SharedPackagesRegistry();
    }
  }

  /**
   * A package keeps the `require` of the file that loaded it first; what it requires later (lazily, like webpack's
   * plugins) is asked of the test file running now: an earlier file's runtime has no context to run a module in.
   */
  requireModuleOrMock(from, moduleName) {
    if (current !== this && current !== undefined) {
      return current.requireModuleOrMock(from, moduleName);
    }
    return super.requireModuleOrMock(from, moduleName);
  }
}

module.exports = CachedRuntime;
module.exports.default = CachedRuntime;
