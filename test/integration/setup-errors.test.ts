// Bad setup is explained in one line: a missing Python, an unreachable package index.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../devstack/paths';

/** devstack/setup.js with `env` and `args`, into a fresh temporary venv: its exit code and stderr. */
async function runSetup(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ status: number | null; stderr: string }> {
  const venv = fs.mkdtempSync(path.join(os.tmpdir(), 'lazarus-setup-'));
  try {
    const child = spawn(process.execPath, [path.join(projectRoot, 'devstack', 'setup.js'), ...args], {
      env: { ...process.env, LAZARUS_VENV: path.join(venv, 'venv'), ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    clearTimeout(timer);
    return { status, stderr };
  } finally {
    fs.rmSync(venv, { recursive: true, force: true });
  }
}

describe('devstack/setup.js', () => {
  it('says which Python it looked for and how to get one', async () => {
    const { status, stderr } = await runSetup({ LAZARUS_PYTHON: '/nonexistent/python3' });
    expect(status).toBe(1);
    expect(stderr).toMatch(/Python 3.9 or newer was not found \(tried \/nonexistent\/python3\).*LAZARUS_PYTHON/);
  });

  it('says the package index is unreachable, and lets npm install finish with --if-possible', async () => {
    const unreachable = { PIP_INDEX_URL: 'http://127.0.0.1:9/simple', PIP_RETRIES: '0', PIP_TIMEOUT: '2' };
    // two independent runs, each into its own venv: at the same time (a venv with pip takes seconds to create)
    const [strict, lenient] = await Promise.all([runSetup(unreachable), runSetup(unreachable, ['--if-possible'])]);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain('the Python package index could not be reached');
    expect(lenient.status).toBe(0);
    expect(lenient.stderr).toContain('`npm start` and `npm test` will try again');
  }, 120_000);
});
