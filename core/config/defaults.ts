// Convention over configuration: every default of the configuration model, in one place (docs/configuration.md).

export const configDefaults = {
  workflowTimeout: '30m',
  step: {
    timeout: '2m',
    retry: { maximum_attempts: 3, initial_interval: '1s', backoff_coefficient: 2, maximum_interval: '30s' },
  },
  params: {
    health_path: '/health',
    health_port: 80,
    health_timeout: '10m',
    drain_timeout: '5m',
    cluster_timeout: '30m',
    forensics_mode: 'stop',
    max_event_age: '15m',
    ack_window: '60s',
    rate_limit: { threshold: 3, window: '10m' },
    scaling: { min_hosts: 2, max_hosts: 100, max_step: 5, cooldown: '10m' },
  },
  preconditions: { MinActiveHostsMin: 2, PeerCheckTolerance: 0.2 },
  deployment: {
    checkerZoneSuffixes: ['a', 'b', 'c'],
    quorum: 2,
    quorumDeadline: '45s',
    breaker: { open_threshold: 5, close_threshold: 2, window: '10m' },
    pageRetryFor: '6h',
    compensationRetryFor: '5m',
  },
} as const;

/** Task queue of the checker node in a zone. */
export function checkerTaskQueue(zone: string): string {
  return `lazarus-checker-${zone}`;
}
