// The route table: every route of the API with its method, path, required role and handler, plus what the OpenAPI
// document says about it (openapi.ts builds the document from this table, so the two cannot drift apart).
import { deadLetterReasons } from '../contracts/dead-letter';
import { authorizeEvent, type ApiCaller, type RequiredRole } from './auth';
import {
  killSwitchScopes,
  parseHistoryLimit,
  parseSwitchChange,
  readControl,
  readControlHistory,
  readGovernor,
  setKillSwitch,
  setShadow,
} from './controls';
import {
  deadLetterStatusFilters,
  listDeadLetters,
  maxDeadLetterListLimit,
  parseDeadLetterFilter,
  parseReplayRequest,
  replayDeadLetter,
  showDeadLetter,
} from './dead-letters';
import type { ApiDependencies } from './dependencies';
import { InvalidRequestError } from './errors';
import type { ApiMetrics } from './metrics';
import { listRemediations, maxListLimit, showRemediation, signalRemediation } from './remediations';
import { submitSensorPayload } from './sensor-intake';
import { requireValidEvent, submitEvent } from './submission';
import { showDrill, startDrill } from './drills';
import { explainEventLive } from './explain';
import { parseRelease, readQuarantine, releaseQuarantine } from './quarantine';
import type {
  ControlHistory,
  ControlState,
  DeadLetterDetail,
  DeadLetterList,
  DeadLetterReplayReceipt,
  GovernorView,
  Health,
  RemediationAction,
  RemediationDetail,
  RemediationList,
  SensorSubmission,
  SignalReceipt,
  SubmissionReceipt,
} from './types';

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  caller: ApiCaller | undefined;
  /** Routes with `rawBody`: the bytes as received and their content type (the body is not parsed for them). */
  raw?: { body: Buffer; contentType?: string };
}

/** What a handler answers; `Body` is the route's type of api/types.ts. */
export interface RouteResponse<Body = unknown> {
  status: number;
  body: Body;
  /** Plain text instead of JSON (GET /metrics). */
  text?: { contentType: string };
}

export interface RouteContext {
  deps: ApiDependencies;
  metrics: ApiMetrics;
  /** The OpenAPI document (built once by the server from this table). */
  openapi: () => unknown;
  /** The largest request body the server reads: also the largest event a dead-letter replay submits. */
  bodyLimitBytes: number;
  /** The server's log (one JSON entry per call). */
  log?: (entry: Record<string, unknown>) => void;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT';
  /** OpenAPI-style path: `/v1/events/{incident_key}`. */
  path: string;
  role: RequiredRole;
  summary: string;
  /** Query parameters (documented; handlers read them from `query`). */
  queryParams?: Array<{ name: string; description: string }>;
  /** Name of the request body schema in openapi.ts, if the route takes a body. */
  requestSchema?: 'Event' | 'SensorPayload' | 'SwitchChange' | 'SignalInput' | 'DeadLetterReplay';
  /** Take the body as bytes of any content type (vendor payloads: SNS posts text/plain, pagerduty_nagios.pl forms). */
  rawBody?: true;
  /** Status codes the route answers with on success, documented with their meaning. */
  responses: Record<number, string>;
  handle(request: RouteRequest, context: RouteContext): Promise<RouteResponse>;
}

function actorOf(caller: ApiCaller | undefined): string {
  return caller ? `${caller.role}:${caller.id}` : 'anonymous';
}

function regionOf(request: RouteRequest, deps: ApiDependencies): string {
  const region = request.query.get('region')?.trim();
  if (region && !/^[\w-]{1,64}$/.test(region)) throw new InvalidRequestError('region', 'expected a region name');
  return region || deps.region;
}

function subscriptionResponse(sensor: string): Record<number, string> {
  return sensor === 'aws'
    ? { 200: 'an SNS SubscriptionConfirmation: { subscription: { confirmed, topic_arn, reason } }' }
    : {};
}

function sensorRoute(sensor: 'nagios' | 'datadog' | 'aws', formats: string): Route {
  return {
    method: 'POST',
    path: `/v1/sensors/${sensor}`,
    role: 'sensor',
    summary:
      `Submit a ${sensor} payload as the vendor sends it (${formats}); it is mapped to events by ingest/adapters ` +
      'with services/sensors.yaml and submitted like POST /v1/events. A payload that cannot be used is kept as a ' +
      'dead letter, never refused: vendors drop 4xx answers (docs/sensors.md)',
    requestSchema: 'SensorPayload',
    rawBody: true,
    queryParams: [
      { name: 'service', description: 'default service of this webhook (docs/sensors.md, resolution order)' },
      { name: 'environment', description: 'default environment (dev, stage, prod)' },
      { name: 'region', description: 'default region' },
    ],
    responses: {
      ...subscriptionResponse(sensor),
      202:
        'accepted: { events: [{ incident_key, sequence_number, workflow_id }] }; { ignored: reason } (recorded) for ' +
        'a payload with nothing to remediate; { dead_letter: <id>, reason, field, detail } for one that cannot be used',
      400: 'a query parameter (ours) is invalid, naming it',
      403: 'the token may not submit the event this payload maps to',
      503: 'Temporal or Kinesis unreachable (the vendor retries)',
    },
    async handle(
      request: RouteRequest,
      { deps, metrics, log }: RouteContext,
    ): Promise<RouteResponse<SensorSubmission>> {
      return await submitSensorPayload(
        deps,
        metrics,
        request.caller,
        {
          sensor,
          body: request.raw?.body ?? Buffer.alloc(0),
          ...(request.raw?.contentType ? { contentType: request.raw.contentType } : {}),
          query: request.query.toString(),
          ...(request.caller ? { tokenId: request.caller.id } : {}),
          receivedAt: new Date().toISOString(),
        },
        log,
      );
    },
  };
}

function signalRoute(action: RemediationAction): Route {
  return {
    method: 'POST',
    path: `/v1/events/{incident_key}/${action}`,
    role: 'operator',
    summary: `Send ${action} to a running remediation (the actor recorded is the caller's role and token id)`,
    requestSchema: 'SignalInput',
    responses: {
      202: 'signal delivered: { incident_key, workflow_id, action, actor }',
      404: 'no such running remediation',
    },
    async handle(request: RouteRequest, { deps }: RouteContext): Promise<RouteResponse<SignalReceipt>> {
      const body = (request.body ?? {}) as { reason?: unknown };
      if (body.reason !== undefined && typeof body.reason !== 'string') {
        throw new InvalidRequestError('reason', 'expected a string');
      }
      const result = await signalRemediation(deps, request.params.incident_key, action, {
        ...(typeof body.reason === 'string' ? { reason: body.reason } : {}),
        actor: actorOf(request.caller),
      });
      return { status: 202, body: result };
    },
  };
}

export const routes: readonly Route[] = [
  {
    method: 'POST',
    path: '/v1/events',
    role: 'sensor',
    summary:
      'Submit an event: validated, then put on the Kinesis stream (partition key: service). Without a configured stream ' +
      'the API starts the remediation itself and sequence_number is null.',
    requestSchema: 'Event',
    responses: {
      202: 'accepted: { incident_key, sequence_number, workflow_id, duplicate? }',
      400: 'schema error naming the field',
      403: 'the token may not submit this source or event type (the message names the field)',
      503: 'Kinesis or Temporal unreachable',
    },
    async handle(request: RouteRequest, { deps, metrics }: RouteContext): Promise<RouteResponse<SubmissionReceipt>> {
      const event = requireValidEvent(request.body, metrics, Date.now(), deps.declaredRegions, deps.maxFutureSkewMs);
      authorizeEvent(request.caller, event);
      return { status: 202, body: await submitEvent(event, deps, metrics) };
    },
  },
  sensorRoute('nagios', "the project's JSON, pagerduty_nagios.pl form fields, PagerDuty agent events, Opsgenie JSON"),
  sensorRoute('datadog', 'the Webhooks integration default payload or a template of its variables'),
  sensorRoute('aws', 'an AWS Health event from EventBridge, or in an SNS message (text/plain)'),
  {
    method: 'GET',
    path: '/v1/events',
    role: 'viewer',
    summary: 'Remediations from Temporal visibility, newest first',
    queryParams: [
      { name: 'service', description: 'LazarusService' },
      { name: 'host', description: 'LazarusHost (instance id)' },
      { name: 'outcome', description: 'LazarusOutcome, e.g. REMEDIATED' },
      { name: 'rule', description: 'LazarusRule' },
      { name: 'region', description: 'LazarusRegion' },
      { name: 'since', description: 'ISO 8601: started at or after' },
      { name: 'limit', description: `at most this many (default 50, max ${maxListLimit})` },
    ],
    responses: {
      200: '{ events: [{ incident_key, workflow_id, status, outcome?, service, host, rule, started_at, closed_at? }] }',
    },
    async handle(request: RouteRequest, { deps }: RouteContext): Promise<RouteResponse<RemediationList>> {
      const q = request.query;
      const limitText = q.get('limit') ?? '50';
      const limit = Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > maxListLimit) {
        throw new InvalidRequestError('limit', `expected an integer from 1 to ${maxListLimit}`);
      }
      const pick = (name: string): Record<string, string> => {
        const value = q.get(name)?.trim();
        return value ? { [name]: value } : {};
      };
      const events = await listRemediations(deps, {
        ...pick('service'),
        ...pick('host'),
        ...pick('outcome'),
        ...pick('rule'),
        ...pick('region'),
        ...pick('since'),
        limit,
      });
      return { status: 200, body: { events } };
    },
  },
  {
    method: 'GET',
    path: '/v1/events/{incident_key}',
    role: 'viewer',
    summary:
      'One remediation: outcome (absent while running), Temporal status, and the decision trace with the live steps of its runbook',
    responses: {
      200: '{ incident_key, workflow_id, status, outcome?, phase?, reason?, steps_source, runbook_unavailable?, trace }',
      404: 'unknown incident key',
    },
    async handle(request: RouteRequest, { deps }: RouteContext): Promise<RouteResponse<RemediationDetail>> {
      return { status: 200, body: await showRemediation(deps, request.params.incident_key) };
    },
  },
  signalRoute('pause'),
  signalRoute('resume'),
  signalRoute('cancel'),
  {
    method: 'GET',
    path: '/v1/killswitch',
    role: 'viewer',
    summary:
      "The region's kill switch and shadow settings with their history (who, when, why), and the control realm's " +
      'all-regions kill switch (all_regions); region=all-regions: that switch alone',
    queryParams: [{ name: 'region', description: 'a declared region or all-regions; default: the API process region' }],
    responses: {
      200: '{ region, kill_switch: { <scope>: { enabled, reason, actor, at } }, shadow, history, all_regions: { kill_switch } }',
    },
    async handle(request: RouteRequest, { deps }: RouteContext): Promise<RouteResponse<ControlState>> {
      return { status: 200, body: await readControl(deps, regionOf(request, deps)) };
    },
  },
  {
    method: 'GET',
    path: '/v1/killswitch/history',
    role: 'viewer',
    summary:
      'The audited changes of the kill switch and shadow settings of a region (or all-regions), newest first: who, ' +
      'when, why',
    queryParams: [
      { name: 'region', description: 'a declared region or all-regions; default: the API process region' },
      { name: 'limit', description: 'at most this many (1-200, default all kept: the last 200)' },
    ],
    responses: { 200: '{ region, history: [{ kind, scope, enabled, actor, at, reason }], total, kept_at_most }' },
    async handle(request: RouteRequest, { deps }: RouteContext): Promise<RouteResponse<ControlHistory>> {
      const limit = parseHistoryLimit(request.query.get('limit'));
      return { status: 200, body: await readControlHistory(deps, regionOf(request, deps), limit) };
    },
  },
  {
    method: 'PUT',
    path: '/v1/killswitch',
    role: 'operator',
    summary:
      `Turn the kill switch on or off for a scope (${killSwitchScopes.join(', ')}) of a region, or of every region ` +
      '(region=all-regions, held in the control realm); the caller and reason (at most 500 characters) are recorded',
    queryParams: [{ name: 'region', description: 'a declared region or all-regions; default: the API process region' }],
    requestSchema: 'SwitchChange',
    responses: { 200: 'the control state after the change' },
    async handle(request: RouteRequest, { deps, metrics }: RouteContext): Promise<RouteResponse<ControlState>> {
      const change = parseSwitchChange(request.body, killSwitchScopes);
      const state = await setKillSwitch(deps, regionOf(request, deps), change, actorOf(request.caller));
      metrics.invalidateStateGauges?.();
      return { status: 200, body: state };
    },
  },
  {
    method: 'PUT',
    path: '/v1/shadow',
    role: 'operator',
    summary: 'Turn shadow (notification-only) mode on or off: scope global, profile:<name> or service:<name>',
    queryParams: [{ name: 'region', description: 'default: the API process region' }],
    requestSchema: 'SwitchChange',
    responses: { 200: 'the control state after the change' },
    async handle(request: RouteRequest, { deps, metrics }: RouteContext): Promise<RouteResponse<ControlState>> {
      const change = parseSwitchChange(request.body);
      const state = await setShadow(deps, regionOf(request, deps), change, actorOf(request.caller));
      metrics.invalidateStateGauges?.();
      return { status: 200, body: state };
    },
  },
  {
    method: 'GET',
    path: '/v1/governor',
    role: 'viewer',
    summary: 'The regional breaker with its transitions and the rate-limit windows of services',
    queryParams: [
      { name: 'region', description: 'default: the API process region' },
      { name: 'service', description: 'comma-separated services; default: every service with a running governor' },
    ],
    responses: { 200: '{ region, breaker, services: [{ service, events, failing, ... }] }' },
    async handle(request: RouteRequest, { deps }: RouteContext): Promise<RouteResponse<GovernorView>> {
      const services = (request.query.get('service') ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean);
      const region = regionOf(request, deps);
      const view = await readGovernor(deps, region, services);
      return { status: 200, body: { ...view, quarantine: await readQuarantine(deps, region) } };
    },
  },
  {
    method: 'GET',
    path: '/v1/quarantine',
    role: 'viewer',
    summary: "The region's rules with their recent runbook outcomes, quarantines (rules in shadow) and the audit",
    queryParams: [{ name: 'region', description: 'default: the API process region' }],
    responses: { 200: '{ region, rules: { <rule>: { runs, quarantine? } }, history }' },
    async handle(request: RouteRequest, { deps }: RouteContext): Promise<RouteResponse> {
      return { status: 200, body: await readQuarantine(deps, regionOf(request, deps)) };
    },
  },
  {
    method: 'POST',
    path: '/v1/quarantine/{rule}/release',
    role: 'operator',
    summary: 'Release a quarantined rule in a region (body { reason }); the caller is recorded as actor',
    queryParams: [{ name: 'region', description: 'default: the API process region' }],
    responses: {
      200: '{ rule, region, actor, reason, at, released }',
      404: 'no quarantine record in the region',
      409: 'the rule is not quarantined',
    },
    async handle(request: RouteRequest, { deps, metrics }: RouteContext): Promise<RouteResponse> {
      const { reason } = parseRelease(request.body);
      const region = regionOf(request, deps);
      const released = await releaseQuarantine(deps, region, request.params.rule, reason, actorOf(request.caller));
      metrics.invalidateStateGauges?.();
      return { status: 200, body: released };
    },
  },
  {
    method: 'POST',
    path: '/v1/explain',
    role: 'viewer',
    summary:
      'Evaluate every gate for an event against the live system without acting or recording a decision: rule, ' +
      'staleness, governor as it would answer now, shadow and quarantine, checker-node preconditions (read-only ' +
      'probes), lock holder, kill switch; answers the first gate that would stop it and what would run otherwise',
    requestSchema: 'Event',
    responses: {
      200: '{ event, rule?, gates: [{ gate, verdict, outcome?, reason?, detail }], first_stop?, would_run? }',
    },
    async handle(request: RouteRequest, { deps }: RouteContext): Promise<RouteResponse> {
      return { status: 200, body: await explainEventLive(deps, request.body) };
    },
  },
  {
    method: 'POST',
    path: '/v1/drills',
    role: 'operator',
    summary:
      'Start a replay drill: events (or { event, received_at }), the remediations of since..until, or dead letters, ' +
      'through the live or a candidate configuration and the real remediate workflow in a dry run',
    responses: {
      202: '{ drill_id, workflow_id, events, rejected: [{ source, field, problem }] }',
      400: 'bad request naming the field (source, speed, preconditions, an invalid candidate configuration)',
    },
    async handle(request: RouteRequest, { deps, bodyLimitBytes }: RouteContext): Promise<RouteResponse> {
      return { status: 202, body: await startDrill(deps, request.body, actorOf(request.caller), bodyLimitBytes) };
    },
  },
  {
    method: 'GET',
    path: '/v1/drills/{drill_id}',
    role: 'viewer',
    summary: 'A replay drill: its progress while it runs, its report once done',
    responses: { 200: '{ drill_id, status, progress?, report? }', 404: 'unknown drill' },
    async handle(request: RouteRequest, { deps }: RouteContext): Promise<RouteResponse> {
      return { status: 200, body: await showDrill(deps, request.params.drill_id) };
    },
  },
  {
    method: 'GET',
    path: '/v1/deadletters',
    role: 'operator',
    summary:
      'Stream records the bridge and vendor payloads the sensor routes could not use (dead letters), from Temporal ' +
      'visibility, newest first',
    queryParams: [
      { name: 'reason', description: deadLetterReasons.join(' | ') },
      { name: 'status', description: `${deadLetterStatusFilters.join(' | ')} (default pending)` },
      { name: 'limit', description: `at most this many (default 50, max ${maxDeadLetterListLimit})` },
    ],
    responses: {
      200:
        '{ dead_letters: [{ id, status, reason, detail, stream, shard_id, sequence_number, size_bytes, ' +
        'dead_lettered_at, replay? }] }',
    },
    async handle(request: RouteRequest, { deps }: RouteContext): Promise<RouteResponse<DeadLetterList>> {
      const filter = parseDeadLetterFilter(request.query);
      return { status: 200, body: { dead_letters: await listDeadLetters(deps, filter) } };
    },
  },
  {
    method: 'GET',
    path: '/v1/deadletters/{id}',
    role: 'operator',
    summary:
      'One dead letter: the entry with its payload (base64, and as payload_text when it is UTF-8 text), status, replay',
    responses: {
      200: '{ id, status, reason, detail, source, size_bytes, dead_lettered_at, payload_base64, payload_text?, replay? }',
      404: 'unknown dead letter',
    },
    async handle(request: RouteRequest, { deps }: RouteContext): Promise<RouteResponse<DeadLetterDetail>> {
      return { status: 200, body: await showDeadLetter(deps, request.params.id) };
    },
  },
  {
    method: 'POST',
    path: '/v1/deadletters/{id}/replay',
    role: 'operator',
    summary:
      'Replay a pending dead letter: its stored payload, or { payload: <corrected event> }, is validated and submitted ' +
      'as POST /v1/events does, then the entry is marked replayed (the caller is recorded as actor)',
    requestSchema: 'DeadLetterReplay',
    responses: {
      200: 'submitted: { incident_key, sequence_number, workflow_id, duplicate?, dead_letter: { id, status, replay } }',
      404: 'unknown dead letter',
      409: 'the dead letter is already replayed or expired',
      422: 'still_invalid: the payload is still not a valid event (the message starts with the field); it stays pending',
    },
    async handle(
      request: RouteRequest,
      { deps, metrics, bodyLimitBytes }: RouteContext,
    ): Promise<RouteResponse<DeadLetterReplayReceipt>> {
      const { corrected } = parseReplayRequest(request.body);
      const receipt = await replayDeadLetter(deps, metrics, {
        id: request.params.id,
        ...(corrected !== undefined ? { corrected } : {}),
        actor: actorOf(request.caller),
        maxPayloadBytes: bodyLimitBytes,
      });
      return { status: 200, body: receipt };
    },
  },
  {
    method: 'GET',
    path: '/healthz',
    role: 'public',
    summary: 'Liveness of the API process (does not call dependencies)',
    responses: { 200: '{ ok: true }' },
    async handle(): Promise<RouteResponse<Health>> {
      return Promise.resolve({ status: 200, body: { ok: true } });
    },
  },
  {
    method: 'GET',
    path: '/metrics',
    role: 'public',
    summary: 'Prometheus metrics (the breaker and kill switch gauges from a read of Temporal cached for a few seconds)',
    responses: { 200: 'Prometheus text format' },
    async handle(_request: RouteRequest, { metrics }: RouteContext): Promise<RouteResponse> {
      return {
        status: 200,
        body: await metrics.registry.metrics(),
        text: { contentType: metrics.registry.contentType },
      };
    },
  },
  {
    method: 'GET',
    path: '/openapi.json',
    role: 'public',
    summary: 'This API as an OpenAPI 3 document',
    responses: { 200: 'OpenAPI 3.0 document' },
    async handle(_request: RouteRequest, { openapi }: RouteContext): Promise<RouteResponse> {
      return Promise.resolve({ status: 200, body: openapi() });
    },
  },
];

/**
 * Find the route for a method and path; `allowed` lists the methods the path has when none matches. Parameters are
 * returned as they appear in the path (percent-encoded): the server decodes them with decodePathParams only after
 * the caller is authenticated, so a malformed path never reaches an unauthenticated caller as anything but 401.
 */
export function matchRoute(
  table: readonly Route[],
  method: string,
  pathname: string,
): { route: Route; params: Record<string, string> } | { route: undefined; allowed: string[] } {
  const allowed: string[] = [];
  for (const route of table) {
    const names: string[] = [];
    const pattern = new RegExp(
      `^${route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      })}$`,
    );
    const match = pattern.exec(pathname);
    if (!match) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      params[name] = match[i + 1];
    });
    return { route, params };
  }
  return { route: undefined, allowed };
}

/** Decode the percent-encoded parameters of matchRoute; malformed encoding is a 400 naming the parameter. */
export function decodePathParams(params: Record<string, string>): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    try {
      decoded[name] = decodeURIComponent(value);
    } catch {
      throw new InvalidRequestError(name, 'malformed percent-encoding in the path');
    }
  }
  return decoded;
}
