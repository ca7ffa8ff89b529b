// Bad setup is explained in one line: a missing Python, an unreachable package index.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../devstack/paths';

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

describe('devstack/setup.js', () => {
  it('says which Python it looked for and how to get one', async () => {
    const { status, stderr } = await withTempDir((dir) => runSetup(dir, { LAZARUS_PYTHON: '/nonexistent/python3' }));
    expect(status).toBe(1);
    expect(stderr).toMatch(/Python 3.9 or newer was not found \(tried \/nonexistent\/python3\).*LAZARUS_PYTHON/);
  });

  it('says the package index is unreachable, and lets npm install finish with --if-possible', async () => {
    const unreachable = { PIP_INDEX_URL: 'http://127.0.0.1:9/simple', PIP_RETRIES: '0', PIP_TIMEOUT: '2' };
    // one after the other into the same venv: the first creates it (a venv with pip costs ~7 s of CPU), the second
    // finds it and, like the first, fails only at the package index
    const [strict, lenient] = await withTempDir(async (dir) => [
      await runSetup(dir, unreachable),
      await runSetup(dir, unreachable, ['--if-possible']),
    ]);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain('the Python package index could not be reached');
    expect(lenient.status).toBe(0);
    expect(lenient.stderr).toContain('`npm start` and `npm test` will try again');
  }, 120_000);
});
