// What the API talks to, and how failures of those dependencies become answers: Temporal's "not found" is a 404, a
// rejected query argument a 400, anything else (unreachable, timed out) a 503 that is counted, never a crash.
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { WorkflowNotFoundError, isGrpcServiceError, type Client } from '@temporalio/client';
import { ApiError, DependencyUnavailableError, InvalidRequestError, NotFoundError } from './errors';
import type { SensorMapping } from '../core/config/sensor-mapping';
import type { InstanceDirectory, SnsVerifier } from '../ingest/adapters';

export interface ApiDependencies {
  temporal: Client;
  /** Task queue remediations start on when the API starts them directly. */
  taskQueue: string;
  /** Task queue an entity the API creates (a region's control) starts on (contracts entityTaskQueue); default taskQueue. */
  entityTaskQueue?: string;
  /** Region of the kill switch and governor when a request names none. */
  region: string;
  /** The event stream; without it the API starts remediations itself (sequence_number null). */
  kinesis?: { client: KinesisClient; streamName: string };
  /**
   * The regions services/deployment.yaml declares (the API process reads them at start). When given, an event or a
   * kill-switch/shadow change naming another region is refused with 400 naming `region`.
   */
  declaredRegions?: readonly string[];
  /**
   * LAZARUS_EVENT_MAX_FUTURE_SKEW_MS as read at start (api/config.ts): how far ahead of the API's clock an event's
   * occurred_at may be, for POST /v1/events, the sensor routes and dead-letter replays alike. Default 5 min.
   */
  maxFutureSkewMs?: number;
  /**
   * How long the API waits for one entity's query (a governor, the control, a remediation's status) before it answers
   * without it (default 5 s; a query of a workflow whose worker is gone never answers).
   */
  queryTimeoutMs?: number;
  /** Workflow id of the all-regions kill switch (default control/all-regions; tests give each run its own). */
  allRegionsControlId?: string;
  /** The vendor routes' mapping, EC2 lookups and SNS verification (default: the built-in mapping, no lookups). */
  sensors?: SensorIntakeDependencies;
}

/** What the vendor routes need besides the API's own dependencies (api/main.ts builds it from services/sensors.yaml). */
export interface SensorIntakeDependencies {
  mapping: SensorMapping;
  /** EC2 lookups of host names and instance tags (absent: only instance ids and payload tags map). */
  directory?: InstanceDirectory;
  snsVerifier?: SnsVerifier;
  /** GET an SNS SubscribeURL (only URLs matching sns.subscribe_url_pattern are passed). */
  confirmSubscription?: (url: string) => Promise<void>;
  /** How long a dead letter is kept unreplayed (default: the dead-letter workflow's 14 days). */
  deadLetterRetentionMs?: number;
}

const grpcInvalidArgument = 3;

/** How long one API request waits for Temporal before answering 503. */
export const temporalDeadlineMs = 8000;

/** Run a Temporal call; `what` names the workflow for a 404 ("remediation event/abc"). */
export async function callTemporal<T>(
  what: string,
  call: () => Promise<T>,
  temporal?: Client,
  deadlineMs = temporalDeadlineMs,
): Promise<T> {
  try {
    // A deadline bounds the client's own retries of an unreachable server (otherwise ~20 s before a 503).
    return temporal ? await temporal.withDeadline(Date.now() + deadlineMs, call) : await call();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error instanceof WorkflowNotFoundError) throw new NotFoundError(what);
    const cause = (error as { cause?: unknown }).cause;
    const grpc = isGrpcServiceError(error) ? error : isGrpcServiceError(cause) ? cause : undefined;
    if (grpc && Number(grpc.code) === grpcInvalidArgument)
      throw new InvalidRequestError('query', grpc.details || grpc.message);
    const detail = [(error as Error).message, (cause as Error | undefined)?.message].filter(Boolean).join(': ');
    throw new DependencyUnavailableError('temporal', detail || String(error));
  }
}

/**
 * Run one Temporal call within `ms` or fail as a dependency timeout (a query of a workflow no worker serves would
 * hang). At the bound the call is cancelled, not abandoned: an abandoned call goes on retrying inside the client, and
 * a retry that fires after its connection was closed throws "Channel has been shut down" out of a timer.
 */
export async function within<T>(temporal: Client, ms: number, call: () => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    return await temporal.withAbortSignal(controller.signal, call);
  } catch (error) {
    if (controller.signal.aborted) {
      throw new DependencyUnavailableError('temporal', `no answer within ${ms} ms`, `no answer within ${ms} ms`);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
