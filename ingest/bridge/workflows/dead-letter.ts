// One dead-lettered stream record (workflow id deadletter/<id>): holds the entry until an operator replays it or the
// retention ends. Temporal is the store, so dead letters need no database and a re-read record is one entry.
import { condition, setHandler } from '@temporalio/workflow';
import {
  deadLetterQuery,
  markReplayedUpdate,
  type DeadLetterEntry,
  type DeadLetterReplay,
  type DeadLetterState,
} from '../../../contracts/dead-letter';

export interface DeadLetterOptions {
  /** How long an unreplayed dead letter is kept, ms (default 14 days). */
  retention_ms?: number;
}

const defaultRetentionMs = 14 * 24 * 3600 * 1000;

export async function deadLetter(entry: DeadLetterEntry, options: DeadLetterOptions = {}): Promise<DeadLetterState> {
  const state: DeadLetterState = { entry, status: 'pending' };
  setHandler(deadLetterQuery, () => state);
  setHandler(
    markReplayedUpdate,
    (replay) => {
      state.status = 'replayed';
      state.replay = replay;
      return state;
    },
    {
      validator: (_replay: DeadLetterReplay) => {
        if (state.status !== 'pending') throw new Error(`dead letter ${entry.id} is ${state.status}, not pending`);
      },
    },
  );
  const replayed = await condition(() => state.status !== 'pending', options.retention_ms ?? defaultRetentionMs);
  if (!replayed) state.status = 'expired';
  return state;
}
