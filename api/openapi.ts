// The OpenAPI 3 document of the API, built from the route table (routes.ts) plus the request schemas below; the
// event schema is the one the edge validates with (core/schemas/event.schema.json).
import eventSchema from '../core/schemas/event.schema.json';
import type { Route } from './routes';

const errorResponse = {
  description: 'error',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: { code: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
  },
};

function withoutMeta(schema: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema' && key !== '$id'));
}

const schemas: Record<string, unknown> = {
  Event: withoutMeta(eventSchema),
  SensorPayload: {
    type: 'object',
    description:
      'The vendor`s payload as it sends it: JSON (any content type; SNS posts text/plain) or form fields ' +
      '(application/x-www-form-urlencoded). See docs/sensors.md',
  },
  SwitchChange: {
    type: 'object',
    required: ['scope', 'enabled', 'reason'],
    properties: { scope: { type: 'string' }, enabled: { type: 'boolean' }, reason: { type: 'string', minLength: 1 } },
  },
  SignalInput: { type: 'object', properties: { reason: { type: 'string' } } },
  DeadLetterReplay: {
    type: 'object',
    description:
      '`payload`: the corrected event; without it (or without a body) the stored payload is replayed as it is',
    additionalProperties: false,
    properties: { payload: { $ref: '#/components/schemas/Event' } },
  },
};

/** Request bodies a route may be called without (no body, or an empty one). */
export const optionalRequestBodies: ReadonlySet<string> = new Set(['SignalInput', 'DeadLetterReplay']);

export function buildOpenApiDocument(table: readonly Route[], serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of table) {
    const parameters = [
      ...[...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...(route.queryParams ?? []).map((p) => ({
        name: p.name,
        in: 'query',
        required: false,
        description: p.description,
        schema: { type: 'string' },
      })),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, description] of Object.entries(route.responses)) {
      responses[status] = Number(status) >= 400 ? { ...errorResponse, description } : { description };
    }
    if (route.role !== 'public') {
      responses['401'] ??= { ...errorResponse, description: 'missing or unknown bearer token' };
      responses['403'] ??= { ...errorResponse, description: `the token's role is not ${route.role}` };
    }
    if (route.requestSchema) {
      responses['400'] ??= { ...errorResponse, description: 'invalid body, naming the field' };
      responses['413'] = { ...errorResponse, description: 'body too large' };
      responses['415'] = { ...errorResponse, description: 'body is not application/json' };
    }
    responses['503'] ??= { ...errorResponse, description: 'a dependency (Temporal, Kinesis) is unreachable' };
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = {
      summary: route.summary,
      'x-lazarus-role': route.role,
      ...(route.role === 'public' ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.requestSchema
        ? {
            requestBody: {
              required: !optionalRequestBodies.has(route.requestSchema),
              content: { 'application/json': { schema: { $ref: `#/components/schemas/${route.requestSchema}` } } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Lazarus API',
      version: '1',
      description:
        'Submit events, follow and steer remediations, operate the kill switch. Roles: sensor submits, viewer reads, ' +
        'operator does everything (docs/api.md).',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ bearer: [] }],
    paths,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas },
  };
}
