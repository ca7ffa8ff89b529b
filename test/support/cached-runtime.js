// jest's module runtime with V8's code cache. Every test file gets a fresh module registry, so each of the ~100 files
// compiles the SDKs it loads again (@temporalio/worker, @aws-sdk/*: about half a second of CPU a file, on a machine
// where the test run is CPU-bound). Here a module's compiled code is kept by file name and source: a later test file
// (in this jest worker through memory, in another through node_modules/.cache/lazarus-jest-v8) that loads the same
// module starts from V8's cached code instead of parsing it again. The module still runs afresh in each test file's
// own context: only compilation is shared. Anything the cache cannot take (a syntax error, a core module) goes to
// jest's own compile, so errors read as before.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Runtime = require('jest-runtime').default;

const cacheDir = path.resolve(
  __dirname,
  '..',
  '..',
  'node_modules',
  '.cache',
  'lazarus-jest-v8',
  `${process.version}-${process.arch}`,
);
/** Cached code by key, for the test files this jest worker runs next. */
const inMemory = new Map();

function readCached(key) {
  const kept = inMemory.get(key);
  if (kept) return kept;
  try {
    return fs.readFileSync(path.join(cacheDir, key));
  } catch {
    return undefined;
  }
}

let cacheDirMade = false;

function keep(key, data) {
  inMemory.set(key, data);
  try {
    if (!cacheDirMade) {
      fs.mkdirSync(cacheDir, { recursive: true });
      cacheDirMade = true;
    }
    const temporary = path.join(cacheDir, `${key}.${process.pid}.tmp`);
    fs.writeFileSync(temporary, data);
    fs.renameSync(temporary, path.join(cacheDir, key)); // whole or not at all, whichever worker writes it
  } catch {
    // a cache that cannot be written only costs the next file a compile
  }
}

/** `executor.compile` (jest-runtime's ModuleExecutor) through the cache; `compile` is jest's own. */
function cachedCompile(executor, compile, scriptSource, filename) {
  const vmContext = executor.environment.getVmContext();
  if (vmContext == null || executor.resolution.isCoreModule(filename)) return compile(scriptSource, filename);
  // the same parameters jest's compileFunction gives the module, on the module's first line (line numbers kept)
  const prefix = `(function (${executor.injectedModuleParameters.join(', ')}) {`;
  const key = crypto.createHash('sha256').update(`${filename}\0${prefix}\0${scriptSource}`).digest('hex');
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
