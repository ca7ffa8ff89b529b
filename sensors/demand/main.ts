// The demand sensor process: every LAZARUS_DEMAND_INTERVAL_MS reads the load of the services in
// LAZARUS_DEMAND_SERVICES ("name:target_per_host[:hysteresis],...") from the fleet simulator's metric endpoint
// (LAZARUS_FLEET_URL) and starts remediations of the ScaleUp/ScaleDown events it emits.
// Usage: node dist/sensors/demand/main.js
import { Client, Connection } from '@temporalio/client';
import { readRuntimeConfig } from '../../core/runtime-config';
import { clientConnectionOptions } from '../../platform/temporal-connection';
import { startRemediation } from '../../ingest/remediation-start';
import { createDemandSensor, type TrackedService } from './sensor';
import { createSnapshotCache } from '../../platform/config-files';
import { temporalDataConverter } from '../../platform/payload-codec';

export function parseTrackedServices(spec: string): TrackedService[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [service, target, hysteresis] = entry.split(':');
      const target_per_host = Number(target);
      if (!service || !(target_per_host > 0)) {
        throw new Error(`LAZARUS_DEMAND_SERVICES: "${entry}" is not name:target_per_host[:hysteresis]`);
      }
      return { service, target_per_host, hysteresis: hysteresis === undefined ? 0.2 : Number(hysteresis) };
    });
}

async function main(): Promise<void> {
  const config = readRuntimeConfig(process.env);
  const fleetUrl = process.env.LAZARUS_FLEET_URL ?? 'http://127.0.0.1:4570';
  const intervalMs = Number(process.env.LAZARUS_DEMAND_INTERVAL_MS ?? 10_000);
  // The pool bounds and cooldown of each service come from its configuration, so the sensor asks only for
  // what the workflow could do (a pool at its minimum gets no ScaleDown to refuse and escalate).
  const snapshot = await createSnapshotCache({ configRoot: process.env.LAZARUS_CONFIG_ROOT ?? process.cwd() })();
  const services = parseTrackedServices(process.env.LAZARUS_DEMAND_SERVICES ?? '').map((tracked) => {
    const scaling = snapshot.services[tracked.service]?.scaling;
    return scaling
      ? { ...tracked, min_hosts: scaling.min_hosts, max_hosts: scaling.max_hosts, cooldown_ms: scaling.cooldown_ms }
      : tracked;
  });
  const connection = await Connection.connect(clientConnectionOptions(config.temporal));
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    ...temporalDataConverter(process.env),
  });
  const getJson = async <T>(url: string): Promise<T> => {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  const sensor = createDemandSensor({
    services,
    region: config.aws.region,
    environment: (process.env.LAZARUS_ENVIRONMENT as 'dev' | 'stage' | 'prod' | undefined) ?? 'prod',
    readLoad: async (svc) => (await getJson<{ load: number }>(`${fleetUrl}/services/${svc}/load`)).load,
    countActive: async (svc) => {
      const state = await getJson<{ hosts: Array<{ ec2State: string; standby: boolean }> }>(
        `${fleetUrl}/services/${svc}`,
      );
      return state.hosts.filter((h) => h.ec2State === 'running' && !h.standby).length;
    },
    submit: async (event) => {
      // The one way a remediation starts (a repeated incident key joins the first run, never a second one).
      const started = await startRemediation(client, config.temporal.taskQueue, event);
      return { done: client.workflow.getHandle(started.workflow_id).result() };
    },
  });
  process.stdout.write(`lazarus demand sensor: tracking ${services.map((s) => s.service).join(', ') || 'nothing'}\n`);
  let stopping = false;
  process.on('SIGTERM', () => (stopping = true));
  process.on('SIGINT', () => (stopping = true));
  const lastError = new Map<string, string | undefined>();
  while (!stopping) {
    for (const reading of await sensor.tick()) {
      const repeated = reading.error !== undefined && lastError.get(reading.service) === reading.error;
      lastError.set(reading.service, reading.error);
      if (reading.submitted || (reading.error && !repeated)) process.stdout.write(`${JSON.stringify(reading)}\n`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  await connection.close();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`lazarus demand sensor: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
