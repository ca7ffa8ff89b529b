// Errors of the process wiring every Lazarus process shares.

/** The metrics endpoint could not listen (port taken, address not local, no permission). */
export class MetricsServerError extends Error {
  override readonly name = 'MetricsServerError';
  constructor(
    readonly address: string,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(`metrics server: cannot listen on ${address}: ${detail}`);
  }
}
