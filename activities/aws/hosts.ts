// EC2 host lifecycle activities: clone, launch from a template, terminate, keep for forensics, standby, scale-down.
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  ModifyInstanceAttributeCommand,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
  type Filter,
  type Instance,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import type { HostFacts, InstanceId } from '../../core';
import { chooseRetirees } from '../../core/scaling';
import { toHostFacts } from './ec2';
import type { TargetGroupDirectory } from './elb';
import { AwsFailureType, awsFailure, classifyAwsError } from './errors';
import { heartbeatIfActivity, pollUntil, previousHeartbeat, whileHeartbeating } from './polling';
import { copyableTags, launchToken, LazarusTag, standbyRole } from './tags';

export type ForensicsMode = 'stop' | 'isolate';
export type RetirePolicy = 'newest_first' | 'oldest_first';

export interface HostDependencies {
  ec2: EC2Client;
  targetGroups: TargetGroupDirectory;
  /** How long a launch may take to reach `running` (default 300 000). */
  launchTimeoutMs?: number;
  /** Poll interval while waiting for instance states (default 2000). */
  pollMs?: number;
  /** keepForensics default when a step gives no mode (default 'stop'). */
  forensicsMode?: ForensicsMode;
  /** Isolation security group used by mode 'isolate' when a step names none. */
  isolationSecurityGroupId?: string;
  /** Whether a host may serve as the template of launchFromTemplate (e.g. a health probe); default: running. */
  isTemplateCandidate?: (host: HostFacts) => Promise<boolean>;
}

export interface CloneHostInput {
  instanceId: InstanceId;
  idempotencyKey: string;
  extraTags?: Record<string, string>;
  /** Value of the lazarus:remediation tag; defaults to the idempotency key (not in the catalog yet). */
  remediationId?: string;
}

export interface LaunchedHost {
  instanceId: InstanceId;
  privateIpAddress: string;
  availabilityZone: string;
}

export interface KeepForensicsInput {
  instanceId: InstanceId;
  remediationId: string;
  mode?: ForensicsMode;
  isolationSecurityGroupId?: string;
}

export interface LaunchFromTemplateInput {
  service: string;
  count: number;
  idempotencyKey: string;
  templateInstanceId?: InstanceId;
}

export interface ChooseHostsToRetireInput {
  service: string;
  count: number;
  policy?: RetirePolicy;
  /** Never retire a host launched less than this long ago (its verification window); default 0. */
  minAgeMs?: number;
  /** Workflow ids of running remediations: a host they launched (lazarus:remediation tag) is never retired. */
  runningRemediations?: string[];
}

export interface HostActivities {
  cloneHost(input: CloneHostInput): Promise<LaunchedHost>;
  terminateHost(input: { instanceId: InstanceId }): Promise<Record<string, never>>;
  keepForensics(input: KeepForensicsInput): Promise<{ mode: ForensicsMode }>;
  promoteStandby(input: {
    service: string;
    failedInstanceId: InstanceId;
  }): Promise<{ instanceId: InstanceId; targetGroupArns: string[] }>;
  tagStandby(input: { instanceId: InstanceId; service: string }): Promise<Record<string, never>>;
  launchFromTemplate(input: LaunchFromTemplateInput): Promise<{ instanceIds: InstanceId[] }>;
  registerHosts(input: { service: string; instanceIds: InstanceId[] }): Promise<{ targetGroupArns: string[] }>;
  /** Fewer than asked when some may not be retired (`skipped`, with why); none at all fails (NoHostToRetire). */
  chooseHostsToRetire(
    input: ChooseHostsToRetireInput,
  ): Promise<{ instanceIds: InstanceId[]; skipped: Array<{ instanceId: string; reason: string }> }>;
  retireHosts(input: { instanceIds: InstanceId[] }): Promise<Record<string, never>>;
  /** Running (and pending) instances tagged lazarus:service=<service>, for the quorum checks. */
  listServiceHosts(service: string): Promise<HostFacts[]>;
}

const liveStates = ['pending', 'running'];

/** What cloneHost and launchFromTemplate heartbeat: the launch token and, once launched, the instances. */
export interface LaunchProgress {
  token: string;
  phase: 'launching' | 'waiting for running';
  instanceIds?: InstanceId[];
}

function launchProgress(idempotencyKey: string): LaunchProgress {
  return { token: launchToken(idempotencyKey), phase: 'launching' };
}

function tagList(tags: Record<string, string>): Array<{ Key: string; Value: string }> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

function isProtected(host: HostFacts): string | undefined {
  if (host.tags[LazarusTag.forensics] !== undefined) {
    return `it is kept for forensics (remediation ${host.tags[LazarusTag.forensics]})`;
  }
  if (host.tags[LazarusTag.role] === standbyRole) return 'it is a standby host';
  return undefined;
}

export function createHostActivities(deps: HostDependencies): HostActivities {
  const { ec2, targetGroups } = deps;
  const launchTimeoutMs = deps.launchTimeoutMs ?? 300_000;
  const pollMs = deps.pollMs ?? 2000;

  async function findInstances(filters: Filter[], where: string): Promise<Instance[]> {
    const found: Instance[] = [];
    let token: string | undefined;
    try {
      do {
        const out = await ec2.send(new DescribeInstancesCommand({ Filters: filters, NextToken: token }));
        found.push(...(out.Reservations ?? []).flatMap((r) => r.Instances ?? []));
        token = out.NextToken;
      } while (token);
    } catch (err) {
      throw classifyAwsError(err, `${where}: DescribeInstances`);
    }
    return found;
  }

  async function describe(instanceIds: InstanceId[], where: string): Promise<HostFacts[]> {
    let instances: Instance[];
    try {
      const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }));
      instances = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    } catch (err) {
      throw classifyAwsError(err, `${where}: DescribeInstances(${instanceIds.join(',')})`);
    }
    const facts = instances.map(toHostFacts);
    const missing = instanceIds.filter((id) => !facts.some((f) => f.instanceId === id));
    if (missing.length > 0) {
      throw awsFailure(
        AwsFailureType.InstanceNotFound,
        `${where}: DescribeInstances: no such instance ${missing.join(',')}`,
      );
    }
    return instanceIds.map((id) => facts.find((f) => f.instanceId === id)!);
  }

  async function tag(instanceIds: InstanceId[], tags: Record<string, string>, where: string): Promise<void> {
    try {
      await ec2.send(new CreateTagsCommand({ Resources: instanceIds, Tags: tagList(tags) }));
    } catch (err) {
      throw classifyAwsError(err, `${where}: CreateTags(${instanceIds.join(',')})`);
    }
  }

  async function serviceHosts(service: string, where: string): Promise<HostFacts[]> {
    const instances = await findInstances(
      [
        { Name: `tag:${LazarusTag.service}`, Values: [service] },
        { Name: 'instance-state-name', Values: liveStates },
      ],
      where,
    );
    return instances.map(toHostFacts).sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  }

  /** Waits until every instance is running; a retry of the activity resumes the wait. */
  async function waitRunning(
    instanceIds: InstanceId[],
    where: string,
    progress: () => unknown = () => ({ waitingFor: instanceIds }),
  ): Promise<HostFacts[]> {
    const facts = await pollUntil(
      async () => {
        const hosts = await describe(instanceIds, where);
        const dead = hosts.find((h) => h.state === 'shutting-down' || h.state === 'terminated');
        if (dead) throw awsFailure(AwsFailureType.LaunchFailed, `${where}: ${dead.instanceId} went ${dead.state}`);
        return hosts.every((h) => h.state === 'running') ? hosts : undefined;
      },
      { timeoutMs: launchTimeoutMs, intervalMs: pollMs, progress },
    );
    if (!facts) {
      throw awsFailure(
        AwsFailureType.LaunchTimedOut,
        `${where}: ${instanceIds.join(',')} not running after ${launchTimeoutMs} ms`,
        true,
      );
    }
    return facts;
  }

  /**
   * Launches `count` copies of `template`, exactly once per idempotency key: real EC2 dedups on the ClientToken;
   * the emulator (moto) ignores ClientToken, so we first look for instances tagged with the key's token. The ids of
   * the launched instances are heartbeated (`progress`), so an attempt handed to another worker waits for those
   * (`resumed`) instead of looking them up again.
   */
  async function launchOnce(
    template: HostFacts,
    count: number,
    idempotencyKey: string,
    tags: Record<string, string>,
    where: string,
    progress: LaunchProgress,
    resumed: LaunchProgress | undefined,
  ): Promise<HostFacts[]> {
    const token = launchToken(idempotencyKey);
    let ids = resumed?.token === token && resumed.instanceIds ? resumed.instanceIds : [];
    if (ids.length === 0) {
      const earlier = await findInstances(
        [
          { Name: `tag:${LazarusTag.idempotencyKey}`, Values: [token] },
          { Name: 'instance-state-name', Values: [...liveStates, 'stopping', 'stopped'] },
        ],
        where,
      );
      ids = earlier.flatMap((i) => (i.InstanceId ? [i.InstanceId] : []));
    }
    if (ids.length === 0) {
      if (!template.imageId) throw awsFailure(AwsFailureType.InvalidRequest, `${where}: template has no image id`);
      const input: RunInstancesCommandInput = {
        ImageId: template.imageId,
        InstanceType: template.instanceType as RunInstancesCommandInput['InstanceType'],
        MinCount: count,
        MaxCount: count,
        ClientToken: token,
        ...(template.subnetId ? { SubnetId: template.subnetId } : {}),
        ...(template.securityGroupIds.length > 0 ? { SecurityGroupIds: template.securityGroupIds } : {}),
        ...(template.instanceProfileArn ? { IamInstanceProfile: { Arn: template.instanceProfileArn } } : {}),
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: tagList({ ...copyableTags(template.tags), ...tags, [LazarusTag.idempotencyKey]: token }),
          },
        ],
      };
      try {
        const out = await ec2.send(new RunInstancesCommand(input));
        ids = (out.Instances ?? []).flatMap((i) => (i.InstanceId ? [i.InstanceId] : []));
      } catch (err) {
        throw classifyAwsError(err, `${where}: RunInstances(image ${template.imageId})`);
      }
    }
    progress.instanceIds = ids;
    progress.phase = 'waiting for running';
    heartbeatIfActivity({ ...progress });
    return await waitRunning(ids, where, () => ({ ...progress }));
  }

  async function terminate(instanceIds: InstanceId[], where: string): Promise<void> {
    if (instanceIds.length === 0) return;
    for (const host of await describe(instanceIds, where)) {
      const why = isProtected(host);
      if (why)
        throw awsFailure(AwsFailureType.HostProtected, `${where}: refusing to terminate ${host.instanceId}: ${why}`);
    }
    try {
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: instanceIds }));
    } catch (err) {
      throw classifyAwsError(err, `${where}: TerminateInstances(${instanceIds.join(',')})`);
    }
  }

  async function launchFromTemplateOnce(
    service: string,
    count: number,
    idempotencyKey: string,
    templateInstanceId: InstanceId | undefined,
    where: string,
    progress: LaunchProgress,
    input: unknown,
  ): Promise<HostFacts[]> {
    const resumed = previousHeartbeat<LaunchProgress>(input);
    let template: HostFacts | undefined;
    if (templateInstanceId) {
      [template] = await describe([templateInstanceId], where);
    } else {
      for (const host of await serviceHosts(service, where)) {
        if (host.state !== 'running' || isProtected(host)) continue;
        if (!deps.isTemplateCandidate || (await deps.isTemplateCandidate(host))) {
          template = host;
          break;
        }
      }
    }
    if (!template) throw awsFailure(AwsFailureType.NoTemplateHost, `${where}: no healthy running host to copy`);
    return await launchOnce(
      template,
      count,
      idempotencyKey,
      { [LazarusTag.service]: service, [LazarusTag.remediation]: idempotencyKey },
      where,
      progress,
      resumed,
    );
  }

  return {
    async cloneHost(input) {
      const { instanceId, idempotencyKey, extraTags, remediationId } = input;
      const where = `cloneHost(${instanceId})`;
      const progress = launchProgress(idempotencyKey);
      // Named like the output once launched, so the compensation of a clone stopped half-way finds its instance.
      const [clone] = await whileHeartbeating(
        () => ({ ...progress, ...(progress.instanceIds?.length === 1 ? { instanceId: progress.instanceIds[0] } : {}) }),
        async () => {
          const [failed] = await describe([instanceId], where);
          return await launchOnce(
            failed,
            1,
            idempotencyKey,
            {
              ...extraTags,
              [LazarusTag.replaces]: instanceId,
              [LazarusTag.remediation]: remediationId ?? idempotencyKey,
            },
            where,
            progress,
            previousHeartbeat<LaunchProgress>(input),
          );
        },
      );
      return {
        instanceId: clone.instanceId,
        privateIpAddress: clone.privateIpAddress ?? '',
        availabilityZone: clone.availabilityZone ?? '',
      };
    },

    async terminateHost({ instanceId }) {
      await terminate([instanceId], `terminateHost(${instanceId})`);
      return {};
    },

    async keepForensics({ instanceId, remediationId, mode, isolationSecurityGroupId }) {
      const where = `keepForensics(${instanceId})`;
      const chosen = mode ?? deps.forensicsMode ?? 'stop';
      await describe([instanceId], where);
      await tag([instanceId], { [LazarusTag.forensics]: remediationId }, where);
      if (chosen === 'isolate') {
        const group = isolationSecurityGroupId ?? deps.isolationSecurityGroupId;
        if (!group) {
          throw awsFailure(AwsFailureType.InvalidRequest, `${where}: mode isolate needs an isolationSecurityGroupId`);
        }
        try {
          await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, Groups: [group] }));
        } catch (err) {
          throw classifyAwsError(err, `${where}: ModifyInstanceAttribute(groups ${group})`);
        }
      } else {
        try {
          await ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
        } catch (err) {
          throw classifyAwsError(err, `${where}: StopInstances`);
        }
      }
      return { mode: chosen };
    },

    async promoteStandby({ service, failedInstanceId }) {
      const where = `promoteStandby(${service}, ${failedInstanceId})`;
      // A retry finds the standby it already promoted by this tag.
      const promoted = await findInstances(
        [
          { Name: `tag:${LazarusTag.promotedFor}`, Values: [failedInstanceId] },
          { Name: 'instance-state-name', Values: liveStates },
        ],
        where,
      );
      let standby: HostFacts | undefined = promoted.map(toHostFacts)[0];
      if (!standby) {
        standby = (await serviceHosts(service, where)).find(
          (h) => h.tags[LazarusTag.role] === standbyRole && h.instanceId !== failedInstanceId,
        );
        if (!standby) throw awsFailure(AwsFailureType.NoStandbyHost, `${where}: the service has no running standby`);
        await tag([standby.instanceId], { [LazarusTag.promotedFor]: failedInstanceId }, where);
      }
      let arns = (await targetGroups.targetGroupsOf([failedInstanceId], where)).get(failedInstanceId) ?? [];
      if (arns.length === 0) arns = await serviceTargetGroups(service, [failedInstanceId, standby.instanceId], where);
      await targetGroups.register([standby.instanceId], arns, where);
      try {
        await ec2.send(
          new DeleteTagsCommand({
            Resources: [standby.instanceId],
            Tags: [{ Key: LazarusTag.role, Value: standbyRole }],
          }),
        );
      } catch (err) {
        throw classifyAwsError(err, `${where}: DeleteTags(${standby.instanceId})`);
      }
      return { instanceId: standby.instanceId, targetGroupArns: arns };
    },

    async tagStandby({ instanceId, service }) {
      const where = `tagStandby(${instanceId})`;
      await describe([instanceId], where);
      await tag([instanceId], { [LazarusTag.role]: standbyRole, [LazarusTag.service]: service }, where);
      const arns = (await targetGroups.targetGroupsOf([instanceId], where)).get(instanceId) ?? [];
      await targetGroups.deregister([instanceId], arns, where);
      return {};
    },

    async launchFromTemplate(input) {
      const { service, count, idempotencyKey, templateInstanceId } = input;
      const where = `launchFromTemplate(${service}, ${count})`;
      const progress = launchProgress(idempotencyKey);
      return await whileHeartbeating(
        () => ({ ...progress }),
        async () => ({
          instanceIds: (
            await launchFromTemplateOnce(service, count, idempotencyKey, templateInstanceId, where, progress, input)
          ).map((h) => h.instanceId),
        }),
      );
    },

    async registerHosts({ service, instanceIds }) {
      const where = `registerHosts(${service}, ${instanceIds.join(',')})`;
      const arns = await serviceTargetGroups(service, instanceIds, where);
      await targetGroups.register(instanceIds, arns, where);
      return { targetGroupArns: arns };
    },

    async chooseHostsToRetire({ service, count, policy = 'newest_first', minAgeMs = 0, runningRemediations }) {
      const where = `chooseHostsToRetire(${service}, ${count})`;
      const instances = await findInstances(
        [
          { Name: `tag:${LazarusTag.service}`, Values: [service] },
          { Name: 'instance-state-name', Values: ['running'] },
        ],
        where,
      );
      const hosts = new Map(instances.map((i) => [i.InstanceId ?? '', toHostFacts(i)]));
      const choice = chooseRetirees(
        instances.map((i) => ({
          instanceId: i.InstanceId ?? '',
          launched: i.LaunchTime?.getTime() ?? 0,
          tags: hosts.get(i.InstanceId ?? '')?.tags ?? {},
        })),
        {
          count,
          policy,
          now: Date.now(),
          minAgeMs,
          running: runningRemediations,
          protect: (c) => isProtected(hosts.get(c.instanceId)!),
        },
      );
      if (choice.instanceIds.length === 0 && count > 0) {
        // nothing retired is not a scale-down done: said, with why each host was left alone
        const why = choice.skipped.map((s) => `${s.instanceId}: ${s.reason}`).join('; ');
        throw awsFailure(
          AwsFailureType.NoHostToRetire,
          `${where}: no host may be retired now${why ? ` (${why})` : ` (no running host of ${service})`}`,
        );
      }
      return { instanceIds: choice.instanceIds, skipped: choice.skipped };
    },

    async retireHosts({ instanceIds }) {
      const where = `retireHosts(${instanceIds.join(',')})`;
      const live = (await describe(instanceIds, where)).filter((h) => h.state !== 'terminated');
      await terminate(
        live.map((h) => h.instanceId),
        where,
      );
      return {};
    },

    async listServiceHosts(service) {
      return await serviceHosts(service, `listServiceHosts(${service})`);
    },
  };

  /** The service's target groups: tagged lazarus:service=<service>, plus those its other hosts are in. */
  async function serviceTargetGroups(service: string, exclude: InstanceId[], where: string): Promise<string[]> {
    const tagged = await targetGroups.targetGroupsTaggedFor(service);
    const others = (await serviceHosts(service, where)).map((h) => h.instanceId).filter((id) => !exclude.includes(id));
    const byHost = others.length > 0 ? await targetGroups.targetGroupsOf(others, where) : new Map<string, string[]>();
    return [...new Set([...tagged, ...[...byHost.values()].flat()])].sort();
  }
}
