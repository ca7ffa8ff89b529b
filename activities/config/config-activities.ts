// The config activity: match an event against the configuration snapshot, loading and caching it from disk.
import type { LazarusEvent, MatchResult } from '../../core';
import { matchEvent } from '../../core/config';
import { createSnapshotCache, type SnapshotCacheOptions } from '../../platform/config-files';

/** What the config activity needs: where the files are and how the snapshot cache behaves. */
export type ConfigActivityDependencies = SnapshotCacheOptions;

export interface ConfigActivities {
  resolveEvent(event: LazarusEvent): Promise<MatchResult>;
}

export function createConfigActivities(deps: ConfigActivityDependencies): ConfigActivities {
  const loadSnapshot = createSnapshotCache(deps);
  return {
    async resolveEvent(event: LazarusEvent): Promise<MatchResult> {
      return matchEvent(await loadSnapshot(), event);
    },
  };
}
