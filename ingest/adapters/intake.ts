// One vendor payload as it arrived (route, content type, bytes) → the events it maps to, the reason it holds nothing
// to remediate, a confirmed SNS subscription, or the reason it cannot be used (kept as a dead letter by the API). The
// API's vendor routes, a dead letter's replay and `lazarus explain --from` all run it.
import type { LazarusEvent } from '../../core/event';
import type { SensorMapping } from '../../core/config/sensor-mapping';
import { awsHealthReports } from './aws';
import { datadogReport } from './datadog';
import { IgnoredSensorPayloadError, MalformedSensorPayloadError, type SensorName, type UnusableReason } from './errors';
import { nagiosReport } from './nagios';
import { resolveReport, type ResolutionContext } from './resolve-report';
import type { SensorReport } from './sensor-report';
import { isSnsMessage, parseSnsMessage, type SnsVerifier } from './sns';

export interface SensorPayload {
  sensor: SensorName;
  contentType?: string;
  body: Buffer;
  /** ISO 8601: when it arrived (the occurred_at of payloads without a time). */
  receivedAt: string;
}

export interface IntakeDependencies extends Omit<ResolutionContext, 'mapping'> {
  mapping: SensorMapping;
  /** SNS signature verification; absent, or sns.verify_signatures false: not verified (local emulators only). */
  snsVerifier?: SnsVerifier;
  /** Confirm an SNS subscription by GETting its SubscribeURL; absent: confirmations are recorded, not confirmed. */
  confirmSubscription?: (subscribeUrl: string) => Promise<void>;
}

export type IntakeOutcome =
  | { kind: 'events'; format: string; events: LazarusEvent[]; reports: SensorReport[] }
  | { kind: 'ignored'; format?: string; reason: string; label: string }
  | { kind: 'subscription'; confirmed: boolean; topic_arn: string; reason: string }
  | { kind: 'unusable'; format?: string; reason: UnusableReason; field: string; problem: string };

/** The body as a value: JSON (whatever the declared type: SNS says text/plain), or form fields. */
export function decodeSensorBody(sensor: SensorName, contentType: string | undefined, body: Buffer): unknown {
  const text = body.toString('utf8');
  if (/^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType ?? '')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MalformedSensorPayloadError(
      sensor,
      '<body>',
      `neither JSON nor form fields (${contentType ?? 'no content type'}): ${(error as Error).message}`,
      'unknown_shape',
    );
  }
}

async function awsReports(value: unknown, deps: IntakeDependencies): Promise<SensorReport[] | IntakeOutcome> {
  if (!isSnsMessage(value)) return awsHealthReports(value);
  const message = parseSnsMessage(value);
  if (deps.mapping.sns.verify_signatures) {
    if (!deps.snsVerifier) {
      throw new MalformedSensorPayloadError('aws', 'Signature', 'no SNS verifier is configured', 'bad_signature');
    }
    await deps.snsVerifier.verify(message);
  }
  if (message.Type === 'SubscriptionConfirmation') {
    const url = message.SubscribeURL ?? '';
    const allowed = new RegExp(deps.mapping.sns.subscribe_url_pattern).test(url);
    if (!allowed || !deps.confirmSubscription) {
      return {
        kind: 'subscription',
        confirmed: false,
        topic_arn: message.TopicArn,
        reason: allowed
          ? 'subscription confirmations are not fetched here'
          : `SubscribeURL ${url} does not match sns.subscribe_url_pattern (${deps.mapping.sns.subscribe_url_pattern}): not confirmed`,
      };
    }
    await deps.confirmSubscription(url);
    return {
      kind: 'subscription',
      confirmed: true,
      topic_arn: message.TopicArn,
      reason: `confirmed ${message.TopicArn}`,
    };
  }
  if (message.Type === 'UnsubscribeConfirmation') {
    return { kind: 'ignored', format: 'sns', reason: `unsubscribed from ${message.TopicArn}`, label: 'unsubscribed' };
  }
  let inner: unknown;
  try {
    inner = JSON.parse(message.Message);
  } catch {
    throw new MalformedSensorPayloadError('aws', 'Message', 'the SNS message is not JSON', 'unknown_shape');
  }
  return awsHealthReports(inner, 'sns');
}

/** Run one payload through its vendor's adapter and the resolution; never throws for the payload's own faults. */
export async function takeSensorPayload(payload: SensorPayload, deps: IntakeDependencies): Promise<IntakeOutcome> {
  let format: string | undefined;
  try {
    const value = decodeSensorBody(payload.sensor, payload.contentType, payload.body);
    let reports: SensorReport[];
    if (payload.sensor === 'aws') {
      const result = await awsReports(value, deps);
      if (!Array.isArray(result)) return result;
      reports = result;
    } else if (payload.sensor === 'datadog') {
      reports = [datadogReport(value, { receivedAt: payload.receivedAt })];
    } else {
      reports = [nagiosReport(value, { receivedAt: payload.receivedAt })];
    }
    format = reports[0]?.format;
    const events: LazarusEvent[] = [];
    for (const report of reports) events.push(await resolveReport(report, deps));
    return { kind: 'events', format: format ?? payload.sensor, events, reports };
  } catch (error) {
    if (error instanceof IgnoredSensorPayloadError) {
      return { kind: 'ignored', ...(format ? { format } : {}), reason: error.reason, label: error.label };
    }
    if (error instanceof MalformedSensorPayloadError) {
      return {
        kind: 'unusable',
        ...(format ? { format } : {}),
        reason: error.reason,
        field: error.field,
        problem: error.problem,
      };
    }
    throw error;
  }
}
