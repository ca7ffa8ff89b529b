// Recording a dead letter: one entity workflow per record (deadletter/<stream>.<shard>.<sequence>), so a record
// re-read after a crash is recorded once, and the store is Temporal itself.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import {
  deadLetterMemo,
  deadLetterWorkflowId,
  isSensorRoutePosition,
  type DeadLetterEntry,
} from '../../../contracts/dead-letter';

export interface DeadLetterStore {
  client: Client;
  /** The task queue whose workers run the `deadLetter` workflow (the main Lazarus queue). */
  taskQueue: string;
  /** How long an unreplayed entry is kept (default: the workflow's 14 days). */
  retentionMs?: number;
}

function where(entry: DeadLetterEntry): string {
  const source = entry.source;
  return isSensorRoutePosition(source)
    ? `${source.route}`
    : `${source.stream} ${source.shard_id} at ${source.sequence_number}`;
}

/** Record `entry`; true when it is new, false when this record was already dead-lettered. */
export async function recordDeadLetter(store: DeadLetterStore, entry: DeadLetterEntry): Promise<boolean> {
  try {
    await store.client.workflow.start('deadLetter', {
      taskQueue: store.taskQueue,
      workflowId: deadLetterWorkflowId(entry.id),
      args: [entry, store.retentionMs === undefined ? {} : { retention_ms: store.retentionMs }],
      memo: { ...deadLetterMemo(entry) },
      // what the Temporal Web UI lists without opening the payload
      staticSummary: `Dead letter (${entry.reason}) from ${where(entry)}`,
      staticDetails: `**why** ${entry.detail.slice(0, 500)}\n**size** ${entry.size_bytes} bytes`,
    });
    return true;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw error;
  }
}
