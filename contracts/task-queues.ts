// The task queues Lazarus derives from its main queue. Deciding runs on the main queue (workflows, configuration,
// entities, pages) and on each region's checker queues (deployment.yaml); acting runs on the control realm's queue,
// which only workers of the control realm poll (docs/regions.md).

/**
 * The control realm's task queue of the deployment whose main queue is `mainQueue`: every runbook step and
 * compensation is scheduled here. Derived, so a workflow knows it from its own queue (`workflowInfo().taskQueue`).
 */
export function actionTaskQueue(mainQueue: string): string {
  return `${mainQueue}-actions`;
}

/**
 * The task queue of the entity workflows (governors, control, rule quarantine) of the deployment whose main queue is
 * `mainQueue`, served by a worker of its own in each deciding worker process. A remediation reaches the entities from
 * local activities, which hold its workflow task (and its slot) until they answer: entities sharing the remediations'
 * slots would wait for a slot that only their own answer frees, so a storm of remediations would starve them.
 */
export function entityTaskQueue(mainQueue: string): string {
  return `${mainQueue}-entities`;
}
