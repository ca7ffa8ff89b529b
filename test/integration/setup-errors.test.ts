// Bad setup is explained in one line: a missing Python, an unreachable package index.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot, venvBin } from '../../devstack/paths';

/** devstack/setup.js with `env` and `args`, into the venv `venvDir`/venv (created if missing): its exit code and stderr. */
async function runSetup(
  venvDir: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [path.join(projectRoot, 'devstack', 'setup.js'), ...args], {
    env: { ...process.env, LAZARUS_VENV: path.join(venvDir, 'venv'), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  clearTimeout(timer);
  return { status, stderr };
}

/** `fn` with a fresh temporary directory, removed afterwards. */
async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazarus-setup-'));
  try {
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A virtual environment with pip in `dir`/venv, for setup.js to find. `python -m venv` installs pip through ensurepip
 * (~7 s of CPU); this one is made without it, and its site-packages is given the pip package of the project's own
 * venv (there: `npm test` runs setup first), and nothing else of it, so that pip still has every requirement to fetch.
 */
function venvWithPip(dir: string): void {
  const run = (command: string, args: string[]): string => execFileSync(command, args, { encoding: 'utf8' }).trim();
  const pipPackage = run(venvBin('python'), ['-c', 'import os, pip; print(os.path.dirname(pip.__file__))']);
  const venv = path.join(dir, 'venv');
  run(venvBin('python'), ['-m', 'venv', '--without-pip', venv]);
  const sitePackages = run(path.join(venv, 'bin', 'python'), [
    '-c',
    'import sysconfig; print(sysconfig.get_paths()["purelib"])',
  ]);
  const pipOnly = path.join(dir, 'pip-only');
  fs.mkdirSync(pipOnly);
  fs.symlinkSync(pipPackage, path.join(pipOnly, 'pip'));
  fs.writeFileSync(path.join(sitePackages, 'pip-only.pth'), `${pipOnly}\n`);
}

describe('devstack/setup.js', () => {
  it('says which Python it looked for and how to get one', async () => {
    const { status, stderr } = await withTempDir((dir) => runSetup(dir, { LAZARUS_PYTHON: '/nonexistent/python3' }));
    expect(status).toBe(1);
    expect(stderr).toMatch(/Python 3.9 or newer was not found \(tried \/nonexistent\/python3\).*LAZARUS_PYTHON/);
  });

  it('says the package index is unreachable, and lets npm install finish with --if-possible', async () => {
    const unreachable = { PIP_INDEX_URL: 'http://127.0.0.1:9/simple', PIP_RETRIES: '0', PIP_TIMEOUT: '2' };
    // both into one venv with pip and no packages (venvWithPip): each fails only at the package index
    const [strict, lenient] = await withTempDir(async (dir) => {
      venvWithPip(dir);
      return [await runSetup(dir, unreachable), await runSetup(dir, unreachable, ['--if-possible'])];
    });
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain('the Python package index could not be reached');
    expect(lenient.status).toBe(0);
    expect(lenient.stderr).toContain('`npm start` and `npm test` will try again');
  }, 120_000);
});
