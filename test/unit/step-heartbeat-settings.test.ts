// Which runbook steps are scheduled with a heartbeat timeout, and how long it is; the worker process's shutdown
// settings.
import {
  activityCatalog,
  defaultStepHeartbeatTimeoutMs,
  stepHeartbeatTimeoutMs,
  type CatalogEntry,
} from '../../core/activity-catalog';
import { defaultShutdownGraceMs, defaultStickyTimeoutMs, readWorkerProcessSettings } from '../../worker/settings';

describe('step heartbeat timeouts (core/activity-catalog.ts)', () => {
  it('are set for the activities that wait or poll, and only for them', () => {
    const longRunning = Object.entries(activityCatalog)
      .filter(([, entry]) => (entry as CatalogEntry).heartbeatTimeoutMs !== undefined)
      .map(([name]) => name)
      .sort();
    expect(longRunning).toEqual([
      'cloneHost',
      'drainHost',
      'drainHosts',
      'launchFromTemplate',
      'registerHost',
      'waitAllHealthy',
      'waitClusterHealth',
      'waitHealthy',
      'waitRingJoin',
    ]);
    for (const name of longRunning) {
      expect(activityCatalog[name as keyof typeof activityCatalog].optional).toContain('heartbeatTimeoutMs');
    }
  });

  it('default to 20 s (at most 30 s); a step input heartbeatTimeoutMs of at least 1 s overrides it', () => {
    expect(defaultStepHeartbeatTimeoutMs).toBeLessThanOrEqual(30_000);
    expect(stepHeartbeatTimeoutMs('waitHealthy', { instanceId: 'i-1' })).toBe(20_000);
    expect(stepHeartbeatTimeoutMs('waitHealthy', { heartbeatTimeoutMs: 5000 })).toBe(5000);
    expect(stepHeartbeatTimeoutMs('waitHealthy', { heartbeatTimeoutMs: 10 })).toBe(20_000);
    expect(stepHeartbeatTimeoutMs('waitHealthy', { heartbeatTimeoutMs: '5s' })).toBe(20_000);
    expect(stepHeartbeatTimeoutMs('deregisterHost', { heartbeatTimeoutMs: 5000 })).toBeUndefined();
    expect(stepHeartbeatTimeoutMs('noSuchActivity', {})).toBeUndefined();
  });
});

describe('worker process settings (worker/settings.ts)', () => {
  it('default to a 30 s shutdown grace and a 5 s sticky timeout', () => {
    expect(readWorkerProcessSettings({})).toEqual({
      shutdownGraceMs: defaultShutdownGraceMs,
      stickyTimeoutMs: defaultStickyTimeoutMs,
    });
    expect(defaultShutdownGraceMs).toBe(30_000);
  });

  it('read LAZARUS_WORKER_SHUTDOWN_GRACE_MS, LAZARUS_WORKER_STICKY_TIMEOUT_MS, the identity and the bundle', () => {
    expect(
      readWorkerProcessSettings({
        LAZARUS_WORKER_SHUTDOWN_GRACE_MS: '1000',
        LAZARUS_WORKER_STICKY_TIMEOUT_MS: '2000',
        LAZARUS_WORKER_IDENTITY: 'node-a',
        LAZARUS_WORKFLOW_BUNDLE: '/tmp/bundle.js',
      }),
    ).toEqual({ shutdownGraceMs: 1000, stickyTimeoutMs: 2000, identity: 'node-a', workflowBundle: '/tmp/bundle.js' });
  });

  it('read the workflow task and local activity slots, refusing a value that is not a count, naming the variable', () => {
    expect(
      readWorkerProcessSettings({
        LAZARUS_WORKER_WORKFLOW_TASK_SLOTS: '20',
        LAZARUS_WORKER_LOCAL_ACTIVITY_SLOTS: '60',
      }),
    ).toMatchObject({ workflowTaskSlots: 20, localActivitySlots: 60 });
    expect(() => readWorkerProcessSettings({ LAZARUS_WORKER_WORKFLOW_TASK_SLOTS: '1' })).toThrow(
      /LAZARUS_WORKER_WORKFLOW_TASK_SLOTS.*from 2 to 10000, got "1"/,
    );
    expect(() => readWorkerProcessSettings({ LAZARUS_WORKER_LOCAL_ACTIVITY_SLOTS: 'many' })).toThrow(
      /LAZARUS_WORKER_LOCAL_ACTIVITY_SLOTS/,
    );
  });

  it('refuse a value that is not a whole number of milliseconds, naming the variable', () => {
    expect(() => readWorkerProcessSettings({ LAZARUS_WORKER_SHUTDOWN_GRACE_MS: '30s' })).toThrow(
      /LAZARUS_WORKER_SHUTDOWN_GRACE_MS/,
    );
    expect(() => readWorkerProcessSettings({ LAZARUS_WORKER_STICKY_TIMEOUT_MS: '10' })).toThrow(
      /LAZARUS_WORKER_STICKY_TIMEOUT_MS: expected a whole number of milliseconds >= 1000/,
    );
  });
});
