// The configuration snapshot as every Lazarus process loads it from disk (worker, demand sensor): rules/, profiles/
// and services/ read and built into one snapshot, cached and rebuilt only when the files change.
import { ApplicationFailure } from '@temporalio/common';
import { buildSnapshot, formatConfigIssue, type ConfigIssue, type ConfigSnapshot } from '../../core/config';
import { snapshotVersion } from '../content-hash';
import { hashConfigFiles, readConfigTree } from './read-tree';

/** Failure type of a configuration that does not load; not retried (a person has to fix the files). */
export const ConfigFailureType = { ConfigInvalid: 'ConfigInvalid' } as const;

export interface SnapshotCacheOptions {
  /** Folder holding rules/, profiles/ and services/. */
  configRoot: string;
  /** How long a loaded snapshot is trusted before the files are read again (default 10 s). */
  recheckIntervalMs?: number;
  /** Clock in milliseconds; tests pass their own. */
  now?: () => number;
  /**
   * Told once per broken edit when the files stop loading while a good snapshot is in force (which stays in force).
   * Default: one line on stderr.
   */
  onKeptLastGood?: (problem: string, inForce: ConfigSnapshot) => void;
}

/**
 * A snapshot loader that rereads the files at most every recheckIntervalMs and rebuilds only when they changed. A
 * broken edit does not take effect: the last snapshot that loaded stays in force (and the problem is reported once),
 * as a bad reload of a load balancer's configuration keeps the old one; only a process that never loaded the files
 * fails (non-retryably, type ConfigInvalid), so a worker with a broken configuration does not start.
 */
export function createSnapshotCache(deps: SnapshotCacheOptions): () => Promise<ConfigSnapshot> {
  const recheckIntervalMs = deps.recheckIntervalMs ?? 10_000;
  const now = deps.now ?? Date.now;
  const keptLastGood = deps.onKeptLastGood ?? reportKeptLastGood;
  let cached: { filesHash: string; snapshot: ConfigSnapshot; checkedAt: number } | undefined;
  // One reread at a time: the lookups that find the snapshot due while the files are being read wait for that read
  // (in a storm, every decision of the moment used to read the whole tree itself).
  let rereading: Promise<ConfigSnapshot> | undefined;
  return async () => {
    if (cached && now() - cached.checkedAt < recheckIntervalMs) {
      return cached.snapshot;
    }
    rereading ??= reread().finally(() => (rereading = undefined));
    return await rereading;
  };

  async function reread(): Promise<ConfigSnapshot> {
    const files = await readConfigTree(deps.configRoot);
    const filesHash = hashConfigFiles(files);
    if (cached && cached.filesHash === filesHash) {
      cached.checkedAt = now();
      return cached.snapshot;
    }
    const result = buildSnapshot(files, { hashContent: snapshotVersion });
    if (result.errors) {
      const failure = configInvalidFailure(deps.configRoot, result.errors);
      if (!cached) throw failure;
      // Remember the broken files' hash so they are not rebuilt (nor reported) again until they change.
      cached = { filesHash, snapshot: cached.snapshot, checkedAt: now() };
      keptLastGood(failure.message, cached.snapshot);
      return cached.snapshot;
    }
    cached = { filesHash, snapshot: result.snapshot, checkedAt: now() };
    return result.snapshot;
  }
}

function reportKeptLastGood(problem: string, inForce: ConfigSnapshot): void {
  process.stderr.write(
    `lazarus config: the changed files do not load; version ${inForce.version.slice(0, 19)} stays in force. ${problem}\n`,
  );
}

function configInvalidFailure(configRoot: string, issues: readonly ConfigIssue[]): ApplicationFailure {
  const shown = issues.slice(0, 50).map(formatConfigIssue);
  const more = issues.length > shown.length ? `\n… and ${issues.length - shown.length} more` : '';
  return ApplicationFailure.nonRetryable(
    `configuration under ${configRoot} is invalid (${issues.length} problems):\n${shown.join('\n')}${more}`,
    ConfigFailureType.ConfigInvalid,
    issues,
  );
}
