// ELBv2 activities: which target groups a host is in, draining it out of them and registering it back.
import {
  DeregisterTargetsCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
  type ElasticLoadBalancingV2Client,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { InstanceId } from '../../core';
import { AwsFailureType, awsFailure, classifyAwsError } from './errors';
import { pollUntil, previousHeartbeat, whileHeartbeating } from './polling';
import { LazarusTag } from './tags';

export interface ElbDependencies {
  elb: ElasticLoadBalancingV2Client;
  /** When given, drains first check that the instances exist, so a wrong id fails at once instead of draining nothing. */
  ec2?: EC2Client;
  /** Default wait for connection draining when a step gives no drainTimeoutMs (default 300 000). */
  drainTimeoutMs?: number;
  /** Poll interval while waiting for draining (default 1000). */
  drainPollMs?: number;
}

export interface DrainHostInput {
  instanceId: InstanceId;
  drainTimeoutMs?: number;
}

export interface DrainHostsInput {
  instanceIds: InstanceId[];
  drainTimeoutMs?: number;
}

/** What a drain heartbeats. */
export interface DrainProgress {
  targetGroupArns: string[];
  /** When the hosts were deregistered (epoch ms). */
  since?: number;
}

export interface TargetGroupsOutput {
  targetGroupArns: string[];
}

export interface HostTargetGroupsInput {
  instanceId: InstanceId;
  targetGroupArns: string[];
}

export interface RegisterHostInput extends HostTargetGroupsInput {
  /** How long the host may take to turn healthy in every target group (default 120 s). */
  healthyTimeoutMs?: number;
}

/** What a register heartbeats: the groups it registered in and the state of the host in each. */
export interface RegisterProgress {
  registered: string[];
  states: Record<string, string>;
}

export interface ElbActivities {
  /** Deregisters the host from every target group it is in and waits for draining (or drainTimeoutMs). */
  drainHost(input: DrainHostInput): Promise<TargetGroupsOutput>;
  /** Compensation of drainHost: registers the host again in the target groups it was drained from. */
  restoreHost(input: HostTargetGroupsInput): Promise<Record<string, never>>;
  /**
   * Registers the host in the target groups (those the host it replaces was drained from) and waits until it is
   * `healthy` in every one of them; a group where it is not (within healthyTimeoutMs) fails the step, naming it.
   */
  registerHost(input: RegisterHostInput): Promise<Record<string, never>>;
  deregisterHost(input: HostTargetGroupsInput): Promise<Record<string, never>>;
  /** Deregisters several hosts from every target group they are in and waits for draining. */
  drainHosts(input: DrainHostsInput): Promise<TargetGroupsOutput>;
}

/** Reading target groups, shared by the ELB activities and the host activities (standby, scaling). */
export interface TargetGroupDirectory {
  /** For each instance, the ARNs of the target groups in which it is a target (draining included). */
  targetGroupsOf(instanceIds: InstanceId[], where: string): Promise<Map<InstanceId, string[]>>;
  /** The instance's target health state in the group (`healthy`, `initial`, ...), undefined if not a target. */
  targetState(instanceId: InstanceId, targetGroupArn: string, where: string): Promise<string | undefined>;
  /** ARNs of the target groups tagged lazarus:service=<service>. */
  targetGroupsTaggedFor(service: string): Promise<string[]>;
  register(instanceIds: InstanceId[], targetGroupArns: string[], where: string): Promise<void>;
  deregister(instanceIds: InstanceId[], targetGroupArns: string[], where: string): Promise<void>;
  /**
   * Waits until none of the instances is `draining` in any of the groups; false if the timeout passed first.
   * `progress` is what each poll heartbeats (default: the groups).
   */
  waitDrained(
    instanceIds: InstanceId[],
    targetGroupArns: string[],
    timeoutMs: number,
    progress?: () => unknown,
  ): Promise<boolean>;
}

export function createTargetGroupDirectory({
  elb,
  drainPollMs = 1000,
}: Pick<ElbDependencies, 'elb' | 'drainPollMs'>): TargetGroupDirectory {
  async function allTargetGroups(where: string): Promise<TargetGroup[]> {
    const groups: TargetGroup[] = [];
    let marker: string | undefined;
    try {
      do {
        const out = await elb.send(new DescribeTargetGroupsCommand({ Marker: marker }));
        groups.push(...(out.TargetGroups ?? []));
        marker = out.NextMarker;
      } while (marker);
    } catch (err) {
      throw classifyAwsError(err, `${where}: DescribeTargetGroups`);
    }
    return groups;
  }

  async function targetStates(arn: string, where: string): Promise<Map<string, string>> {
    try {
      const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
      return new Map(
        (out.TargetHealthDescriptions ?? []).map((d) => [d.Target?.Id ?? '', d.TargetHealth?.State ?? 'unknown']),
      );
    } catch (err) {
      throw classifyAwsError(err, `${where}: DescribeTargetHealth(${arn})`);
    }
  }

  return {
    async targetGroupsOf(instanceIds, where) {
      const result = new Map<InstanceId, string[]>(instanceIds.map((id) => [id, []]));
      for (const group of await allTargetGroups(where)) {
        if (!group.TargetGroupArn) continue;
        const states = await targetStates(group.TargetGroupArn, where);
        for (const id of instanceIds) {
          const state = states.get(id);
          if (state !== undefined) result.get(id)?.push(group.TargetGroupArn);
        }
      }
      return result;
    },

    async targetState(instanceId, targetGroupArn, where) {
      return (await targetStates(targetGroupArn, where)).get(instanceId);
    },

    async targetGroupsTaggedFor(service) {
      const arns = (await allTargetGroups(`targetGroupsTaggedFor(${service})`)).flatMap((g) =>
        g.TargetGroupArn ? [g.TargetGroupArn] : [],
      );
      const tagged: string[] = [];
      for (let i = 0; i < arns.length; i += 20) {
        try {
          const out = await elb.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }));
          for (const d of out.TagDescriptions ?? []) {
            if (d.Tags?.some((t) => t.Key === LazarusTag.service && t.Value === service) && d.ResourceArn) {
              tagged.push(d.ResourceArn);
            }
          }
        } catch (err) {
          throw classifyAwsError(err, `targetGroupsTaggedFor(${service}): DescribeTags`);
        }
      }
      return tagged;
    },

    async register(instanceIds, targetGroupArns, where) {
      if (instanceIds.length === 0) return;
      for (const arn of targetGroupArns) {
        try {
          // Registering a registered target is a no-op in ELBv2, so retries are safe.
          await elb.send(
            new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: instanceIds.map((Id) => ({ Id })) }),
          );
        } catch (err) {
          throw classifyAwsError(err, `${where}: RegisterTargets(${arn}, ${instanceIds.join(',')})`);
        }
      }
    },

    async deregister(instanceIds, targetGroupArns, where) {
      if (instanceIds.length === 0) return;
      for (const arn of targetGroupArns) {
        try {
          await elb.send(
            new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: instanceIds.map((Id) => ({ Id })) }),
          );
        } catch (err) {
          const failure = classifyAwsError(err, `${where}: DeregisterTargets(${arn}, ${instanceIds.join(',')})`);
          // A target that is not registered any more is what we wanted (a retried drain).
          if ((err as { name?: string }).name === 'InvalidTargetException') continue;
          throw failure;
        }
      }
    },

    async waitDrained(instanceIds, targetGroupArns, timeoutMs, progress = () => ({ targetGroupArns })) {
      const drained = await pollUntil(
        async () => {
          for (const arn of targetGroupArns) {
            const states = await targetStates(arn, `waitDrained(${instanceIds.join(',')})`);
            if (instanceIds.some((id) => states.get(id) === 'draining')) return undefined;
          }
          return true;
        },
        { timeoutMs, intervalMs: drainPollMs, progress },
      );
      return drained === true;
    },
  };
}

export function createElbActivities(deps: ElbDependencies): ElbActivities {
  const directory = createTargetGroupDirectory(deps);
  const defaultDrainMs = deps.drainTimeoutMs ?? 300_000;

  async function assertExist(instanceIds: InstanceId[], where: string): Promise<void> {
    if (!deps.ec2 || instanceIds.length === 0) return;
    let found: string[];
    try {
      const out = await deps.ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }));
      found = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId ?? '');
    } catch (err) {
      throw classifyAwsError(err, `${where}: DescribeInstances(${instanceIds.join(',')})`);
    }
    const missing = instanceIds.filter((id) => !found.includes(id));
    if (missing.length > 0) {
      throw awsFailure(
        AwsFailureType.InstanceNotFound,
        `${where}: DescribeInstances: no such instance ${missing.join(',')}`,
      );
    }
  }

  /**
   * Heartbeats { targetGroupArns, since }: the groups the hosts were in (once read) and when draining began. An
   * attempt handed to another worker finds the hosts already deregistered: the groups come from the lost attempt's
   * heartbeat, so the output (which restoreHost needs) is the same whichever attempt completes, and the drain wait
   * ends when the first attempt's would have.
   */
  async function drain(
    instanceIds: InstanceId[],
    drainTimeoutMs: number | undefined,
    where: string,
    input: unknown,
  ): Promise<string[]> {
    const earlier = previousHeartbeat<DrainProgress>(input);
    const progress: DrainProgress = { targetGroupArns: earlier?.targetGroupArns ?? [], since: earlier?.since };
    return await whileHeartbeating(
      () => ({ ...progress }),
      async () => {
        await assertExist(instanceIds, where);
        const groupsByHost = await directory.targetGroupsOf(instanceIds, where);
        const arns = [...new Set([...progress.targetGroupArns, ...[...groupsByHost.values()].flat()])];
        progress.targetGroupArns = arns;
        progress.since ??= Date.now();
        for (const [id, groups] of groupsByHost) await directory.deregister([id], groups, where);
        // Draining that outlasts the timeout is not a failure: the host stops getting new connections at once.
        const left = progress.since + (drainTimeoutMs ?? defaultDrainMs) - Date.now();
        await directory.waitDrained(instanceIds, arns, left, () => ({ ...progress }));
        return arns;
      },
    );
  }

  return {
    async drainHost(input) {
      const { instanceId, drainTimeoutMs } = input;
      return { targetGroupArns: await drain([instanceId], drainTimeoutMs, `drainHost(${instanceId})`, input) };
    },
    async drainHosts(input) {
      const { instanceIds, drainTimeoutMs } = input;
      const where = `drainHosts(${instanceIds.join(',')})`;
      return { targetGroupArns: await drain(instanceIds, drainTimeoutMs, where, input) };
    },
    async restoreHost({ instanceId, targetGroupArns }) {
      await directory.register([instanceId], targetGroupArns, `restoreHost(${instanceId})`);
      return {};
    },
    async registerHost({ instanceId, targetGroupArns, healthyTimeoutMs }) {
      const where = `registerHost(${instanceId})`;
      const progress: RegisterProgress = { registered: [], states: {} };
      await whileHeartbeating(
        () => ({ ...progress }),
        async () => {
          await directory.register([instanceId], targetGroupArns, where);
          progress.registered = [...targetGroupArns];
          const healthy = await pollUntil(
            async () => {
              for (const arn of targetGroupArns) {
                progress.states[arn] = (await directory.targetState(instanceId, arn, where)) ?? 'not registered';
              }
              return targetGroupArns.every((arn) => progress.states[arn] === 'healthy') ? true : undefined;
            },
            {
              timeoutMs: healthyTimeoutMs ?? 120_000,
              intervalMs: deps.drainPollMs ?? 1000,
              progress: () => ({ ...progress }),
            },
          );
          if (!healthy) {
            const unhealthy = targetGroupArns.filter((arn) => progress.states[arn] !== 'healthy');
            throw awsFailure(
              AwsFailureType.TargetNotHealthy,
              `${where}: not healthy in ${unhealthy.map((arn) => `${arn} (${progress.states[arn]})`).join(', ')}`,
              true,
            );
          }
        },
      );
      return {};
    },
    async deregisterHost({ instanceId, targetGroupArns }) {
      await directory.deregister([instanceId], targetGroupArns, `deregisterHost(${instanceId})`);
      return {};
    },
  };
}
