// Replays recorded histories against a workflow bundle, outside Jest: protobufjs's type checks fail inside Jest's
// module registry ("type must be a Type"), so test/workflow/replay.test.ts runs this as a child process.
// Usage: node test/replay/replay-histories.js <workflow-bundle.js> <history-dir>
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { Worker, Runtime, DefaultLogger } = require('@temporalio/worker');

// The workflows' metrics sinks (workflows/metrics-sinks.ts), as a production worker registers them. A replay worker
// never calls them; registering them keeps the SDK from logging "unregistered external sink" for every history.
const noop = { fn() {} };
const sinks = { lazarusMetrics: { decision: noop, breakerTransition: noop } };

async function main() {
  const [bundle, dir] = process.argv.slice(2);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const results = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    try {
      await Worker.runReplayHistory({ workflowBundle: { codePath: bundle }, sinks }, history, file);
      results.push({ file, ok: true });
    } catch (err) {
      results.push({ file, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err));
  process.exit(2);
});
