// Benchmark of the configuration model at fleet scale: 10,000 services across the four shipped profiles, loaded
// into one snapshot, then 100,000 events matched against it. Prints load time and match latency percentiles; with
// --record appends them to bench/RESULTS.md. See bench/README.md for how to run it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readConfigTree } from '../platform/config-files';
import { snapshotVersion } from '../platform/content-hash';
import { defaultConfigRoot } from '../cli/config-root';
import type { LazarusEvent } from '../core';
import { buildSnapshot, matchEvent, type ConfigFileText, type ConfigSnapshot } from '../core/config';

const serviceCount = Number(process.env.BENCH_SERVICES ?? 10_000);
const eventCount = Number(process.env.BENCH_EVENTS ?? 100_000);
const loadRuns = 5;
const profiles = ['stateless', 'stateless_with_standby_pivot', 'elastic_search', 'cassandra'];
const eventTypes = ['NagiosHostAlarm', 'HealthcheckDown', 'AWSScheduledEvent', 'ScaleUp', 'ScaleDown', 'DiskFull'];

/** Deterministic pseudo-random numbers, so every run measures the same work. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function serviceFile(index: number, random: () => number): ConfigFileText {
  const name = `svc-${String(index).padStart(5, '0')}`;
  const profile = profiles[index % profiles.length] ?? 'stateless';
  let text = `# yaml-language-server: $schema=../core/schemas/service.schema.json\nname: ${name}\nteam: team-${index % 250}\nprofile: ${profile}\n`;
  if (random() < 0.3) {
    // A third of the services override something, as real fleets do.
    text +=
      `params:\n  health_port: ${8000 + (index % 100)}\n  rate_limit: { threshold: ${1 + (index % 5)} }\n` +
      `notifications:\n  emails: [${name}-oncall@example.com]\n`;
  }
  return { path: `services/${name}.yaml`, text };
}

function percentile(sorted: Float64Array, fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const sectionHeading = '## Configuration load and matching (bench/config-load.bench.ts)';

/** Add the run at the end of this benchmark's section of RESULTS.md (other benchmarks keep their own sections). */
function recordResults(path: string, run: string): void {
  const entry = run.trimEnd();
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark results\n';
  const start = text.indexOf(sectionHeading);
  if (start < 0) {
    writeFileSync(path, `${text.trimEnd()}\n\n${sectionHeading}\n\n${entry}\n`);
    return;
  }
  const next = text.indexOf('\n## ', start + sectionHeading.length);
  const end = next < 0 ? text.length : next + 1;
  writeFileSync(path, `${text.slice(0, end).trimEnd()}\n\n${entry}\n${next < 0 ? '' : `\n${text.slice(end)}`}`);
}

async function main(): Promise<void> {
  const root = defaultConfigRoot(process.cwd());
  const shipped = (await readConfigTree(root)).filter((file) => !/^services\/(?!deployment\.yaml)/.test(file.path));
  const random = mulberry32(42);
  const services = Array.from({ length: serviceCount }, (_, index) => serviceFile(index, random));
  const files = [...shipped, ...services];

  const loads: number[] = [];
  const cpu: number[] = [];
  let snapshot: ConfigSnapshot | undefined;
  for (let run = 0; run < loadRuns; run++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const result = buildSnapshot(files, { hashContent: snapshotVersion });
    loads.push(performance.now() - start);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
    if (result.errors) {
      throw new Error(`generated configuration is invalid: ${JSON.stringify(result.errors.slice(0, 5))}`);
    }
    snapshot = result.snapshot;
  }
  if (!snapshot) {
    throw new Error('no snapshot');
  }

  const events: LazarusEvent[] = Array.from({ length: eventCount }, (_, index) => {
    const unknown = random() < 0.01;
    const eventType = eventTypes[Math.floor(random() * eventTypes.length)] ?? 'NagiosHostAlarm';
    return {
      incident_key: `bench/${index}`,
      event_type: eventType,
      source: 'api',
      service: unknown ? `unknown-${index}` : `svc-${String(Math.floor(random() * serviceCount)).padStart(5, '0')}`,
      host: 'i-0123456789abcdef0',
      region: 'us-east-1',
      environment: random() < 0.8 ? 'prod' : 'stage',
      occurred_at: '2026-11-22T02:00:00Z',
      host_state_type: random() < 0.8 ? 'HARD' : 'SOFT',
      details: { delta: 1 },
    };
  });
  // Warm up the JIT on a slice, as a long-running worker would be.
  for (const event of events.slice(0, 5_000)) {
    matchEvent(snapshot, event);
  }
  const latencies = new Float64Array(events.length);
  let matched = 0;
  const matchStart = performance.now();
  events.forEach((event, index) => {
    const start = performance.now();
    const result = matchEvent(snapshot, event);
    latencies[index] = performance.now() - start;
    if (result.rule) {
      matched++;
    }
  });
  const matchTotal = performance.now() - matchStart;
  latencies.sort();

  const figures = {
    services: serviceCount,
    files: files.length,
    loadMs: median(loads),
    loadNodeCpuMs: median(cpu),
    loadAverage: loadavg()[0] ?? 0,
    events: eventCount,
    matched,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: latencies[latencies.length - 1] ?? 0,
    throughput: eventCount / (matchTotal / 1000),
  };
  const lines = [
    `### ${new Date().toISOString()} (node ${process.version}, ${process.platform}/${process.arch}, ` +
      `${cpus().length} cores, load average ${figures.loadAverage.toFixed(1)})`,
    '',
    `- configuration: ${figures.services} services across 4 profiles, ${figures.files} files`,
    `- buildSnapshot (median of ${loadRuns}): ${figures.loadMs.toFixed(0)} ms ` +
      `(${figures.loadNodeCpuMs.toFixed(0)} ms CPU; target < 2000 ms)`,
    `- matchEvent over ${figures.events} events (${figures.matched} matched a rule): ` +
      `p50 ${(figures.p50 * 1000).toFixed(1)} µs, p99 ${(figures.p99 * 1000).toFixed(1)} µs, ` +
      `max ${figures.max.toFixed(2)} ms (target p99 < 1 ms); ${Math.round(figures.throughput)} events/s`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (process.argv.includes('--record')) {
    recordResults(join(root, 'bench', 'RESULTS.md'), lines.join('\n'));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exitCode = 1;
});
