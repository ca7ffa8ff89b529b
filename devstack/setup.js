#!/usr/bin/env node
// Installs the PyPI-delivered parts of the local stack (Temporal CLI, moto) into .venv/, and Debian's chromium for
// the console's browser tests when it is missing and apt-get can run (as root); without it those tests skip with one
// message. Plain JavaScript on purpose: it runs before anything is compiled (npm postinstall, npm start, npm test).
// Usage: node devstack/setup.js [--if-possible]
//   --if-possible  report a problem as a warning and exit 0 (used by npm's postinstall, so `npm install`
//                  still finishes; `npm start` and `npm test` run it again strictly).
'use strict';

const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const venv = process.env.LAZARUS_VENV || path.join(root, '.venv');
const requirements = path.join(__dirname, 'requirements.txt');
const stamp = path.join(venv, '.lazarus-requirements.sha256');
const lenient = process.argv.includes('--if-possible');

class SetupError extends Error {
  constructor(message) {
    super(message);
    this.name = 'SetupError';
  }
}

function venvBin(name) {
  return process.platform === 'win32' ? path.join(venv, 'Scripts', `${name}.exe`) : path.join(venv, 'bin', name);
}

function requirementsHash() {
  return crypto.createHash('sha256').update(fs.readFileSync(requirements)).digest('hex');
}

function isInstalled(hash) {
  try {
    return fs.readFileSync(stamp, 'utf8').trim() === hash && fs.existsSync(venvBin('temporal'));
  } catch {
    return false;
  }
}

function findPython() {
  const candidates = process.env.LAZARUS_PYTHON ? [process.env.LAZARUS_PYTHON] : ['python3', 'python'];
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
      encoding: 'utf8',
    });
    if (probe.status !== 0) continue;
    const [major, minor] = probe.stdout.trim().split('.').map(Number);
    if (major === 3 && minor >= 9) return candidate;
  }
  throw new SetupError(
    `Python 3.9 or newer was not found (tried ${candidates.join(', ')}). ` +
      'Install it (Debian: apt-get install python3 python3-venv) or set LAZARUS_PYTHON=/path/to/python3.',
  );
}

function run(command, args, what) {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status === 0) return;
  const output = `${result.stdout || ''}${result.stderr || ''}`;
  const unreachable =
    /(Max retries exceeded|Could not fetch URL|NewConnectionError|Temporary failure in name resolution|No matching distribution found|ConnectTimeout|Network is unreachable)/i;
  if (unreachable.test(output)) {
    throw new SetupError(
      `${what} failed: the Python package index could not be reached. ` +
        'Check the network or set PIP_INDEX_URL to a reachable mirror, then run `npm run setup`.',
    );
  }
  if (/ensurepip|venv/.test(output) && what.startsWith('creating')) {
    throw new SetupError(`${what} failed: Python's venv module is missing (Debian: apt-get install python3-venv).`);
  }
  const tail = output.trim().split('\n').slice(-5).join('\n');
  throw new SetupError(`${what} failed (exit ${result.status}):\n${tail}`);
}

function setup() {
  const hash = requirementsHash();
  if (isInstalled(hash)) return;
  const python = findPython();
  const started = Date.now();
  process.stderr.write(`lazarus setup: installing ${path.relative(root, requirements)} into ${venv} ...\n`);
  if (!fs.existsSync(venvBin('python'))) run(python, ['-m', 'venv', venv], `creating the virtual environment ${venv}`);
  run(
    venvBin('python'),
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements],
    'pip install of devstack/requirements.txt',
  );
  fs.writeFileSync(stamp, `${hash}\n`);
  process.stderr.write(`lazarus setup: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

/** The browser the console tests drive (test/browser/): LAZARUS_CHROMIUM, else Debian's chromium. */
function chromiumPath() {
  const candidates = [process.env.LAZARUS_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((file) => file && fs.existsSync(file));
}

/**
 * Debian's chromium, when missing, where apt-get exists and we are root (CI, the dev containers). Never fatal: the
 * browser tests say they were skipped, and why. LAZARUS_SKIP_BROWSER_INSTALL=1 leaves the machine alone.
 */
function installChromium() {
  if (chromiumPath() || process.env.LAZARUS_SKIP_BROWSER_INSTALL === '1') return;
  const aptGet = ['/usr/bin/apt-get', '/bin/apt-get'].find((file) => fs.existsSync(file));
  if (process.platform !== 'linux' || !aptGet || process.getuid?.() !== 0) {
    process.stderr.write(
      "lazarus setup: no chromium for the console browser tests (they will be skipped); install Debian's " +
        '`chromium` package or set LAZARUS_CHROMIUM=/path/to/chromium\n',
    );
    return;
  }
  const started = Date.now();
  process.stderr.write("lazarus setup: installing Debian's chromium for the console browser tests ...\n");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync(aptGet, ['install', '-y', 'chromium'], { encoding: 'utf8', env });
  let result = install();
  if (result.status !== 0) {
    // a fresh machine has no package lists yet (or stale ones)
    spawnSync(aptGet, ['update'], { encoding: 'utf8', env });
    result = install();
  }
  if (result.status !== 0 || !chromiumPath()) {
    const tail = `${result.stdout || ''}${result.stderr || ''}`.trim().split('\n').slice(-3).join('\n');
    process.stderr.write(
      `lazarus setup: could not install chromium (the console browser tests will be skipped):\n${tail}\n`,
    );
    return;
  }
  process.stderr.write(`lazarus setup: chromium installed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

try {
  setup();
  // not from npm's postinstall: `npm install` stays quick; `npm run setup`, `npm test` and `npm start` install it
  if (!lenient) installChromium();
} catch (err) {
  if (!(err instanceof SetupError)) throw err;
  process.stderr.write(`lazarus setup: ${err.message}\n`);
  if (lenient) {
    process.stderr.write('lazarus setup: continuing; `npm start` and `npm test` will try again.\n');
    process.exit(0);
  }
  process.exit(1);
}
