// The bridge's activities: finding the shards to read (resharding included) and reading one.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { BridgeActivities, ReconcileInput, ReconcileResult, ShardReaderInput } from '../model/bridge';
import { shardReaderWorkflowId, shardsReadyToRead } from '../model/bridge';
import { createShardReader, listShards, streamGeneration, type ShardReaderDependencies } from './shard-reader';

export function createBridgeActivities(deps: ShardReaderDependencies): BridgeActivities {
  async function reconcileShards(input: ReconcileInput): Promise<ReconcileResult> {
    const { stream, settings } = input;
    const generation = await streamGeneration(deps.kinesis, stream);
    const finished = input.generation === generation ? input.finished : [];
    const shards = await listShards(deps.kinesis, stream);
    const done = new Set(finished.filter((id) => shards.some((s) => s.shard_id === id)));
    const reading: string[] = [];
    const everStarted = new Set<string>();
    for (const shard of shards) {
      if (done.has(shard.shard_id)) continue;
      const status = await readerStatus(stream, generation, shard.shard_id);
      if (status === 'COMPLETED') done.add(shard.shard_id);
      else if (status === 'RUNNING') reading.push(shard.shard_id);
      if (status !== undefined) everStarted.add(shard.shard_id);
    }
    const ready = shardsReadyToRead(shards, done).filter((s) => !reading.includes(s.shard_id));
    const started: string[] = [];
    for (const shard of ready) {
      // A child of a reshard, or a reader that was stopped by hand, reads from the shard's beginning (re-reads are
      // duplicates); only a brand-new stream's first shards may start at the tip.
      const startAt =
        shard.parent_shard_ids.length > 0 || everStarted.has(shard.shard_id) ? 'trim_horizon' : settings.start_at;
      const reader: ShardReaderInput = { stream, generation, shard_id: shard.shard_id, start_at: startAt, settings };
      try {
        await deps.temporal.workflow.start('shardReader', {
          taskQueue: settings.task_queue,
          workflowId: shardReaderWorkflowId(stream, generation, shard.shard_id),
          args: [reader],
        });
        started.push(shard.shard_id);
      } catch (error) {
        if ((error as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw error;
      }
      reading.push(shard.shard_id);
    }
    const readyIds = new Set(ready.map((s) => s.shard_id));
    return {
      generation,
      finished: [...done],
      started,
      reading,
      waiting: shards
        .map((s) => s.shard_id)
        .filter((id) => !done.has(id) && !readyIds.has(id) && !reading.includes(id)),
    };
  }

  async function readerStatus(stream: string, generation: string, shardId: string): Promise<string | undefined> {
    try {
      const handle = deps.temporal.workflow.getHandle(shardReaderWorkflowId(stream, generation, shardId));
      const description = await handle.describe();
      return description.status.name;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  return { reconcileShards, readShard: createShardReader(deps) };
}
