// Where V8's code caches of the test run are kept (cached-runtime.js for jest's test files, v8-module-cache.js for the
// processes tests start): node_modules/.cache/<name>/<Node version>-<arch>/<key>, one file per compiled module.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

/** A store of cached code under node_modules/.cache/`name`, for this Node version and architecture. */
function codeCacheStore(name) {
  const dir = path.resolve(__dirname, '..', '..', 'node_modules', '.cache', name, `${process.version}-${process.arch}`);
  let dirMade = false;
  return {
    /** The key of a module: a hash of everything its compiled code depends on. */
    keyOf: (...parts) => crypto.createHash('sha256').update(parts.join('\0')).digest('hex'),
    read(key) {
      try {
        return fs.readFileSync(path.join(dir, key));
      } catch {
        return undefined;
      }
    },
    keep(key, data) {
      try {
        if (!dirMade) {
          fs.mkdirSync(dir, { recursive: true });
          dirMade = true;
        }
        const temporary = path.join(dir, `${key}.${process.pid}.tmp`);
        fs.writeFileSync(temporary, data);
        fs.renameSync(temporary, path.join(dir, key)); // whole or not at all, whichever process writes it
      } catch {
        // a cache that cannot be written only costs the next reader a compile
      }
    },
  };
}

module.exports = { codeCacheStore };
