// Prebuilds the workflow bundle (dist/workflow-bundle.js) so the worker starts without running webpack.
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

export const workflowBundlePath: string = path.resolve(__dirname, '..', 'workflow-bundle.js');
export const workflowsPath: string = require.resolve('../workflows');

export async function writeWorkflowBundle(target: string = workflowBundlePath): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, code);
  return target;
}

const noop = (): void => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

if (require.main === module) {
  writeWorkflowBundle().then(
    (file) => process.stdout.write(`workflow bundle written to ${path.relative(process.cwd(), file)}\n`),
    (err: unknown) => {
      process.stderr.write(`workflow bundle failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
}
