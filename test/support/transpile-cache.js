// TypeScript transpiled once per file version, for the processes tests start from source (ts-require.js) and the
// transpiled tree of devstack-stop.test.ts, by SWC with the tests' options (swc-options.js). A worker or an API
// process loads ~90 project files. The output is kept in node_modules/.cache/lazarus-ts-require under a hash of the
// compiler's version, these options, the file's path and its source: a process whose files were transpiled before
// (by an earlier process or the global setup's warm-up) loads no compiler at all, and an edited file is transpiled
// again. Transpile only (no typecheck: that is `npm run typecheck`).
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const projectRoot = path.resolve(__dirname, '..', '..');
const cacheDir = path.join(projectRoot, 'node_modules', '.cache', 'lazarus-ts-require');
const swcOptions = require('./swc-options');
const optionsKey = JSON.stringify(swcOptions);
const compilerVersion = `swc ${require('@swc/core/package.json').version}`;

let swc;
function transpile(source, filename) {
  swc ??= require('@swc/core');
  return swc.transformSync(source, { ...swcOptions, filename }).code;
}

/** The CommonJS output of the TypeScript file `filename` (absolute) whose text is `source`. */
function transpileCached(filename, source) {
  const key = crypto
    .createHash('sha256')
    .update(`${compilerVersion}\0${optionsKey}\0${filename}\0${source}`)
    .digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    const output = transpile(source, filename);
    try {
      // Written whole, then renamed: processes starting at the same time never read a half-written file.
      fs.mkdirSync(cacheDir, { recursive: true });
      const partial = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(partial, output);
      fs.renameSync(partial, cached);
    } catch {
      // a read-only tree: run without the cache
    }
    return output;
  }
}

/** Every .ts file (not .d.ts) under `dirs` (relative to the project root), as [relative path, absolute path]. */
function sourceFiles(dirs) {
  const found = [];
  const walk = (relative) => {
    for (const entry of fs.readdirSync(path.join(projectRoot, relative), { withFileTypes: true })) {
      const file = path.join(relative, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.ts') && !file.endsWith('.d.ts')) found.push([file, path.join(projectRoot, file)]);
    }
  };
  for (const dir of dirs) walk(dir);
  return found;
}

/** Fills the cache for every .ts file under `dirs`: what the test run's global setup starts in the background. */
function warm(dirs) {
  for (const [, absolute] of sourceFiles(dirs)) transpileCached(absolute, fs.readFileSync(absolute, 'utf8'));
}

module.exports = { projectRoot, transpileCached, sourceFiles, warm };

// `node test/support/transpile-cache.js DIR...`: warm the cache for those folders.
if (require.main === module) warm(process.argv.slice(2));
