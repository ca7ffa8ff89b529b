// The workflow bundle of the remediation benchmark: every Lazarus workflow plus the bare-Temporal baseline.
import { proxyActivities } from '@temporalio/workflow';

export * from '../workflows';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '10 seconds' });

/** The baseline: the same number of activities as a remediation's decision path, doing nothing. */
export async function noopChain(activityCount: number): Promise<number> {
  const started = Date.now();
  for (let i = 0; i < activityCount; i++) await noop();
  return started;
}
