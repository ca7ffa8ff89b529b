// End to end: a simulated host fails; its page is triggered in the PagerDuty emulator; the real remediate workflow,
// with the shipped stateless profile and replace_host runbook, acknowledges the page, drains the host, boots a
// replacement in the AWS emulator, verifies its health, registers it, keeps the old host for forensics, resolves
// the page, and tells Slack and email. Nothing is stubbed: real Temporal, moto, PagerDuty emulator over TLS through
// pdjs, Slack webhook and SMTP receivers, fleet simulator health endpoints probed from three checker nodes.
import { randomUUID } from 'node:crypto';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { Outcome } from '../../core/outcome';
import { createActionQueueActivities, createMainQueueActivities } from '../../worker/lazarus-activities';
import {
  createLazarusWorkers,
  healthcheckDownEvent,
  remediateWithWorkers,
  testWorkerDependencies,
} from '../support/lazarus-stack';
import { stackValue } from '../support/stack-env';
import { getJson, pagerClientFor, postJson, sharedPagerDuty } from '../support/stand-ins';
import { uniqueTaskQueue } from '../support/temporal';
import { useTestStack } from '../support/test-stack';
import type { AwsClients } from '../../platform/aws-clients';

const id = randomUUID().slice(0, 8);
const service = `e2e-${id}`;
const region = `e2e-region-${id}`;
const routingKey = `E2E${id.toUpperCase()}ROUTINGKEY00000000000`;
const oncall = `oncall-${id}@example.com`;
const taskQueue = uniqueTaskQueue('e2e');

interface SimulatedService {
  instanceIds: string[];
  service: { targetGroupArn?: string };
}

let env: TestWorkflowEnvironment;
let aws: AwsClients;
let workers: Worker[] = [];
let configRoot: string;
const stack = useTestStack({
  temporal: true,
  aws: true,
  configTree: () => ({
    region,
    taskQueue,
    services: {
      [service]:
        `name: ${service}\nteam: sre\nprofile: stateless\nnotifications:\n` +
        `  slack_webhooks: [${stackValue('slackWebhookUrl')}]\n  emails: [${oncall}]\n` +
        `  pagerduty_routing_key: ${routingKey}\n`,
    },
  }),
});
beforeAll(() => ({ env, aws, configRoot } = stack));

it('replaces a failed host: ack, drain, clone, verify, register, forensics, resolve, Slack and email', async () => {
  // Arrange: a service of four hosts behind a target group; one host fails; its page is triggered.
  const fleetUrl = stackValue('fleetSimulatorUrl');
  const created = await postJson<SimulatedService>(`${fleetUrl}/services`, { name: service, hosts: 4 });
  expect(created.status).toBe(201);
  const [sick, ...peers] = created.body.instanceIds;
  const targetGroupArn = created.body.service.targetGroupArn!;
  await postJson(`${fleetUrl}/hosts/${sick}/health`, { health: 'unhealthy' });
  const pagerClient = pagerClientFor(sharedPagerDuty());
  const deps = testWorkerDependencies(env, { aws, pager: pagerClient, taskQueue, configRoot });
  const main = createMainQueueActivities(deps);
  const incidentKey = `e2e-${id}-healthcheck`;
  await main.triggerPage({ routingKey, incidentKey, summary: `${sick} health check down`, source: 'nagios' });
  workers = await createLazarusWorkers(
    env,
    main,
    taskQueue,
    createActionQueueActivities({ ...deps, workerRegion: region }),
  );
  const event = healthcheckDownEvent({ incidentKey, service, host: sick, region });

  // Act
  const status = await remediateWithWorkers(env, workers, taskQueue, event);

  // Assert: the decision and the runbook
  expect([status.outcome, status.reason]).toEqual([Outcome.Remediated, 'replace_host completed']);
  expect(status.rule).toBe('healthcheck_down');
  expect(status.steps.map((s) => [s.id, s.status])).toEqual([
    ['drain', 'succeeded'],
    ['clone', 'succeeded'],
    ['verify', 'succeeded'],
    ['register', 'succeeded'],
    ['forensics', 'succeeded'],
  ]);
  const quorum = status.gates.find((g) => g.gate === 'quorum')!.detail as { passes: number };
  expect(quorum.passes).toBeGreaterThanOrEqual(2);

  // the page: acknowledged, then resolved, in the PagerDuty emulator
  const { incidents } = await getJson<{ incidents: Array<{ status: string; incident_key: string }> }>(
    `${stackValue('pagerDutyRestUrl')}/incidents?incident_key=${incidentKey}`,
  );
  expect(incidents.map((i) => i.status)).toEqual(['resolved']);

  // the replacement: running, tagged with what it replaces, registered; the old host stopped and kept
  const replacementId = (status.steps.find((s) => s.id === 'clone')!.output as { instanceId: string }).instanceId;
  const described = await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [replacementId, sick] }));
  const instances = described.Reservations!.flatMap((r) => r.Instances ?? []);
  const replacement = instances.find((i) => i.InstanceId === replacementId)!;
  const old = instances.find((i) => i.InstanceId === sick)!;
  expect(replacement.State?.Name).toBe('running');
  expect(replacement.Tags).toEqual(expect.arrayContaining([{ Key: 'lazarus:replaces', Value: sick }]));
  expect(old.State?.Name).toBe('stopped');
  expect(old.Tags?.some((t) => t.Key === 'lazarus:forensics')).toBe(true);
  const health = await aws.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
  const registered = (health.TargetHealthDescriptions ?? []).map((d) => d.Target?.Id).sort();
  expect(registered).toEqual([...peers, replacementId].sort());

  // the team: Slack and email heard "acknowledged" and "remediated"
  const receiver = stackValue('receiverUrl');
  const { webhooks } = await getJson<{ webhooks: Array<{ body: unknown }> }>(`${receiver}/_receiver/webhooks`);
  const slackTexts = webhooks.map((w) => JSON.stringify(w.body)).filter((t) => t.includes(service));
  expect(slackTexts.some((t) => t.includes('acknowledged'))).toBe(true);
  expect(slackTexts.some((t) => t.includes('remediated'))).toBe(true);
  const { emails } = await getJson<{ emails: Array<{ to: string[]; subject: string }> }>(
    `${receiver}/_receiver/emails`,
  );
  const ours = emails.filter((e) => JSON.stringify(e.to).includes(oncall)).map((e) => e.subject);
  expect(ours.some((s) => s.includes('acknowledged'))).toBe(true);
  expect(ours.some((s) => s.includes('remediated'))).toBe(true);
});
