/**
 * Sensor payload adapters: what AWS Health (EventBridge, SNS), Datadog webhooks and Nagios/Icinga (the project's
 * template, PagerDuty's and Opsgenie's integrations) send → reports (pure parsers, one module per vendor) → events,
 * with the sensor mapping of services/sensors.yaml and EC2 lookups (instance-directory.ts, the one module here that
 * does I/O, through a client it is given). intake.ts runs the whole way for one payload; it never throws for the
 * payload's own faults but answers why it was ignored or cannot be used (a dead letter on the API's vendor routes).
 */
export * from './aws';
export * from './datadog';
export * from './errors';
export * from './instance-directory';
export * from './intake';
export * from './nagios';
export * from './resolve-report';
export * from './sensor-report';
export * from './sns';
export { normalizeEnvironment, instanceIdPattern } from './payload-fields';
