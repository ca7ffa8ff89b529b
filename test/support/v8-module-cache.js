// V8's code cache for the processes tests start from source (ts-require.js loads it): each such process (a worker, a
// bridge, the API) compiles the same ~1,000 modules (the Temporal and AWS SDKs, gRPC, the project) at every start, ~1 s
// of CPU apiece, and a test run starts a few dozen of them. Here each CommonJS module's compiled code is kept in
// node_modules/.cache/lazarus-v8-modules (code-cache-store.js) under a hash of the file's path and its text: a later
// process loading the same file starts from the cached code instead of compiling it again. A module runs exactly as
// before (the same wrapper, `require`, `module`, `exports`); only the compile is cached. Anything the cache cannot
// take goes to Node's own compile.
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');
const { codeCacheStore } = require('./code-cache-store');

const store = codeCacheStore('lazarus-v8-modules');

/** The `require` Node gives a module (see Node's makeRequireFunction). */
function requireFor(mod) {
  const require = (id) => mod.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

const nodeCompile = Module.prototype._compile;
Module.prototype._compile = function compileWithCache(content, filename) {
  const wrapper = Module.wrap(content);
  const key = store.keyOf(filename, wrapper);
  const cachedData = store.read(key);
  let script;
  try {
    script = new vm.Script(wrapper, {
      filename,
      cachedData,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
  } catch {
    return nodeCompile.call(this, content, filename); // Node's own error for a syntax error
  }
  const compiled = script.runInThisContext({ displayErrors: true });
  const result = compiled.call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename));
  // after the module's top level has run, so the functions it called are in the cache too
  if (!cachedData || script.cachedDataRejected) setImmediate(() => store.keep(key, script.createCachedData()));
  return result;
};
