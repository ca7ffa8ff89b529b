// jest's module runtime with V8's code cache. Every test file gets a fresh module registry, so each of the ~100 files
// compiles the SDKs it loads again (@temporalio/worker, @aws-sdk/*: about half a second of CPU a file, on a machine
// where the test run is CPU-bound). Here a module's compiled code is kept by file name and source: a later test file
// (in this jest worker through memory, in another through node_modules/.cache/lazarus-jest-v8) that loads the same
// module starts from V8's cached code instead of parsing it again. The module still runs afresh in each test file's
// own context: only compilation is shared. Anything the cache cannot take (a syntax error, a core module) goes to
// jest's own compile, so errors read as before.
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

class CachedRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    const executor = this.executor;
    const compile = executor.compile.bind(executor);
    executor.compile = (scriptSource, filename) => cachedCompile(executor, compile, scriptSource, filename);
  }
}

module.exports = CachedRuntime;
module.exports.default = CachedRuntime;
