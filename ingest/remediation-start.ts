// Starting the remediation of an event: the one way the REST API and the Kinesis bridge do it. The workflow id is
// derived from the incident key and a closed run counts too (REJECT_DUPLICATE), so an event delivered twice, or
// re-read by the bridge after a crash, starts one remediation however quickly the first one finished. An incident
// key names one incident: a recurrence carries a new key (Nagios problem id, AWS Health event ARN, ...).
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { type LazarusEvent } from '../core/event';
import { remediationWorkflowId } from '../contracts/workflow-ids';
import { remediationDetails, remediationSummary } from '../contracts/user-metadata';

export interface RemediationStart {
  workflow_id: string;
  /** The remediation of this incident key was already started (running or finished). */
  duplicate: boolean;
}

export async function startRemediation(
  client: Client,
  taskQueue: string,
  event: LazarusEvent,
): Promise<RemediationStart> {
  const workflowId = remediationWorkflowId(event.incident_key);
  try {
    await client.workflow.start('remediate', {
      taskQueue,
      workflowId,
      args: [event, {}],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      // what the Temporal Web UI's workflow list shows without opening the payload
      staticSummary: remediationSummary(event),
      staticDetails: remediationDetails(event),
    });
    return { workflow_id: workflowId, duplicate: false };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { workflow_id: workflowId, duplicate: true };
    throw error;
  }
}
