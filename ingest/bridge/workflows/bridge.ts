// The Kinesis bridge as workflows: `streamBridge` (bridge/<stream>) keeps one `shardReader` (bridge/<stream>/shard/
// <id>) running per readable shard, parents before children; each shard reader runs one long heartbeating activity
// at a time on the bridge task queue. The activity's heartbeat carries the checkpoint: if its process dies, the
// heartbeat timeout ends the attempt and the retry (on whichever bridge process polls first) resumes from it.
import { continueAsNew, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { BridgeActivities, ShardProgress, ShardReaderInput, StreamBridgeInput } from '../model/bridge';

const iterationsBeforeContinueAsNew = 200;

export async function streamBridge(input: StreamBridgeInput): Promise<void> {
  const { reconcileShards } = proxyActivities<BridgeActivities>({
    taskQueue: input.settings.task_queue,
    startToCloseTimeout: '60s',
    retry: { initialInterval: '1s', maximumInterval: '10s' },
  });
  let finished = input.finished ?? [];
  let generation = input.generation;
  for (let i = 0; i < iterationsBeforeContinueAsNew && !workflowInfo().continueAsNewSuggested; i++) {
    ({ finished, generation } = await reconcileShards({
      stream: input.stream,
      settings: input.settings,
      finished,
      ...(generation === undefined ? {} : { generation }),
    }));
    await sleep(input.settings.discovery_interval_ms);
  }
  await continueAsNew<typeof streamBridge>({ ...input, finished, ...(generation === undefined ? {} : { generation }) });
}

export interface ShardReaderTotals extends Omit<ShardProgress, 'lag_ms' | 'owner'> {
  shard_id: string;
}

export async function shardReader(input: ShardReaderInput): Promise<ShardReaderTotals> {
  const { settings } = input;
  const { readShard } = proxyActivities<BridgeActivities>({
    taskQueue: settings.task_queue,
    heartbeatTimeout: settings.heartbeat_timeout_ms,
    // The activity returns by itself when its lease ends; this only bounds a reader that stopped heartbeating.
    startToCloseTimeout: settings.lease_ms + 2 * settings.heartbeat_timeout_ms + 60_000,
    // No attempt limit: a shard is never abandoned. Short intervals keep a takeover well within 30 s.
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5s' },
  });
  const totals = { records: 0, started: 0, duplicates: 0, dead_letters: 0, ...input.totals };
  let checkpoint = input.checkpoint;
  for (let i = 0; i < iterationsBeforeContinueAsNew && !workflowInfo().continueAsNewSuggested; i++) {
    const read = await readShard({ ...input, checkpoint });
    checkpoint = read.checkpoint ?? checkpoint;
    totals.records += read.records;
    totals.started += read.started;
    totals.duplicates += read.duplicates;
    totals.dead_letters += read.dead_letters;
    if (read.shard_ended) {
      return { shard_id: input.shard_id, ...totals, ...(checkpoint === undefined ? {} : { checkpoint }) };
    }
  }
  return continueAsNew<typeof shardReader>({ ...input, ...(checkpoint === undefined ? {} : { checkpoint }), totals });
}
