// A fault-injecting HTTP proxy between the AWS SDK and the AWS emulator (moto), on loopback: the fault drills
// (devstack/chaos/, docs/chaos.md) point LAZARUS_AWS_ENDPOINT at it and make AWS answer 5xx, throttle or slow down,
// with the error bodies the real services send for their protocols:
//
// - EC2 (the `ec2` query protocol): `<Response><Errors><Error><Code>...` ; throttling is RequestLimitExceeded, HTTP 503;
// - ELBv2 (awsQuery): `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code>...`; throttling is Throttling, HTTP 400;
// - Kinesis (awsJson1_1): `{"__type": "...", "message": "..."}`; throttling is ProvisionedThroughputExceededException
//   for the data calls (PutRecord(s), GetRecords, GetShardIterator), LimitExceededException for the others, HTTP 400.
//
// The service of a call is read from its SigV4 credential scope (`.../us-east-1/ec2/aws4_request`), its action from
// the form body (`Action=RunInstances`) or the `X-Amz-Target` header (`Kinesis_20131202.PutRecords`).
//
// Control (JSON, on the same port, never forwarded): POST /_proxy/faults `{ rules: [FaultRule] }` adds rules and
// answers their ids; POST /_proxy/heal `{ ids? }` removes them (all by default); GET /_proxy/state the rules and what
// was forwarded and faulted, by service and action.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type AwsService = 'ec2' | 'elasticloadbalancing' | 'kinesis' | 'other';

export interface FaultRule {
  /** Only calls of this service (default: every service). */
  service?: AwsService;
  /** Only these actions (default: every action). */
  actions?: string[];
  /**
   * `5xx`: HTTP 500/503 alternately with the service's server error; `throttle`: the service's throttling error;
   * `outage`: 5xx and throttling alternately; `latency`: the call is answered `latencyMs` late.
   */
  fault: '5xx' | 'throttle' | 'outage' | 'latency';
  /** For `latency` (default 5000). */
  latencyMs?: number;
  /**
   * For `latency`: `before` holds the call before forwarding it, `after` (default) forwards it at once and holds the
   * answer, so the emulator has acted when a client that gave up (or died) never hears of it.
   */
  phase?: 'before' | 'after';
  /** Only this fraction of the matching calls (default 1), decided by a counter, not at random. */
  ratio?: number;
  /** The rule ends by itself this many ms after it was added. */
  durationMs?: number;
}

interface ActiveRule extends FaultRule {
  id: string;
  addedAt: number;
  matched: number;
  applied: number;
}

export interface ProxyCounts {
  forwarded: number;
  faulted: Record<string, number>;
  delayed: number;
  upstreamErrors: number;
  byCall: Record<string, { forwarded: number; faulted: number }>;
}

export interface RunningAwsFaultProxy {
  /** The endpoint to give the SDK (LAZARUS_AWS_ENDPOINT). */
  readonly endpoint: string;
  inject(rules: FaultRule[]): string[];
  heal(ids?: string[]): void;
  state(): { rules: ActiveRule[]; counts: ProxyCounts };
  stop(): Promise<void>;
}

export interface AwsFaultProxyOptions {
  /** The emulator, e.g. http://127.0.0.1:4566 (loopback only). */
  target: string;
  host?: string;
  /** 0 or unset: any free port. */
  port?: number;
}

const DATA_PLANE_KINESIS = new Set(['PutRecord', 'PutRecords', 'GetRecords', 'GetShardIterator']);

function serviceOf(req: IncomingMessage): AwsService {
  const auth = String(req.headers.authorization ?? '');
  const scope = /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\/aws4_request/.exec(auth)?.[1];
  if (scope === 'ec2' || scope === 'elasticloadbalancing' || scope === 'kinesis') return scope;
  if (String(req.headers['x-amz-target'] ?? '').startsWith('Kinesis_')) return 'kinesis';
  return 'other';
}

function actionOf(req: IncomingMessage, body: Buffer): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.includes('.')) return target.slice(target.indexOf('.') + 1);
  const fromQuery = new URL(req.url ?? '/', 'http://proxy').searchParams.get('Action');
  if (fromQuery) return fromQuery;
  if (String(req.headers['content-type'] ?? '').includes('x-www-form-urlencoded')) {
    return new URLSearchParams(body.toString('utf8')).get('Action') ?? 'unknown';
  }
  return 'unknown';
}

const xml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The error a service answers for `kind`, as status, headers and body. */
export function awsErrorResponse(
  service: AwsService,
  action: string,
  kind: 'throttle' | 'server',
  status5xx: 500 | 503 = 503,
): { status: number; headers: Record<string, string>; body: string } {
  const requestId = randomUUID();
  if (service === 'kinesis') {
    const type =
      kind === 'throttle'
        ? DATA_PLANE_KINESIS.has(action)
          ? 'ProvisionedThroughputExceededException'
          : 'LimitExceededException'
        : status5xx === 503
          ? 'ServiceUnavailable'
          : 'InternalFailure';
    const message = kind === 'throttle' ? 'Rate exceeded for stream (injected by the fault proxy)' : 'injected';
    return {
      status: kind === 'throttle' ? 400 : status5xx,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
      body: JSON.stringify({ __type: type, message }),
    };
  }
  if (service === 'elasticloadbalancing') {
    const [type, code, status] =
      kind === 'throttle'
        ? ['Sender', 'Throttling', 400]
        : ['Receiver', status5xx === 503 ? 'ServiceUnavailable' : 'InternalFailure', status5xx];
    const message = kind === 'throttle' ? 'Rate exceeded' : 'injected by the fault proxy';
    return {
      status,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
      body:
        '<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">' +
        `<Error><Type>${type}</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error>` +
        `<RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  // EC2 (and anything else on the query protocol)
  const [code, status] =
    kind === 'throttle'
      ? ['RequestLimitExceeded', 503]
      : [status5xx === 503 ? 'Unavailable' : 'InternalError', status5xx];
  const message = kind === 'throttle' ? 'Request limit exceeded.' : 'An internal error has occurred (injected).';
  return {
    status,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body:
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Response><Errors><Error><Code>${code}</Code><Message>${xml(message)}</Message></Error></Errors>` +
      `<RequestID>${requestId}</RequestID></Response>`,
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';
}

export async function startAwsFaultProxy(options: AwsFaultProxyOptions): Promise<RunningAwsFaultProxy> {
  const target = new URL(options.target);
  if (!isLoopback(target.hostname)) throw new Error(`aws fault proxy: target ${options.target} is not on loopback`);
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new Error(`aws fault proxy: ${host} is not a loopback address`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let rules: ActiveRule[] = [];
  const counts: ProxyCounts = { forwarded: 0, faulted: {}, delayed: 0, upstreamErrors: 0, byCall: {} };
  const sockets = new Set<Socket>();

  const live = (): ActiveRule[] => {
    const now = Date.now();
    rules = rules.filter((r) => r.durationMs === undefined || now - r.addedAt < r.durationMs);
    return rules;
  };

  const inject = (added: FaultRule[]): string[] =>
    added.map((rule) => {
      const active: ActiveRule = { ...rule, id: randomUUID().slice(0, 8), addedAt: Date.now(), matched: 0, applied: 0 };
      rules.push(active);
      return active.id;
    });
  const heal = (ids?: string[]): void => {
    rules = ids ? rules.filter((r) => !ids.includes(r.id)) : [];
  };

  const forward = (
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, 'content-length': String(body.length) },
          agent,
          timeout: 120_000,
        },
        (res) => {
          readBody(res).then(
            (data) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: data }),
            reject,
          );
        },
      );
      upstream.once('timeout', () => upstream.destroy(new Error('upstream timeout')));
      upstream.once('error', reject);
      upstream.end(body);
    });

  const control = async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    const body = req.method === 'POST' ? await readBody(req) : Buffer.alloc(0);
    const json = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    if (req.method === 'POST' && pathname === '/_proxy/faults') {
      const added = Array.isArray(json.rules) ? (json.rules as FaultRule[]) : [];
      return sendJson(res, 200, { ids: inject(added) });
    }
    if (req.method === 'POST' && pathname === '/_proxy/heal') {
      heal(Array.isArray(json.ids) ? (json.ids as string[]) : undefined);
      return sendJson(res, 200, { rules: live() });
    }
    if (req.method === 'GET' && pathname === '/_proxy/state') return sendJson(res, 200, { rules: live(), counts });
    sendJson(res, 404, { error: `no proxy control ${req.method ?? ''} ${pathname}` });
  };

  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://proxy').pathname;
    const work = async (): Promise<void> => {
      if (pathname.startsWith('/_proxy/')) return await control(req, res, pathname);
      const body = await readBody(req);
      const service = serviceOf(req);
      const action = actionOf(req, body);
      const call = `${service}:${action}`;
      const byCall = (counts.byCall[call] ??= { forwarded: 0, faulted: 0 });
      let delayBefore = 0;
      let delayAfter = 0;
      for (const rule of live()) {
        if (rule.service && rule.service !== service) continue;
        if (rule.actions && !rule.actions.includes(action)) continue;
        rule.matched += 1;
        const ratio = rule.ratio ?? 1;
        // Deterministic: the call is faulted when it moves floor(matched * ratio) up by one.
        if (Math.floor(rule.matched * ratio) === Math.floor((rule.matched - 1) * ratio)) continue;
        rule.applied += 1;
        if (rule.fault === 'latency') {
          if (rule.phase === 'before') delayBefore = Math.max(delayBefore, rule.latencyMs ?? 5000);
          else delayAfter = Math.max(delayAfter, rule.latencyMs ?? 5000);
          continue;
        }
        const kind =
          rule.fault === 'throttle' || (rule.fault === 'outage' && rule.applied % 2 === 0) ? 'throttle' : 'server';
        const status5xx = rule.applied % 4 < 2 ? 503 : 500;
        const answer = awsErrorResponse(service, action, kind, status5xx);
        const label = `${kind === 'throttle' ? 'throttle' : String(answer.status)}`;
        counts.faulted[label] = (counts.faulted[label] ?? 0) + 1;
        byCall.faulted += 1;
        res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
        res.end(answer.body);
        return;
      }
      if (delayBefore > 0) {
        counts.delayed += 1;
        await sleep(delayBefore);
      }
      let upstream;
      try {
        upstream = await forward(req, body);
      } catch (err) {
        counts.upstreamErrors += 1;
        return sendJson(res, 502, { error: `aws fault proxy: upstream: ${String(err)}` });
      }
      counts.forwarded += 1;
      byCall.forwarded += 1;
      if (delayAfter > 0) {
        counts.delayed += 1;
        await sleep(delayAfter);
      }
      if (res.destroyed) return; // the client went away meanwhile
      const headers = { ...upstream.headers };
      delete headers['transfer-encoding'];
      headers['content-length'] = String(upstream.body.length);
      res.writeHead(upstream.status, headers);
      res.end(upstream.body);
    };
    work().catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: `aws fault proxy: ${String(err)}` });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0 }, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });

  return {
    endpoint: `http://${host}:${port}`,
    inject,
    heal,
    state: () => ({ rules: live().map((r) => ({ ...r })), counts: JSON.parse(JSON.stringify(counts)) as ProxyCounts }),
    async stop() {
      rules = [];
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
