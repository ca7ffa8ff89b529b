// The bridge's activities: finding the shards to read (resharding included) and reading one.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { BridgeActivities, ReconcileInput, ReconcileResult, ShardReaderInput } from '../../core/bridge';
import { shardReaderWorkflowId, shardsReadyToRead } from '../../core/bridge';
import { createShardReader, listShards, type ShardReaderDependencies } from './shard-reader';

export function createBridgeActivities(deps: ShardReaderDependencies): BridgeActivities {
  async function reconcileShards({ stream, settings, finished }: ReconcileInput): Promise<ReconcileResult> {
    const shards = await listShards(deps.kinesis, stream);
    const done = new Set(finished.filter((id) => shards.some((s) => s.shard_id === id)));
    const reading: string[] = [];
    const everStarted = new Set<string>();
    for (const shard of shards) {
      if (done.has(shard.shard_id)) continue;
      const status = await readerStatus(stream, shard.shard_id);
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
      const input: ShardReaderInput = { stream, shard_id: shard.shard_id, start_at: startAt, settings };
      try {
        await deps.temporal.workflow.start('shardReader', {
          taskQueue: settings.task_queue,
          workflowId: shardReaderWorkflowId(stream, shard.shard_id),
          args: [input],
        });
        started.push(shard.shard_id);
      } catch (error) {
        if ((error as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw error;
      }
      reading.push(shard.shard_id);
    }
    const readyIds = new Set(ready.map((s) => s.shard_id));
    return {
      finished: [...done],
      started,
      reading,
      waiting: shards
        .map((s) => s.shard_id)
        .filter((id) => !done.has(id) && !readyIds.has(id) && !reading.includes(id)),
    };
  }

  async function readerStatus(stream: string, shardId: string): Promise<string | undefined> {
    try {
      const description = await deps.temporal.workflow.getHandle(shardReaderWorkflowId(stream, shardId)).describe();
      return description.status.name;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  return { reconcileShards, readShard: createShardReader(deps) };
}
