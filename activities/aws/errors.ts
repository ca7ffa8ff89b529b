// How AWS errors become activity failures: what retries and what fails the step at once.
import { ApplicationFailure } from '@temporalio/activity';

/** Failure types that workflows and runbooks branch on. */
export const AwsFailureType = {
  InstanceNotFound: 'InstanceNotFound',
  InvalidRequest: 'AwsInvalidRequest',
  Throttled: 'AwsThrottled',
  Unavailable: 'AwsUnavailable',
  /** A launched instance did not reach `running` in time (retryable: the retry finds it by its idempotency tag). */
  LaunchTimedOut: 'LaunchTimedOut',
  /** A launched instance went to shutting-down/terminated on its own. */
  LaunchFailed: 'LaunchFailed',
  /** Refused to terminate a host kept for forensics or a standby. */
  HostProtected: 'HostProtected',
  NoStandbyHost: 'NoStandbyHost',
  NoTemplateHost: 'NoTemplateHost',
  /** A scale-down found no host it may retire (all young, protected or launched by a running remediation). */
  NoHostToRetire: 'NoHostToRetire',
  /** A registered host did not turn healthy in every target group it was put in (retryable: it may yet). */
  TargetNotHealthy: 'TargetNotHealthy',
} as const;

export type AwsFailureType = (typeof AwsFailureType)[keyof typeof AwsFailureType];

/** A failure raised by our own checks (not by an AWS call). */
export function awsFailure(type: AwsFailureType, message: string, retryable = false): ApplicationFailure {
  return retryable ? ApplicationFailure.retryable(message, type) : ApplicationFailure.nonRetryable(message, type);
}

interface AwsErrorShape {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const throttlingCodes = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

/** Turn an AWS SDK error into an ApplicationFailure whose `type` and retryability say what to do. */
export function classifyAwsError(err: unknown, where: string): ApplicationFailure {
  const e = (err ?? {}) as AwsErrorShape;
  const code = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const detail = `${where}: ${code}: ${e.message ?? String(err)}`;
  if (code.startsWith('InvalidInstanceID')) {
    return ApplicationFailure.nonRetryable(detail, AwsFailureType.InstanceNotFound);
  }
  if (throttlingCodes.has(code) || status === 429) {
    return ApplicationFailure.retryable(detail, AwsFailureType.Throttled);
  }
  if (status !== undefined && status >= 500) {
    return ApplicationFailure.retryable(detail, AwsFailureType.Unavailable);
  }
  if (status !== undefined && status >= 400) {
    return ApplicationFailure.nonRetryable(detail, AwsFailureType.InvalidRequest);
  }
  // No HTTP status: a network error or timeout talking to AWS; worth retrying.
  return ApplicationFailure.retryable(detail, AwsFailureType.Unavailable);
}
