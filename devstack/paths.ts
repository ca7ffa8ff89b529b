// Where the project and its locally installed tools are, whether running from source (the tests) or dist/.
import fs from 'node:fs';
import path from 'node:path';

function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'temporal-dev.yaml'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the Lazarus project root above ${start}`);
    dir = parent;
  }
}

export const projectRoot: string = findProjectRoot(__dirname);

export const venvDir: string = process.env.LAZARUS_VENV ?? path.join(projectRoot, '.venv');

export function venvBin(name: string): string {
  return path.join(venvDir, 'bin', name);
}

/** Where `npm start` keeps its state (the dev server's SQLite file, the emulator's CA); LAZARUS_STATE_DIR moves it. */
export const stateDir: string = path.resolve(process.env.LAZARUS_STATE_DIR?.trim() || path.join(projectRoot, '.state'));
