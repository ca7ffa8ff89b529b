// Errors the REST API answers with. Each carries its HTTP status and a stable code; the server turns them into
// `{ "error": { "code", "message" } }` and never shows a stack trace.

export class ApiError extends Error {
  override readonly name: string = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The request body or a parameter is wrong; `field` names what (e.g. `service`, `details.reason`). */
export class InvalidRequestError extends ApiError {
  override readonly name = 'InvalidRequestError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(400, 'invalid_request', `${field}: ${problem}`);
  }
}

export class UnauthenticatedError extends ApiError {
  override readonly name = 'UnauthenticatedError';
  constructor(message = 'missing or unknown bearer token') {
    super(401, 'unauthenticated', message);
  }
}

export class ForbiddenError extends ApiError {
  override readonly name = 'ForbiddenError';
  constructor(role: string, needed: string) {
    super(403, 'forbidden', `role ${role} may not do this; it needs ${needed}`);
  }
}

export class NotFoundError extends ApiError {
  override readonly name = 'NotFoundError';
  constructor(what: string) {
    super(404, 'not_found', `${what} not found`);
  }
}

export class PayloadTooLargeError extends ApiError {
  override readonly name = 'PayloadTooLargeError';
  constructor(limit: number) {
    super(413, 'payload_too_large', `request body exceeds ${limit} bytes`);
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  override readonly name = 'UnsupportedMediaTypeError';
  constructor(contentType: string | undefined) {
    super(415, 'unsupported_media_type', `expected Content-Type application/json, got ${contentType ?? 'none'}`);
  }
}

/**
 * Temporal or Kinesis cannot be reached or refused the call: 503, counted by dependency. The client is told which
 * dependency failed (and, for Kinesis, the stream's name); `detail` (which may hold internal addresses, account ids
 * or ARNs) goes only to the server log, under the request id the client also gets.
 */
export class DependencyUnavailableError extends ApiError {
  override readonly name = 'DependencyUnavailableError';
  constructor(
    readonly dependency: 'temporal' | 'kinesis',
    readonly detail: string,
    /** What the client may read; default: the stream name for Kinesis, nothing more for Temporal. */
    publicDetail?: string,
  ) {
    super(
      503,
      'dependency_unavailable',
      `${dependency} unavailable: ${publicDetail ?? safeDetail(dependency, detail)}`,
    );
  }
}

function safeDetail(dependency: 'temporal' | 'kinesis', detail: string): string {
  // api/submission.ts words a Kinesis failure "stream <name>: <SDK message>"; a stream name is not an ARN.
  const stream = dependency === 'kinesis' ? /^stream ([A-Za-z0-9_.-]{1,128}):/.exec(detail) : null;
  return stream ? `stream ${stream[1]} did not take the event` : 'it did not answer or refused the call';
}

/** Too many requests for one token: 429 with Retry-After (seconds). */
export class RateLimitedError extends ApiError {
  override readonly name = 'RateLimitedError';
  constructor(
    readonly retryAfterSeconds: number,
    perSecond: number,
    burst: number,
  ) {
    super(
      429,
      'rate_limited',
      `this token exceeded ${perSecond} requests per second (burst ${burst}); retry after ${retryAfterSeconds} s`,
    );
  }
}

/** The request is understood but the resource is not in a state that allows it (a dead letter already replayed). */
export class ConflictError extends ApiError {
  override readonly name = 'ConflictError';
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}

/** A dead letter's payload (stored or corrected) is still not a valid event; `field` names what is wrong. */
export class StillInvalidError extends ApiError {
  override readonly name = 'StillInvalidError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(422, 'still_invalid', `${field}: ${problem}`);
  }
}
