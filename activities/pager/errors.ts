// How PagerDuty failures reach the workflow: stable failure types it maps to outcome notes.
import { ApplicationFailure } from '@temporalio/activity';

export const PagerFailureType = {
  /** The call kept failing (429, 5xx, timeouts) until its time budget ran out. For an acknowledgement this means
   * the page is left to PagerDuty's own escalation. */
  BudgetExhausted: 'PagerBudgetExhausted',
  /** PagerDuty refused the request (400, 401, 403, 404 on an event): retrying will not help. */
  Rejected: 'PagerRejected',
  /**
   * Not called: PagerDuty did not answer the client's last attempts (retryable; the bounded first try of a workflow
   * stops on it, the durable retries carry on).
   */
  Unreachable: 'PagerUnreachable',
  /** No incident carries the incident key (yet): retryable, events are processed asynchronously. */
  IncidentNotFound: 'PagerIncidentNotFound',
} as const;

export type PagerFailureType = (typeof PagerFailureType)[keyof typeof PagerFailureType];

export function pagerFailure(type: PagerFailureType, message: string): ApplicationFailure {
  return type === PagerFailureType.IncidentNotFound
    ? ApplicationFailure.retryable(message, type)
    : ApplicationFailure.nonRetryable(message, type);
}
