// The long-running step activities against the AWS emulator, in a mocked activity context: they heartbeat their
// progress every few seconds, an attempt handed to another worker resumes from it (and launches no second
// instance), and a worker shutdown hands the progress back as a WorkerShutdown failure.
import { randomUUID } from 'node:crypto';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  createAwsActivities,
  createHealthActivities,
  launchToken,
  type AwsActivities,
  type HealthActivities,
  type HealthWaitProgress,
  type LaunchProgress,
} from '../../activities';
import { stepResumeInputKey, workerShutdownFailureType } from '../../core/activity-catalog';
import { launchTestHosts } from '../support/fleet';
import { useTestStack } from '../support/test-stack';
import type { AwsClients } from '../../platform/aws-clients';

let aws: AwsClients;
let hosts: AwsActivities;
let health: HealthActivities;
const stack = useTestStack({ aws: true });
beforeAll(() => {
  aws = stack.aws;
  hosts = createAwsActivities({ ec2: aws.ec2, elb: aws.elb, tuning: { launchTimeoutMs: 5000, pollMs: 50 } });
  // No health endpoint answers healthy at moto's private addresses.
  health = createHealthActivities({ ec2: aws.ec2, probeTimeoutMs: 100, intervalMs: 50 });
});

const run = <A extends unknown[], R>(
  env: MockActivityEnvironment,
  fn: (...args: A) => Promise<R>,
  ...args: A
): Promise<R> => env.run(fn, ...args);

const service = (): string => `long-${randomUUID().slice(0, 8)}`;

async function tokenInstances(token: string): Promise<string[]> {
  const out = await aws.ec2.send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'tag:lazarus:idempotency-key', Values: [token] }] }),
  );
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId ?? '');
}

function recording(info: ConstructorParameters<typeof MockActivityEnvironment>[0] = {}): {
  env: MockActivityEnvironment;
  beats: unknown[];
} {
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 20_000, ...info });
  const beats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => beats.push(details));
  return { env, beats };
}

describe('cloneHost', () => {
  it('heartbeats its launch token and the instance it launched', async () => {
    const [failed] = await launchTestHosts(aws.ec2, { service: service(), count: 1 });
    const key = `drill/${randomUUID()}/clone`;
    const { env, beats } = recording();

    const clone = await run(env, hosts.cloneHost, { instanceId: failed, idempotencyKey: key });

    expect(beats[0]).toEqual({ token: launchToken(key), phase: 'launching' });
    expect(beats.at(-1)).toEqual({
      token: launchToken(key),
      phase: 'waiting for running',
      instanceIds: [clone.instanceId],
    });
  });

  it('handed to another worker, waits for the instance the lost attempt launched and launches none', async () => {
    const [failed] = await launchTestHosts(aws.ec2, { service: service(), count: 1 });
    const key = `drill/${randomUUID()}/clone`;
    const first = await run(new MockActivityEnvironment(), hosts.cloneHost, {
      instanceId: failed,
      idempotencyKey: key,
    });
    const handedOver: LaunchProgress = {
      token: launchToken(key),
      phase: 'waiting for running',
      instanceIds: [first.instanceId],
    };

    const resumed = await run(new MockActivityEnvironment(), hosts.cloneHost, {
      instanceId: failed,
      idempotencyKey: key,
      [stepResumeInputKey]: handedOver,
    } as Parameters<AwsActivities['cloneHost']>[0]);
    // a lost attempt that never heartbeated: the launch token's tag finds the instance
    const retried = await run(new MockActivityEnvironment(), hosts.cloneHost, {
      instanceId: failed,
      idempotencyKey: key,
    });

    expect(resumed.instanceId).toBe(first.instanceId);
    expect(retried.instanceId).toBe(first.instanceId);
    expect(await tokenInstances(launchToken(key))).toEqual([first.instanceId]);
  });
});

describe('waitHealthy', () => {
  it('heartbeats when the wait began and the last probe, at least every quarter of the heartbeat timeout', async () => {
    const [host] = await launchTestHosts(aws.ec2, { service: service(), count: 1 });
    const { env, beats } = recording({ heartbeatTimeoutMs: 1000 });
    const started = Date.now();

    await expect(env.run(health.waitHealthy, { instanceId: host, timeoutMs: 1500 })).rejects.toThrow(
      /not healthy after 1500 ms/,
    );

    const since = (beats[0] as { since: number }).since;
    expect(since).toBeGreaterThanOrEqual(started);
    expect(beats.every((b) => (b as { since: number }).since === since)).toBe(true);
    expect((beats.at(-1) as HealthWaitProgress).statuses[host]).toMatch(/^un/);
    expect(beats.length).toBeGreaterThanOrEqual(5);
  });

  it('handed to another worker, keeps the first attempt`s start: the wait ends timeoutMs after it began', async () => {
    const [host] = await launchTestHosts(aws.ec2, { service: service(), count: 1 });
    const since = Date.now() - 60_000;
    const { env, beats } = recording();
    const started = Date.now();

    await expect(
      env.run(health.waitHealthy, {
        instanceId: host,
        timeoutMs: 30_000,
        [stepResumeInputKey]: { since, statuses: {} },
      } as Parameters<HealthActivities['waitHealthy']>[0]),
    ).rejects.toThrow(/not healthy after 30000 ms/);

    expect(Date.now() - started).toBeLessThan(5000); // one probe round, not another 30 s
    expect(beats[0]).toEqual({ since, statuses: {} });
  });

  it('on a worker shutdown, hands its progress back as a WorkerShutdown failure; a cancel stays a cancel', async () => {
    const [host] = await launchTestHosts(aws.ec2, { service: service(), count: 1 });
    const shutdown = recording();
    const waiting = shutdown.env.run(health.waitHealthy, { instanceId: host, timeoutMs: 60_000 });
    while (shutdown.beats.length < 2) await new Promise((r) => setTimeout(r, 20));
    shutdown.env.cancel('WORKER_SHUTDOWN');
    const failure = await waiting.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe(workerShutdownFailureType);
    expect(((failure as ApplicationFailure).details?.[0] as HealthWaitProgress).statuses[host]).toMatch(/^un/);

    const cancel = recording();
    const cancelled = cancel.env.run(health.waitHealthy, { instanceId: host, timeoutMs: 60_000 });
    while (cancel.beats.length < 2) await new Promise((r) => setTimeout(r, 20));
    cancel.env.cancel('CANCELLED');
    await expect(cancelled).rejects.toBeInstanceOf(CancelledFailure);
  });
});
