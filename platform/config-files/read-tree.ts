// Reading configuration YAML from disk: the one loader the worker's config activity and the `lazarus` CLI share.
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { sha256Hex } from '../content-hash';
import { configFileKind, type ConfigFileText } from '../../core/config';

/** The folders of a configuration tree, relative to its root. */
export const configFolders = ['rules', 'profiles', 'profiles/runbooks', 'services'] as const;

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

async function yamlFilesIn(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return [];
    }
    throw error;
  }
  return names
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

/** Every configuration file under rootDir (rules/, profiles/, profiles/runbooks/, services/), paths relative to it. */
export async function readConfigTree(rootDir: string): Promise<ConfigFileText[]> {
  const files: ConfigFileText[] = [];
  for (const folder of configFolders) {
    for (const path of await yamlFilesIn(join(rootDir, folder))) {
      files.push({ path: toPosix(relative(rootDir, path)), text: await readFile(path, 'utf8') });
    }
  }
  return files;
}

async function holdsConfigTree(dir: string): Promise<boolean> {
  try {
    await Promise.all(['rules', 'profiles', 'services'].map((folder) => access(join(dir, folder))));
    return true;
  } catch {
    return false;
  }
}

/**
 * The configuration files named by paths (files, or folders searched recursively), reported relative to baseDir.
 * A folder that holds rules/, profiles/ and services/ is read as a whole tree.
 */
export async function readConfigPaths(paths: readonly string[], baseDir: string): Promise<ConfigFileText[]> {
  const found = new Map<string, string>();
  const visit = async (path: string): Promise<void> => {
    const info = await stat(path);
    if (info.isDirectory() && (await holdsConfigTree(path))) {
      for (const file of await readConfigTree(path)) {
        found.set(toPosix(relative(baseDir, join(path, file.path))), file.text);
      }
    } else if (info.isDirectory()) {
      for (const entry of (await readdir(path)).sort()) {
        if (entry !== 'node_modules' && !entry.startsWith('.')) {
          await visit(join(path, entry));
        }
      }
    } else if (configFileKind(toPosix(path)) !== undefined || /\.ya?ml$/.test(path)) {
      found.set(toPosix(relative(baseDir, path)), await readFile(path, 'utf8'));
    }
  };
  for (const path of paths) {
    await visit(path);
  }
  return [...found].map(([path, text]) => ({ path, text }));
}

/** SHA-256 of the files as read, to notice when anything changed on disk. */
export function hashConfigFiles(files: readonly ConfigFileText[]): string {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return sha256Hex(...sorted.flatMap((file) => [file.path, '\0', file.text, '\0']));
}
