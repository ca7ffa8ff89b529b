// Where the configuration lives when the user does not say: the nearest folder, from the working directory up, that
// holds profiles/ and services/; else the Lazarus checkout the CLI runs from.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

function holdsConfiguration(dir: string): boolean {
  return existsSync(join(dir, 'profiles')) && existsSync(join(dir, 'services')) && existsSync(join(dir, 'rules'));
}

function searchUpwards(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (holdsConfiguration(dir)) {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      return undefined;
    }
    dir = parent;
  }
}

export function defaultConfigRoot(cwd: string): string {
  return searchUpwards(cwd) ?? searchUpwards(__dirname) ?? cwd;
}
