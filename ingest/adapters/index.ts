/**
 * Sensor payload adapters: pure functions that turn what Nagios, Datadog and AWS Health send into LazarusEvents
 * (validated against core/schemas/event.schema.json), or throw MalformedSensorPayloadError (reject and count it) or
 * IgnoredSensorPayloadError (nothing to remediate: a recovery, a warning). Each module documents its mapping.
 */
export * from './aws';
export * from './datadog';
export * from './errors';
export * from './nagios';
export { normalizeEnvironment, instanceIdPattern } from './payload-fields';
