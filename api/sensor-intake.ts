// The vendor path of the API (POST /v1/sensors/{nagios,datadog,aws}): the payload goes through ingest/adapters'
// intake with the sensor mapping, EC2 lookups and SNS verification; what maps to events is submitted like
// POST /v1/events; what holds nothing to remediate is answered 202 { ignored } and recorded; what cannot be used is
// kept as a dead letter (the same store and replay as the stream's) and answered 202 { dead_letter, reason }, because
// a vendor drops a 4xx answer and the alert with it. Everything is counted per source, outcome and reason.
import { createHash } from 'node:crypto';
import { checkEvent } from '../core/config/event-validation';
import { defaultSensorMapping, type EventAttributes } from '../core/config/sensor-mapping';
import { environments, type Environment, type LazarusEvent } from '../core/event';
import {
  sensorDeadLetterId,
  type DeadLetterEntry,
  type SensorDeadLetterReason,
  type SensorRoutePosition,
} from '../contracts/dead-letter';
import { recordDeadLetter } from '../ingest/bridge/activities/dead-letters';
import { takeSensorPayload, type IntakeOutcome, type SensorName } from '../ingest/adapters';
import { authorizeEvent, type ApiCaller } from './auth';
import { callTemporal, type ApiDependencies, type SensorIntakeDependencies } from './dependencies';
import { InvalidRequestError } from './errors';
import type { ApiMetrics } from './metrics';
import { submitEvent } from './submission';
import type { SensorSubmission, SubmissionReceipt } from './types';

function sensorIntakeOf(deps: ApiDependencies): SensorIntakeDependencies {
  return deps.sensors ?? { mapping: defaultSensorMapping };
}

/** ?service= &environment= &region= of a vendor route: the documented per-webhook defaults (400 naming a bad one). */
export function queryAttributes(query: URLSearchParams): EventAttributes {
  const attributes: EventAttributes = {};
  const service = query.get('service')?.trim();
  if (service) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(service))
      throw new InvalidRequestError('service', 'not a service name');
    attributes.service = service;
  }
  const environment = query.get('environment')?.trim();
  if (environment) {
    if (!(environments as readonly string[]).includes(environment)) {
      throw new InvalidRequestError('environment', `expected one of ${environments.join(', ')}`);
    }
    attributes.environment = environment as Environment;
  }
  const region = query.get('region')?.trim();
  if (region) {
    if (!/^[a-z0-9-]{1,64}$/.test(region)) throw new InvalidRequestError('region', 'expected a region name');
    attributes.region = region;
  }
  return attributes;
}

export interface SensorRequest {
  sensor: SensorName;
  body: Buffer;
  contentType?: string;
  /** The query string without `?` (kept with a dead letter, so a replay uses the same defaults). */
  query: string;
  /** The calling token's id (its defaults in services/sensors.yaml apply). */
  tokenId?: string;
  receivedAt: string;
}

/** Run a vendor payload through the adapters with the API's mapping, EC2 lookups and SNS verification. */
export async function intakeSensorPayload(deps: ApiDependencies, request: SensorRequest): Promise<IntakeOutcome> {
  const intake = sensorIntakeOf(deps);
  const sensor = intake.mapping.sensors.find((entry) => entry.token_id === request.tokenId);
  return await takeSensorPayload(
    {
      sensor: request.sensor,
      body: request.body,
      receivedAt: request.receivedAt,
      ...(request.contentType ? { contentType: request.contentType } : {}),
    },
    {
      mapping: intake.mapping,
      query: queryAttributes(new URLSearchParams(request.query)),
      ...(sensor ? { sensor } : {}),
      fallbackRegion: deps.region,
      ...(intake.directory ? { directory: intake.directory } : {}),
      ...(intake.snsVerifier ? { snsVerifier: intake.snsVerifier } : {}),
      ...(intake.confirmSubscription ? { confirmSubscription: intake.confirmSubscription } : {}),
    },
  );
}

/** The first event that fails the edge checks of POST /v1/events (schema, skew, declared region), as a reason. */
export function edgeProblem(
  events: readonly LazarusEvent[],
  deps: ApiDependencies,
  now: number,
): { reason: SensorDeadLetterReason; field: string; problem: string } | undefined {
  for (const event of events) {
    const checked = checkEvent(event, {
      now,
      // LAZARUS_EVENT_MAX_FUTURE_SKEW_MS as the API read it at start (api/config.ts)
      ...(deps.maxFutureSkewMs === undefined ? {} : { maxFutureSkewMs: deps.maxFutureSkewMs }),
      ...(deps.declaredRegions ? { declaredRegions: deps.declaredRegions } : {}),
    });
    if (!checked.ok) {
      return {
        reason: checked.field === 'region' ? 'unknown_region' : 'schema',
        field: checked.field,
        problem: checked.problem,
      };
    }
  }
  return undefined;
}

async function deadLetter(
  deps: ApiDependencies,
  metrics: ApiMetrics,
  request: SensorRequest,
  failure: { reason: SensorDeadLetterReason; field: string; problem: string },
): Promise<SensorSubmission> {
  const route = `POST /v1/sensors/${request.sensor}`;
  const hash = createHash('sha256')
    .update(`${route}\n${request.query}\n${request.tokenId ?? ''}\n${request.contentType ?? ''}\n`)
    .update(request.body)
    .digest('hex');
  const source: SensorRoutePosition = {
    route,
    sensor: request.sensor,
    ...(request.contentType ? { content_type: request.contentType } : {}),
    ...(request.query ? { query: request.query } : {}),
    ...(request.tokenId ? { token_id: request.tokenId } : {}),
    field: failure.field,
    received_at: request.receivedAt,
  };
  const entry: DeadLetterEntry = {
    id: sensorDeadLetterId(request.sensor, hash),
    reason: failure.reason,
    detail: `${failure.field}: ${failure.problem}`,
    source,
    payload_base64: request.body.toString('base64'),
    size_bytes: request.body.byteLength,
    dead_lettered_at: new Date().toISOString(),
  };
  const retentionMs = sensorIntakeOf(deps).deadLetterRetentionMs;
  const recorded = await callTemporal(
    `dead letter ${entry.id}`,
    () =>
      recordDeadLetter(
        { client: deps.temporal, taskQueue: deps.taskQueue, ...(retentionMs !== undefined ? { retentionMs } : {}) },
        entry,
      ),
    deps.temporal,
  );
  metrics.sensorPayloads.inc({ source: request.sensor, outcome: 'dead_lettered', reason: failure.reason });
  return {
    dead_letter: entry.id,
    reason: failure.reason,
    field: failure.field,
    detail: entry.detail,
    ...(recorded ? {} : { duplicate: true }),
  };
}

/**
 * Answer a vendor payload: 202 { events } (submitted), 202 { ignored } (recorded), 200 { subscription } (an SNS
 * subscription confirmation), 202 { dead_letter, reason } (kept for an operator). A bad query parameter (ours) is a
 * 400; a token not allowed the event's source or type a 403; Temporal or Kinesis down a 503 (the vendor retries).
 */
export async function submitSensorPayload(
  deps: ApiDependencies,
  metrics: ApiMetrics,
  caller: ApiCaller | undefined,
  request: SensorRequest,
  log?: (entry: Record<string, unknown>) => void,
): Promise<{ status: number; body: SensorSubmission }> {
  const outcome = await intakeSensorPayload(deps, request);
  switch (outcome.kind) {
    case 'ignored':
      metrics.sensorPayloads.inc({ source: request.sensor, outcome: 'ignored', reason: outcome.label });
      log?.({
        level: 'info',
        msg: 'sensor payload ignored',
        sensor: request.sensor,
        reason: outcome.reason,
        format: outcome.format,
      });
      return { status: 202, body: { ignored: outcome.reason } };
    case 'subscription':
      metrics.sensorPayloads.inc({
        source: request.sensor,
        outcome: 'ignored',
        reason: outcome.confirmed ? 'subscription_confirmed' : 'subscription_not_confirmed',
      });
      log?.({
        level: outcome.confirmed ? 'info' : 'warn',
        msg: 'sns subscription',
        topic_arn: outcome.topic_arn,
        reason: outcome.reason,
      });
      return {
        status: 200,
        body: { subscription: { confirmed: outcome.confirmed, topic_arn: outcome.topic_arn, reason: outcome.reason } },
      };
    case 'unusable':
      return { status: 202, body: await deadLetter(deps, metrics, request, outcome) };
    case 'events': {
      const problem = edgeProblem(outcome.events, deps, Date.now());
      if (problem) return { status: 202, body: await deadLetter(deps, metrics, request, problem) };
      for (const event of outcome.events) authorizeEvent(caller, event);
      const receipts: SubmissionReceipt[] = [];
      for (const event of outcome.events) receipts.push(await submitEvent(event, deps, metrics));
      metrics.sensorPayloads.inc({ source: request.sensor, outcome: 'accepted', reason: outcome.format });
      return { status: 202, body: { events: receipts } };
    }
  }
}
