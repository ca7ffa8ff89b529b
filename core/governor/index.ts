/**
 * Governor math: the per-service rate-limit window (distinct failures), the regional circuit breaker with hysteresis
 * and the service's locks. Pure, so the governor entity workflows and unit tests share it.
 */
export * from './circuit-breaker';
export * from './rate-limit-window';
export * from './service-locks';
