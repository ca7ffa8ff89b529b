// `npm run chaos`: the fault drills on the drills' own copy of the local stack (docs/chaos.md). Prints a table per
// drill, writes the JSON report, exits 1 when any invariant was violated (2 on bad arguments or a failed start).
//   npm run chaos                          every drill
//   npm run chaos -- --only aws-faults,cancel-drain --fast --json out.json
import fs from 'node:fs';
import path from 'node:path';
import { liveServices } from '../service-process';
import { stateDir } from '../paths';
import { runChaos } from './runner';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

let interrupted = false;
function killAll(signal: string): void {
  if (interrupted) return;
  interrupted = true;
  process.stderr.write(`\nchaos: ${signal}: killing every process the drills started\n`);
  for (const service of liveServices()) service.kill();
  setTimeout(() => process.exit(130), 1000).unref();
}
process.on('SIGINT', () => killAll('SIGINT'));
process.on('SIGTERM', () => killAll('SIGTERM'));

async function main(): Promise<number> {
  const only = arg('--only')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const jsonFile = path.resolve(arg('--json') ?? path.join(stateDir, 'chaos-last.json'));
  const report = await runChaos({
    only,
    fast: process.argv.includes('--fast'),
    stack: { ingest: 'api', echo: process.argv.includes('--verbose') },
  });
  fs.mkdirSync(path.dirname(jsonFile), { recursive: true });
  fs.writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  const ran = report.drills.filter((d) => d.ran);
  process.stdout.write(
    `\nchaos: ${ran.length} drill(s) run, ${report.drills.length - ran.length} not run; ` +
      `${report.ok ? 'every invariant held' : 'INVARIANTS VIOLATED'} (${report.machine}); JSON: ${jsonFile}\n`,
  );
  return report.ok ? 0 : 1;
}

main()
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    process.stderr.write(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    for (const service of liveServices()) service.kill();
    setTimeout(() => process.exit(2), 500).unref();
  });
