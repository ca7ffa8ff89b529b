/**
 * Host health: an HTTP probe that tells healthy, unhealthy and unreachable apart (used by the quorum checkers and by
 * Verify steps), and the activities that wait for hosts to become healthy.
 */
export * from './activities';
export * from './probe';
export * from './cluster';
