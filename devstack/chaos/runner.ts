// Runs a set of fault drills on one copy of the stack and reports them: a table per drill and machine-readable JSON.
import os from 'node:os';
import { drills as allDrills, runDrill, serviceNames, type Drill, type DrillFigures } from './drills';
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
  /** Bound of a whole drill (its steps are bounded one by one; this is the last resort). Default: 6 min + outcomes. */
  drillTimeoutMs?: number;
}

function notRun(drill: Drill, why: string, violation?: string): DrillFigures {
  return {
    drill: drill.name,
    title: drill.title,
    ran: false,
    notRun: why,
    eventsSent: 0,
    outcomes: {},
    newInstances: 0,
    duplicateActions: 0,
    pagesLeftAcknowledged: 0,
    eventsLost: 0,
    recoverMs: null,
    durationMs: 0,
    notes: [],
    violations: violation ? [violation] : [],
  };
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
  const outcomeTimeoutMs = options.outcomeTimeoutMs ?? 240_000;
  const drillTimeoutMs = options.drillTimeoutMs ?? outcomeTimeoutMs + 6 * 60_000;
  try {
    for (const [i, drill] of selected.entries()) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>(
        (resolve) => (timer = setTimeout(() => resolve('timeout'), drillTimeoutMs)),
      );
      const figures = await Promise.race([
        runDrill({ stack, log, fast: options.fast ?? false, notes: [] }, drill, outcomeTimeoutMs).catch(
          (err: unknown) => {
            const why = `setting up failed: ${err instanceof Error ? err.message : String(err)}`;
            return notRun(drill, why, why);
          },
        ),
        timedOut,
      ]).finally(() => clearTimeout(timer));
      if (figures === 'timeout') {
        // The stack is in an unknown state: this drill and the next ones are reported as not run.
        const why = `did not finish within ${Math.round(drillTimeoutMs / 1000)} s`;
        report.drills.push(notRun(drill, why, why));
        log(formatDrill(report.drills[report.drills.length - 1]));
        for (const rest of selected.slice(i + 1)) {
          report.drills.push(notRun(rest, `the run stopped after ${drill.name} ${why}`));
        }
        break;
      }
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
