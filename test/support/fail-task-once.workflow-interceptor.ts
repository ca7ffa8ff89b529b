// Workflow interceptor for tests (bundled into a test worker's workflow bundle): when a local activity's result comes
// back marked `failWorkflowTaskOnce` (by the test's activity interceptor, the first time that activity runs), the
// activation that received it fails, so Temporal retries the workflow task and the local activity runs again, as
// when a worker's task fails or times out after the activity did its work.
import type {
  ConcludeActivationInput,
  ConcludeActivationOutput,
  LocalActivityInput,
  Next,
  WorkflowInterceptors,
  WorkflowInternalsInterceptor,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

export const failWorkflowTaskOnceKey = 'failWorkflowTaskOnce';

let failThisActivation = false;

class MarkFailing implements WorkflowOutboundCallsInterceptor {
  async scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ): Promise<unknown> {
    const result = (await next(input)) as Record<string, unknown> | undefined;
    if (result && typeof result === 'object' && result[failWorkflowTaskOnceKey]) failThisActivation = true;
    return result;
  }
}

class FailActivation implements WorkflowInternalsInterceptor {
  concludeActivation(
    input: ConcludeActivationInput,
    next: Next<WorkflowInternalsInterceptor, 'concludeActivation'>,
  ): ConcludeActivationOutput {
    if (failThisActivation) {
      failThisActivation = false;
      throw new Error('test: this workflow task fails once after a local activity told someone');
    }
    return next(input);
  }
}

export const interceptors = (): WorkflowInterceptors => ({
  outbound: [new MarkFailing()],
  internals: [new FailActivation()],
});
