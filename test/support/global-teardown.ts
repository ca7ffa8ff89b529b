// Stops what global-setup.ts started and removes its temporary folder.
import fs from 'node:fs';
import { destroyAwsClients } from '../../platform/aws-clients';

export default async function globalTeardown(): Promise<void> {
  const stack = globalThis.lazarusTestStack;
  if (!stack) return;
  if (stack.warmUp.exitCode === null && stack.warmUp.signalCode === null) stack.warmUp.kill('SIGKILL');
  await stack.fleet.stop();
  destroyAwsClients(stack.fleetAws);
  await Promise.all([
    stack.temporal.process.stop(5000),
    stack.moto.process.stop(5000),
    stack.pagerDuty.stop(),
    stack.receivers.stop(),
  ]);
  fs.rmSync(stack.tempDir, { recursive: true, force: true });
  globalThis.lazarusTestStack = undefined;
}
