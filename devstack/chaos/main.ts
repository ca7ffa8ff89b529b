// `npm run chaos`: the fault drills on the drills' own copy of the local stack (docs/chaos.md). Prints a table per
// drill, writes the JSON report, exits 1 when any invariant was violated (2 on bad arguments or a failed start).
//   npm run chaos                          every drill
//   npm run chaos -- --only aws-faults,cancel-drain --fast --json out.json
import fs from 'node:fs';
import path from 'node:path';
import { liveServices } from '../service-process';
import { stateDir } from '../paths';
import { drills } from './drills';
import { runChaos } from './runner';
import { stopChaosStacks } from './stack';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Stops the stack (its processes, bounded, then SIGKILL; its temporary folder removed) and exits with `code`. */
let exiting = false;
function cleanUpAndExit(code: number, why: string): void {
  if (exiting) return;
  exiting = true;
  if (why) process.stderr.write(`\nchaos: ${why}: stopping every process the drills started\n`);
  // Bounded: stopChaosStacks SIGKILLs what is left after 15 s; a second signal or this timer ends us anyway.
  setTimeout(() => process.exit(code), 20_000).unref();
  void stopChaosStacks(15_000)
    .catch(() => undefined)
    .finally(() => {
      for (const service of liveServices()) service.kill();
      process.exit(code);
    });
}
function onSignal(signal: string): void {
  if (exiting) {
    // A second Ctrl-C: kill now.
    for (const service of liveServices()) service.kill();
    process.exit(130);
  }
  cleanUpAndExit(130, signal);
}
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

class UsageError extends Error {}

function drillNames(): string[] | undefined {
  const i = process.argv.indexOf('--only');
  if (i < 0) return undefined;
  const value = process.argv[i + 1];
  const names = (value === undefined || value.startsWith('--') ? '' : value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const known = drills.map((d) => d.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (names.length === 0 || unknown.length > 0) {
    const what = names.length === 0 ? '--only needs drill names' : `no drill named ${unknown.join(', ')}`;
    throw new UsageError(`chaos: ${what}; drills: ${known.join(', ')}`);
  }
  return names;
}

async function main(): Promise<number> {
  const only = drillNames();
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
  .then((code) => cleanUpAndExit(code, ''))
  .catch((err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    cleanUpAndExit(2, '');
  });
