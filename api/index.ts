/**
 * The REST API (plain node:http): submit events and sensor payloads, follow and steer remediations, operate the kill
 * switch and shadow mode, read the governors, list and replay dead letters; Bearer tokens with roles sensor / viewer /
 * operator. `routes.ts` is the route table, `openapi.ts` builds the OpenAPI document from it, `main.ts` runs it as a
 * process. See docs/api.md.
 */
export * from './auth';
export * from './config';
export * from './controls';
export * from './dead-letters';
export * from './dependencies';
export * from './errors';
export * from './metrics';
export * from './openapi';
export * from './remediations';
export * from './routes';
export * from './server';
export * from './submission';
export * from './types';
