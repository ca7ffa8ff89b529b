// POST /v1/explain: an event's every gate evaluated against the live system by the explainLive workflow
// (workflows/explain.ts) on the worker, which has the configuration and reaches the checker nodes; nothing is acted
// on, counted or recorded as a decision.
import { randomUUID } from 'node:crypto';
import { validateEvent } from '../core/config';
import { callTemporal, type ApiDependencies } from './dependencies';
import { InvalidRequestError } from './errors';

/** Longest an explanation may take: the quorum deadline of the checker nodes plus the reads. */
export const explainDeadlineMs = 30_000;

export async function explainEventLive(deps: ApiDependencies, body: unknown): Promise<unknown> {
  const validation = validateEvent(body);
  if (!validation.ok) {
    const [first] = validation.errors;
    throw new InvalidRequestError(first?.path ?? '<root>', first?.message ?? 'invalid event');
  }
  return await callTemporal(
    'explain',
    () =>
      deps.temporal.workflow.execute('explainLive', {
        workflowId: `explain/${randomUUID()}`,
        taskQueue: deps.taskQueue,
        args: [validation.event],
        workflowExecutionTimeout: explainDeadlineMs,
      }),
    deps.temporal,
    explainDeadlineMs,
  );
}
