/**
 * The demand sensor: target tracking over a per-service load metric, emitting ScaleUp/ScaleDown events that go
 * through the same remediation workflow as every other event.
 */
export * from './sensor';
