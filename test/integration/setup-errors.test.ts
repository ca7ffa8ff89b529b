// Bad setup is explained in one line: a missing Python, an unreachable package index.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../devstack/paths';

function runSetup(env: Record<string, string>, args: string[] = []): { status: number | null; stderr: string } {
  const venv = fs.mkdtempSync(path.join(os.tmpdir(), 'lazarus-setup-'));
  try {
    const result = spawnSync(process.execPath, [path.join(projectRoot, 'devstack', 'setup.js'), ...args], {
      env: { ...process.env, LAZARUS_VENV: path.join(venv, 'venv'), ...env },
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { status: result.status, stderr: result.stderr };
  } finally {
    fs.rmSync(venv, { recursive: true, force: true });
  }
}

describe('devstack/setup.js', () => {
  it('says which Python it looked for and how to get one', () => {
    const { status, stderr } = runSetup({ LAZARUS_PYTHON: '/nonexistent/python3' });
    expect(status).toBe(1);
    expect(stderr).toMatch(/Python 3.9 or newer was not found \(tried \/nonexistent\/python3\).*LAZARUS_PYTHON/);
  });

  it('says the package index is unreachable, and lets npm install finish with --if-possible', () => {
    const unreachable = { PIP_INDEX_URL: 'http://127.0.0.1:9/simple', PIP_RETRIES: '0', PIP_TIMEOUT: '2' };
    const strict = runSetup(unreachable);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain('the Python package index could not be reached');
    const lenient = runSetup(unreachable, ['--if-possible']);
    expect(lenient.status).toBe(0);
    expect(lenient.stderr).toContain('`npm start` and `npm test` will try again');
  });
});
