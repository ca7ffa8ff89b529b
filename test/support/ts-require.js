// Lets a test run a TypeScript entry point (a bridge process it can kill -9) as its own node process without a
// build: `node -r ./test/support/ts-require.js ingest/bridge/main.ts`. Transpile only; the typecheck is `npm run typecheck`.
// Each file's output comes from the transpile cache (transpile-cache.js): a process whose files were transpiled
// before, by an earlier process or the global setup's warm-up, loads no compiler at all.
const fs = require('node:fs');
const { transpileCached } = require('./transpile-cache');
require('./v8-module-cache');

require.extensions['.ts'] = (module, filename) => {
  module._compile(transpileCached(filename, fs.readFileSync(filename, 'utf8')), filename);
};
