// The fleet simulator: services of N hosts, each an EC2 instance in the AWS emulator (tags lazarus:service and
// lazarus:health-url) plus a real HTTP health endpoint on loopback that tests can break: unhealthy, unreachable,
// unreachable from some availability zones only (a partition of one host, or of a whole zone: every host of zone A
// unreachable from zone B's checkers), or every host of a service at once (a downstream outage). Instances Lazarus launches for a simulated service come up as healthy hosts after a boot delay.
// Control API: docs/devstack.md.
import {
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  RunInstancesCommand,
  type EC2Client,
  type Instance,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import {
  CreateTargetGroupCommand,
  RegisterTargetsCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { close, listen, outlastClientKeepAlive, readJson, sendJson } from './http-json';

/** Header the health prober sends with its checker's zone; hosts "unreachable from" that zone drop the probe. */
export const zoneHeader = 'x-lazarus-zone';

export type SimulatedHealth = 'healthy' | 'unhealthy' | 'unreachable';

export interface SimulatedHost {
  instanceId: string;
  service: string;
  availabilityZone: string;
  privateIpAddress: string;
  healthUrl: string;
  health: SimulatedHealth;
  /** Zones whose probes get no answer (a partition). */
  unreachableFrom: string[];
  /** Epoch ms before which the host is still booting (unreachable). */
  readyAt: number;
  /** EC2 state as last seen; a host that is not running does not answer. */
  ec2State: string;
  standby: boolean;
  /** Ring state forced through the control API; derived from health and boot when unset. */
  ringState?: 'UN' | 'UJ' | 'DN';
  /** Launched by Lazarus (adopted), not created through the control API. */
  adopted: boolean;
}

export interface SimulatedService {
  name: string;
  /** Cluster health status forced through the control API; derived from the hosts when unset. */
  clusterStatus?: 'green' | 'yellow' | 'red';
  targetGroupArn?: string;
  /** Every host answers 503 (a downstream outage). */
  outage: boolean;
  /** A load metric (for autoscaling rules). */
  load: number;
}

export interface CreateServiceRequest {
  name: string;
  hosts: number;
  /** Create an ELBv2 target group (tagged lazarus:service) with the hosts registered. Default true. */
  targetGroup?: boolean;
  /** Extra hosts tagged lazarus:role=standby, not registered. Default 0. */
  standbys?: number;
  instanceType?: string;
  imageId?: string;
}

export interface FleetSimulatorOptions {
  ec2: EC2Client;
  elb: ElasticLoadBalancingV2Client;
  host?: string;
  port?: number;
  /** How long a host Lazarus launches takes to answer healthy (default 3000). */
  bootDelayMs?: number;
  /**
   * How often the simulator looks at EC2 for launched and stopped instances of the services in use (default 1000).
   * A service is in use while anything asked about it (its creation, a health probe of one of its hosts, a control
   * call) within the last `activeWindowMs`; the others are looked at every `idlePollMs` only. DescribeInstances on
   * the AWS emulator costs time in proportion to every instance it holds, so polling idle services as often would
   * keep the emulator busy with hosts nobody looks at. With the emulator's change log (devstack/moto_server.py) a
   * poll reads only the instances changed since the last poll, and nothing when none did.
   */
  pollMs?: number;
  /** How long a service counts as in use after the last request about it (default 60 s). */
  activeWindowMs?: number;
  /** How often every service is looked at, in use or not (default 20 x pollMs, at least 5 s). */
  idlePollMs?: number;
  /** Availability zones hosts are spread over (default us-east-1a, b, c). */
  zones?: string[];
  imageId?: string;
}

/** A zone partition: no host of `zone` answers a probe sent from any zone of `unreachableFrom`. */
export interface ZonePartition {
  zone: string;
  unreachableFrom: string[];
}

export interface FleetSimulatorState {
  services: SimulatedService[];
  hosts: SimulatedHost[];
  /** Zone partitions in force (zones with an empty list are healed and not listed). */
  zonePartitions: ZonePartition[];
  bootDelayMs: number;
}

export interface RunningFleetSimulator {
  readonly url: string;
  createService(request: CreateServiceRequest): Promise<{ service: SimulatedService; instanceIds: string[] }>;
  setHealth(instanceId: string, health: SimulatedHealth, unreachableFrom?: string[]): void;
  /**
   * Partitions a whole availability zone: every host of `zone` (those there now and those launched later) drops the
   * probes sent from the zones in `unreachableFrom`; an empty list heals it.
   */
  setZonePartition(zone: string, unreachableFrom: string[]): void;
  setOutage(service: string, outage: boolean): void;
  setLoad(service: string, load: number): void;
  /** Looks at EC2 now (launched, stopped, terminated instances) instead of waiting for the next poll. */
  sync(): Promise<void>;
  state(): FleetSimulatorState;
  stop(): Promise<void>;
}

export class FleetSimulatorError extends Error {
  override readonly name = 'FleetSimulatorError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const defaultImage = 'ami-03cf127a';

/** The base URL of the EC2 client's configured endpoint (the emulator), or undefined when it has none. */
async function emulatorBase(ec2: EC2Client): Promise<string | undefined> {
  try {
    const endpoint = await ec2.config.endpoint?.();
    if (!endpoint) return undefined;
    const port = endpoint.port ? `:${endpoint.port}` : '';
    return `${endpoint.protocol}//${endpoint.hostname}${port}`;
  } catch {
    return undefined;
  }
}
let vpcCounter = Math.floor(Math.random() * 200);

export async function startFleetSimulator(options: FleetSimulatorOptions): Promise<RunningFleetSimulator> {
  const { ec2, elb } = options;
  const host = options.host ?? '127.0.0.1';
  let bootDelayMs = options.bootDelayMs ?? 3000;
  const pollMs = options.pollMs ?? 1000;
  const activeWindowMs = options.activeWindowMs ?? 60_000;
  const idlePollMs = options.idlePollMs ?? Math.max(pollMs * 20, 5000);
  /** When each service was last asked about (see pollMs). */
  const lastUsed = new Map<string, number>();
  const use = (service: string | undefined): void => {
    if (service) lastUsed.set(service, Date.now());
  };
  let lastFullSync = 0;
  const zones = options.zones ?? ['us-east-1a', 'us-east-1b', 'us-east-1c'];
  const services = new Map<string, SimulatedService>();
  /** Services being created: their instances are the simulator's own, not launches. */
  const creating = new Set<string>();
  const hosts = new Map<string, SimulatedHost>();
  const zonePartitions = new Map<string, string[]>();
  let network: Promise<{ vpcId: string; subnets: string[] }> | undefined;
  let url = '';

  function getNetwork(): Promise<{ vpcId: string; subnets: string[] }> {
    network ??= (async () => {
      const octet = (vpcCounter++ % 200) + 20;
      const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${octet}.0.0/16` }));
      const vpcId = vpc.Vpc?.VpcId ?? '';
      const subnets: string[] = [];
      for (const [i, zone] of zones.entries()) {
        const subnet = await ec2.send(
          new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.${octet}.${i}.0/24`, AvailabilityZone: zone }),
        );
        subnets.push(subnet.Subnet?.SubnetId ?? '');
      }
      return { vpcId, subnets };
    })();
    return network;
  }

  const healthUrlOf = (instanceId: string): string => `${url}/hosts/${instanceId}/health`;
  const clusterTags = (simulated: SimulatedHost): Array<{ Key: string; Value: string }> => [
    { Key: 'lazarus:health-url', Value: simulated.healthUrl },
    { Key: 'lazarus:cluster-health-url', Value: `${url}/services/${simulated.service}/cluster/health` },
    { Key: 'lazarus:ring-url', Value: `${url}/services/${simulated.service}/ring` },
  ];

  /** Whether a host answers at all right now (running in EC2, booted, not unreachable). */
  const answers = (h: SimulatedHost): boolean =>
    h.ec2State === 'running' && Date.now() >= h.readyAt && h.health !== 'unreachable';

  function clusterHealth(service: SimulatedService): { cluster_name: string; status: string; number_of_nodes: number } {
    const members = [...hosts.values()].filter(
      (h) => h.service === service.name && !h.standby && h.ec2State === 'running',
    );
    const up = members.filter((h) => answers(h) && h.health === 'healthy');
    const derived = service.outage || up.length === 0 ? 'red' : up.length < members.length ? 'yellow' : 'green';
    return { cluster_name: service.name, status: service.clusterStatus ?? derived, number_of_nodes: up.length };
  }

  function ring(service: SimulatedService): { nodes: Array<{ instanceId: string; address: string; state: string }> } {
    const members = [...hosts.values()].filter((h) => h.service === service.name && h.ec2State !== 'terminated');
    return {
      nodes: members.map((h) => ({
        instanceId: h.instanceId,
        address: h.privateIpAddress,
        state:
          h.ringState ??
          (answers(h) && h.health === 'healthy'
            ? 'UN'
            : h.ec2State === 'running' && Date.now() < h.readyAt
              ? 'UJ'
              : 'DN'),
      })),
    };
  }

  function track(instance: Instance, service: string, readyAt: number, adopted: boolean): SimulatedHost {
    const instanceId = instance.InstanceId ?? '';
    const simulated: SimulatedHost = {
      instanceId,
      service,
      availabilityZone: instance.Placement?.AvailabilityZone ?? '',
      privateIpAddress: instance.PrivateIpAddress ?? '',
      healthUrl: healthUrlOf(instanceId),
      health: 'healthy',
      unreachableFrom: [],
      readyAt,
      ec2State: instance.State?.Name ?? 'running',
      standby: (instance.Tags ?? []).some((t) => t.Key === 'lazarus:role' && t.Value === 'standby'),
      adopted,
    };
    hosts.set(instanceId, simulated);
    return simulated;
  }

  async function createService(
    request: CreateServiceRequest,
  ): Promise<{ service: SimulatedService; instanceIds: string[] }> {
    if (!/^[a-zA-Z0-9-]{1,40}$/.test(request.name ?? '')) {
      throw new FleetSimulatorError(400, 'name must be 1-40 letters, digits or hyphens');
    }
    if (services.has(request.name)) throw new FleetSimulatorError(409, `service ${request.name} exists`);
    const count = request.hosts ?? 0;
    const standbys = request.standbys ?? 0;
    if (!Number.isInteger(count) || count < 0 || count > 100 || !Number.isInteger(standbys) || standbys < 0) {
      throw new FleetSimulatorError(400, 'hosts and standbys must be whole numbers, hosts at most 100');
    }
    const service: SimulatedService = { name: request.name, outage: false, load: 0 };
    services.set(request.name, service);
    use(request.name);
    creating.add(request.name);
    try {
      return await launchService(request, service, count, standbys);
    } finally {
      creating.delete(request.name);
    }
  }

  async function launchService(
    request: CreateServiceRequest,
    service: SimulatedService,
    count: number,
    standbys: number,
  ): Promise<{ service: SimulatedService; instanceIds: string[] }> {
    const { vpcId, subnets } = await getNetwork();
    const instances: Instance[] = [];
    for (let i = 0; i < count + standbys; i += 1) {
      const standby = i >= count;
      const out = await ec2.send(
        new RunInstancesCommand({
          ImageId: request.imageId ?? options.imageId ?? defaultImage,
          InstanceType: (request.instanceType ?? 't3.micro') as _InstanceType,
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnets[i % subnets.length],
          TagSpecifications: [
            {
              ResourceType: 'instance',
              Tags: [
                { Key: 'lazarus:service', Value: request.name },
                { Key: 'Name', Value: `${request.name}-${i + 1}` },
                ...(standby ? [{ Key: 'lazarus:role', Value: 'standby' }] : []),
              ],
            },
          ],
        }),
      );
      instances.push(...(out.Instances ?? []));
    }
    for (const instance of instances) {
      const simulated = track(instance, request.name, 0, false);
      await ec2.send(
        new CreateTagsCommand({
          Resources: [simulated.instanceId],
          Tags: clusterTags(simulated),
        }),
      );
    }
    const active = instances.slice(0, count).map((i) => i.InstanceId ?? '');
    if (request.targetGroup ?? true) {
      const tg = await elb.send(
        new CreateTargetGroupCommand({
          Name: `lz-${request.name}`.slice(0, 32),
          Protocol: 'HTTP',
          Port: 80,
          VpcId: vpcId,
          TargetType: 'instance',
          Tags: [{ Key: 'lazarus:service', Value: request.name }],
        }),
      );
      service.targetGroupArn = tg.TargetGroups?.[0]?.TargetGroupArn;
      if (service.targetGroupArn && active.length > 0) {
        await elb.send(
          new RegisterTargetsCommand({ TargetGroupArn: service.targetGroupArn, Targets: active.map((Id) => ({ Id })) }),
        );
      }
    }
    // RunInstances reports `pending`; look again (at these instances only: a whole sync per service makes setting up
    // a large fleet quadratic) so the hosts answer as soon as the call returns.
    await syncInstances(instances.map((i) => i.InstanceId ?? ''));
    return { service: { ...service }, instanceIds: instances.map((i) => i.InstanceId ?? '') };
  }

  /**
   * Adopts instances launched for a simulated service; notices instances that stopped or went away. `inUseOnly`
   * looks only at the services in use (see pollMs), unless every service is due. DescribeInstances answers a page at
   * a time (the emulator at most 100 instances a page), so every page is read, and the service names are asked for at
   * most 100 at a time (one filter's values).
   */
  async function sync(inUseOnly = false): Promise<void> {
    if (services.size === 0) return;
    const now = Date.now();
    let names = [...services.keys()];
    if (inUseOnly && now - lastFullSync < idlePollMs) {
      names = names.filter((name) => now - (lastUsed.get(name) ?? 0) <= activeWindowMs);
      if (names.length === 0) return;
    } else {
      lastFullSync = now;
    }
    const instances: Instance[] = [];
    for (let i = 0; i < names.length; i += 100) {
      let nextToken: string | undefined;
      do {
        const out = await ec2.send(
          new DescribeInstancesCommand({
            Filters: [{ Name: 'tag:lazarus:service', Values: names.slice(i, i + 100) }],
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        );
        instances.push(...(out.Reservations ?? []).flatMap((r) => r.Instances ?? []));
        nextToken = out.NextToken || undefined;
      } while (nextToken);
    }
    await absorb(instances);
  }

  /** Reads these instances (the ones the emulator says changed, or ones just created) and takes in what changed. */
  async function syncInstances(instanceIds: string[]): Promise<void> {
    const instances: Instance[] = [];
    for (let i = 0; i < instanceIds.length; i += 100) {
      // a filter, not InstanceIds: an id the emulator no longer knows is left out instead of failing the call
      const out = await ec2.send(
        new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: instanceIds.slice(i, i + 100) }] }),
      );
      instances.push(...(out.Reservations ?? []).flatMap((r) => r.Instances ?? []));
    }
    await absorb(instances);
  }

  /** Adopts launched instances of simulated services; follows the state and standby tag of the ones it has. */
  async function absorb(instances: Instance[]): Promise<void> {
    for (const instance of instances) {
      const id = instance.InstanceId ?? '';
      const state = instance.State?.Name ?? 'unknown';
      const known = hosts.get(id);
      if (known) {
        known.ec2State = state;
        known.standby = (instance.Tags ?? []).some((t) => t.Key === 'lazarus:role' && t.Value === 'standby');
        continue;
      }
      if (state !== 'pending' && state !== 'running') continue;
      const service = instance.Tags?.find((t) => t.Key === 'lazarus:service')?.Value ?? '';
      // the simulator's own hosts of a service it is creating are not launches to adopt (a poll can see them first)
      if (!services.has(service) || creating.has(service)) continue;
      const simulated = track(instance, service, Date.now() + bootDelayMs, true);
      await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: clusterTags(simulated) }));
    }
  }

  function hostOrThrow(instanceId: string): SimulatedHost {
    const found = hosts.get(instanceId);
    if (!found) throw new FleetSimulatorError(404, `no simulated host ${instanceId}`);
    return found;
  }
  function serviceOrThrow(name: string): SimulatedService {
    const found = services.get(name);
    if (!found) throw new FleetSimulatorError(404, `no simulated service ${name}`);
    return found;
  }

  function setHealth(instanceId: string, health: SimulatedHealth, unreachableFrom: string[] = []): void {
    if (!['healthy', 'unhealthy', 'unreachable'].includes(health)) {
      throw new FleetSimulatorError(400, 'health must be healthy, unhealthy or unreachable');
    }
    const simulated = hostOrThrow(instanceId);
    use(simulated.service);
    simulated.health = health;
    simulated.unreachableFrom = unreachableFrom;
  }

  function setZonePartition(zone: string, unreachableFrom: string[]): void {
    if (!zones.includes(zone)) throw new FleetSimulatorError(404, `no zone ${zone}; zones: ${zones.join(', ')}`);
    if (!Array.isArray(unreachableFrom) || unreachableFrom.some((z) => typeof z !== 'string')) {
      throw new FleetSimulatorError(400, 'unreachableFrom must be a list of zone names');
    }
    const unknown = unreachableFrom.filter((z) => !zones.includes(z));
    if (unknown.length > 0) {
      throw new FleetSimulatorError(400, `unreachableFrom: no zone ${unknown.join(', ')}; zones: ${zones.join(', ')}`);
    }
    if (unreachableFrom.length === 0) zonePartitions.delete(zone);
    else zonePartitions.set(zone, [...new Set(unreachableFrom)]);
  }

  function state(): FleetSimulatorState {
    return {
      services: [...services.values()].map((s) => ({ ...s })),
      hosts: [...hosts.values()].map((h) => ({ ...h, unreachableFrom: [...h.unreachableFrom] })),
      zonePartitions: [...zonePartitions].map(([zone, from]) => ({ zone, unreachableFrom: [...from] })),
      bootDelayMs,
    };
  }

  /** The simulated health endpoint: GET /hosts/<id>/health. "Unreachable" drops the connection. */
  function health(req: IncomingMessage, res: ServerResponse, instanceId: string): void {
    const simulated = hosts.get(instanceId);
    const zone = String(req.headers[zoneHeader] ?? '');
    const service = simulated ? services.get(simulated.service) : undefined;
    use(simulated?.service);
    // A probe of a host the simulator does not know yet is most likely of one just launched: look at every service
    // at the next poll.
    if (!simulated) lastFullSync = 0;
    if (
      !simulated ||
      simulated.ec2State !== 'running' ||
      Date.now() < simulated.readyAt ||
      simulated.health === 'unreachable' ||
      (zone && simulated.unreachableFrom.includes(zone)) ||
      (zone && zonePartitions.get(simulated.availabilityZone)?.includes(zone))
    ) {
      req.socket.destroy();
      return;
    }
    if (service?.outage) return sendJson(res, 503, { status: 'unhealthy', reason: 'downstream dependency down' });
    if (simulated.health === 'unhealthy') return sendJson(res, 500, { status: 'unhealthy', instanceId });
    sendJson(res, 200, { status: 'ok', instanceId, service: simulated.service, zone: simulated.availabilityZone });
  }

  async function control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const parts = url.pathname.split('/').filter(Boolean);
    const method = req.method ?? 'GET';
    if (method === 'GET' && url.pathname === '/state') return sendJson(res, 200, state());
    if (method === 'POST' && url.pathname === '/services') {
      return sendJson(res, 201, await createService((await readJson(req)) as CreateServiceRequest));
    }
    if (parts[0] === 'services' && parts[1]) {
      const service = serviceOrThrow(parts[1]);
      use(service.name);
      if (method === 'GET' && parts.length === 2) {
        return sendJson(res, 200, { service, hosts: state().hosts.filter((h) => h.service === service.name) });
      }
      if (method === 'POST' && parts[2] === 'outage') {
        const body = (await readJson(req)) as { failing?: boolean };
        service.outage = body.failing ?? true;
        return sendJson(res, 200, { service });
      }
      if (method === 'GET' && parts[2] === 'cluster' && parts[3] === 'health') {
        return sendJson(res, 200, clusterHealth(service));
      }
      if (method === 'POST' && parts[2] === 'cluster') {
        const body = (await readJson(req)) as { status?: 'green' | 'yellow' | 'red' | null };
        service.clusterStatus = body.status ?? undefined;
        return sendJson(res, 200, clusterHealth(service));
      }
      if (method === 'GET' && parts[2] === 'ring') return sendJson(res, 200, ring(service));
      if (parts[2] === 'load') {
        if (method === 'POST') {
          const body = (await readJson(req)) as { value?: number };
          if (typeof body.value !== 'number') throw new FleetSimulatorError(400, 'value must be a number');
          service.load = body.value;
        }
        return sendJson(res, 200, { service: service.name, load: service.load });
      }
    }
    if (method === 'POST' && parts[0] === 'hosts' && parts[1] && parts[2] === 'health') {
      const body = (await readJson(req)) as { health?: SimulatedHealth; unreachableFrom?: string[] };
      setHealth(parts[1], body.health ?? 'healthy', body.unreachableFrom ?? []);
      return sendJson(res, 200, { host: hostOrThrow(parts[1]) });
    }
    if (method === 'GET' && url.pathname === '/zones') {
      return sendJson(res, 200, {
        zones: zones.map((zone) => ({ zone, unreachableFrom: zonePartitions.get(zone) ?? [] })),
      });
    }
    if (method === 'POST' && parts[0] === 'zones' && parts[1] && parts[2] === 'partition' && parts.length === 3) {
      const body = (await readJson(req)) as { unreachableFrom?: string[] };
      setZonePartition(parts[1], body.unreachableFrom ?? []);
      return sendJson(res, 200, { zone: parts[1], unreachableFrom: zonePartitions.get(parts[1]) ?? [] });
    }
    if (method === 'DELETE' && url.pathname === '/zones/partitions') {
      zonePartitions.clear();
      return sendJson(res, 200, { zones: zones.map((zone) => ({ zone, unreachableFrom: [] })) });
    }
    if (method === 'POST' && parts[0] === 'hosts' && parts[1] && parts[2] === 'ring') {
      const body = (await readJson(req)) as { state?: 'UN' | 'UJ' | 'DN' | null };
      const simulated = hostOrThrow(parts[1]);
      simulated.ringState = body.state ?? undefined;
      return sendJson(res, 200, { host: simulated });
    }
    if (method === 'POST' && url.pathname === '/config') {
      const body = (await readJson(req)) as { bootDelayMs?: number };
      if (typeof body.bootDelayMs === 'number') bootDelayMs = body.bootDelayMs;
      return sendJson(res, 200, { bootDelayMs });
    }
    if (method === 'POST' && url.pathname === '/sync') {
      await sync();
      return sendJson(res, 200, state());
    }
    throw new FleetSimulatorError(404, `no route ${method} ${url.pathname}`);
  }

  const server = http.createServer((req, res) => {
    const reqUrl = new URL(req.url ?? '/', 'http://simulator');
    const match = /^\/hosts\/([^/]+)\/health$/.exec(reqUrl.pathname);
    if (match && req.method === 'GET') return health(req, res, match[1]);
    control(req, res, reqUrl).catch((err: unknown) => {
      const status = err instanceof FleetSimulatorError ? err.status : err instanceof SyntaxError ? 400 : 500;
      if (!res.headersSent) sendJson(res, status, { error: err instanceof Error ? err.message : String(err) });
    });
  });
  outlastClientKeepAlive(server);
  const port = await listen(server, host, options.port ?? 0);
  url = `http://${host}:${port}`;

  // The emulator's EC2 change log (devstack/moto_server.py): a poll reads only the instances changed since the last
  // poll. Without one (another EC2 endpoint) every poll reads the services in use.
  const changesUrl = emulatorBase(ec2).then((base) => base && `${base}/_lazarus/ec2-changes`);
  let seenGeneration: number | undefined;
  async function ec2Changes(): Promise<{ generation: number; instance_ids: string[] | null } | undefined> {
    const url = await changesUrl;
    if (!url) return undefined;
    try {
      const res = await fetch(`${url}?since=${seenGeneration ?? ''}`, { signal: AbortSignal.timeout(2000) });
      const body = res.ok ? ((await res.json()) as { generation?: unknown; instance_ids?: unknown }) : {};
      if (typeof body.generation !== 'number') return undefined;
      return { generation: body.generation, instance_ids: Array.isArray(body.instance_ids) ? body.instance_ids : null };
    } catch {
      return undefined;
    }
  }
  async function poll(): Promise<void> {
    const changes = await ec2Changes();
    if (!changes) return await sync(true);
    if (changes.instance_ids === null) await sync();
    else if (changes.instance_ids.length > 0) await syncInstances(changes.instance_ids);
    seenGeneration = changes.generation;
  }

  let stopped = false;
  let polling: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    polling = polling.then(() => (stopped ? undefined : poll().catch(() => undefined)));
  }, pollMs);
  timer.unref();

  return {
    url,
    createService,
    setHealth,
    setZonePartition,
    setOutage: (name, outage) => {
      serviceOrThrow(name).outage = outage;
    },
    setLoad: (name, load) => {
      serviceOrThrow(name).load = load;
    },
    sync,
    state,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await polling;
      await close(server);
    },
  };
}
