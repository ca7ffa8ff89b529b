// Lets a test run a TypeScript entry point (a bridge process it can kill -9) as its own node process without a
// build: `node -r ./test/support/ts-require.js ingest/bridge/main.ts`. Transpile only; the typecheck is `npm run typecheck`.
//
// A worker or an API process loads ~90 project files, and transpiling them costs ~2.5 s of CPU at every start; the
// test run starts a few dozen such processes. So the output is kept in node_modules/.cache/lazarus-ts-require, under
// a hash of the TypeScript version, the compiler options, the file's path and its source: a process whose files were
// all transpiled before (by an earlier process of this run or of an earlier run) loads no compiler at all. The
// output is the same as without the cache; an edited file has another hash and is transpiled again.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const cacheDir = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'lazarus-ts-require');
const compilerOptionsKey = JSON.stringify({
  module: 'CommonJS',
  target: 'ES2022',
  esModuleInterop: true,
  resolveJsonModule: true,
  inlineSourceMap: true,
});
const typescriptVersion = require('typescript/package.json').version;

let ts;
function transpile(source, filename) {
  ts ??= require('typescript');
  const compilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    resolveJsonModule: true,
    sourceMap: false,
    inlineSourceMap: true,
  };
  return ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
}

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto
    .createHash('sha256')
    .update(`${typescriptVersion}\0${compilerOptionsKey}\0${filename}\0${source}`)
    .digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    output = transpile(source, filename);
    try {
      // Written whole, then renamed: processes starting at the same time never read a half-written file.
      fs.mkdirSync(cacheDir, { recursive: true });
      const partial = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(partial, output);
      fs.renameSync(partial, cached);
    } catch {
      // a read-only tree: run without the cache
    }
  }
  module._compile(output, filename);
};
