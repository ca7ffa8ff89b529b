// Runs a set of fault drills on one copy of the stack and reports them: a table per drill and machine-readable JSON.
import os from 'node:os';
import { drills as allDrills, runDrill, serviceNames, type DrillFigures } from './drills';
import { startChaosStack, type ChaosStack, type ChaosStackOptions } from './stack';

export interface ChaosReport {
  startedAt: string;
  machine: string;
  fast: boolean;
  drills: DrillFigures[];
  ok: boolean;
}

export interface ChaosOptions {
  /** Drill names, in order (default: all). */
  only?: string[];
  fast?: boolean;
  stack: Omit<ChaosStackOptions, 'services' | 'runId'> & { runId?: string };
  log?: (line: string) => void;
  /** Bound of the wait for every outcome, per drill. */
  outcomeTimeoutMs?: number;
}

export function machine(): string {
  const cpus = os.cpus();
  return `${os.type()} ${os.release()}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const selected = options.only
    ? options.only.map((name) => {
        const drill = allDrills.find((d) => d.name === name);
        if (!drill) throw new Error(`chaos: no drill ${name} (drills: ${allDrills.map((d) => d.name).join(', ')})`);
        return drill;
      })
    : allDrills;
  const runId = options.stack.runId ?? Math.random().toString(36).slice(2, 8);
  const report: ChaosReport = {
    startedAt: new Date().toISOString(),
    machine: machine(),
    fast: options.fast ?? false,
    drills: [],
    ok: false,
  };
  const services = selected.flatMap((d) => serviceNames(runId, d).map((name) => ({ name, profile: d.profile })));
  const stack: ChaosStack = await startChaosStack({ ...options.stack, runId, services, log });
  try {
    for (const drill of selected) {
      const figures = await runDrill(
        { stack, log, fast: options.fast ?? false, notes: [] },
        drill,
        options.outcomeTimeoutMs,
      );
      report.drills.push(figures);
      log(formatDrill(figures));
    }
  } finally {
    await stack.stop();
  }
  report.ok = report.drills.every((d) => d.violations.length === 0);
  return report;
}

export function formatDrill(f: DrillFigures): string {
  if (!f.ran) return `\n${f.drill}: not run: ${f.notRun ?? 'unknown'}\n`;
  const outcomes = Object.entries(f.outcomes)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const rows: Array<[string, string]> = [
    ['events sent', String(f.eventsSent)],
    ['outcomes', outcomes],
    ['new instances', String(f.newInstances)],
    ['duplicate actions', String(f.duplicateActions)],
    ['pages left acknowledged, nobody told', String(f.pagesLeftAcknowledged)],
    ['events lost', String(f.eventsLost)],
    ['time to recover', f.recoverMs === null ? '-' : `${(f.recoverMs / 1000).toFixed(1)} s after the fault ended`],
    ['drill took', `${(f.durationMs / 1000).toFixed(1)} s`],
    ...f.notes.map((n): [string, string] => ['note', n]),
    ['verdict', f.violations.length === 0 ? 'OK' : `VIOLATED: ${f.violations.join('; ')}`],
  ];
  return `\n${f.drill}: ${f.title}\n${rows.map(([k, v]) => `  ${k.padEnd(38)} ${v}`).join('\n')}\n`;
}
