/**
 * Governor math: the per-service rate-limit window and the regional circuit breaker with hysteresis. Pure, so the
 * governor entity workflows and unit tests share it.
 */
export * from './circuit-breaker';
export * from './rate-limit-window';
