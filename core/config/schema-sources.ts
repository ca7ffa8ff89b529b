// The JSON Schemas of every file kind and of the event, by kind: what devstack/generate-validators.ts compiles into
// core/schemas/validators.generated.ts (schema-validation.ts validates with those compiled validators).
import deploymentSchema from '../schemas/deployment.schema.json';
import eventSchema from '../schemas/event.schema.json';
import profileSchema from '../schemas/profile.schema.json';
import ruleSchema from '../schemas/rule.schema.json';
import runbookSchema from '../schemas/runbook.schema.json';
import sensorsSchema from '../schemas/sensors.schema.json';
import serviceSchema from '../schemas/service.schema.json';

export const schemaKinds = ['event', 'rule', 'runbook', 'profile', 'service', 'deployment', 'sensors'] as const;

export type SchemaKind = (typeof schemaKinds)[number];

export const schemas: Record<SchemaKind, object> = {
  event: eventSchema,
  rule: ruleSchema,
  runbook: runbookSchema,
  profile: profileSchema,
  service: serviceSchema,
  deployment: deploymentSchema,
  sensors: sensorsSchema,
};
