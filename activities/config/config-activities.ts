// The config activity: match an event against the configuration snapshot, loading and caching it from disk.
import { ApplicationFailure } from '@temporalio/activity';
import type { LazarusEvent, MatchResult } from '../../core';
import { buildSnapshot, formatConfigIssue, matchEvent, type ConfigIssue, type ConfigSnapshot } from '../../core/config';
import { hashConfigFiles, nodeHashContent, readConfigTree } from './read-tree';

/** Failure type of a configuration that does not load; not retried (a person has to fix the files). */
export const ConfigFailureType = { ConfigInvalid: 'ConfigInvalid' } as const;

export interface ConfigActivityDependencies {
  /** Folder holding rules/, profiles/ and services/. */
  configRoot: string;
  /** How long a loaded snapshot is trusted before the files are read again (default 10 s). */
  recheckIntervalMs?: number;
  /** Clock in milliseconds; tests pass their own. */
  now?: () => number;
}

export interface ConfigActivities {
  resolveEvent(event: LazarusEvent): Promise<MatchResult>;
}

/** A snapshot loader that rereads the files at most every recheckIntervalMs and rebuilds only when they changed. */
export function createSnapshotCache(deps: ConfigActivityDependencies): () => Promise<ConfigSnapshot> {
  const recheckIntervalMs = deps.recheckIntervalMs ?? 10_000;
  const now = deps.now ?? Date.now;
  let cached: { filesHash: string; snapshot: ConfigSnapshot; checkedAt: number } | undefined;
  return async () => {
    if (cached && now() - cached.checkedAt < recheckIntervalMs) {
      return cached.snapshot;
    }
    const files = await readConfigTree(deps.configRoot);
    const filesHash = hashConfigFiles(files);
    if (cached && cached.filesHash === filesHash) {
      cached.checkedAt = now();
      return cached.snapshot;
    }
    const result = buildSnapshot(files, { hashContent: nodeHashContent });
    if (result.errors) {
      cached = undefined;
      throw configInvalidFailure(deps.configRoot, result.errors);
    }
    cached = { filesHash, snapshot: result.snapshot, checkedAt: now() };
    return result.snapshot;
  };
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

export function createConfigActivities(deps: ConfigActivityDependencies): ConfigActivities {
  const loadSnapshot = createSnapshotCache(deps);
  return {
    async resolveEvent(event: LazarusEvent): Promise<MatchResult> {
      return matchEvent(await loadSnapshot(), event);
    },
  };
}
