// No secret in Temporal history: a full remediation (the replace-host end to end: page, ack, runbook child,
// governors, control, resolve, Slack and email) of a service whose PagerDuty routing key and Slack webhook URL are
// configured by reference (secret:NAME), resolved by the activities from LAZARUS_SECRET_<NAME> and a secrets file.
// Then every history the run produced is fetched and searched, byte for byte, for the secret values.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { Outcome } from '../../core/outcome';
import { createActionQueueActivities, createMainQueueActivities } from '../../worker/lazarus-activities';
import { remediationWorkflowId } from '../../contracts/workflow-ids';
import {
  createLazarusWorkers,
  healthcheckDownEvent,
  remediateWithWorkers,
  testNotifyDependencies,
  testWorkerDependencies,
} from '../support/lazarus-stack';
import { stackValue } from '../support/stack-env';
import { getJson, pagerClientFor, postJson, sharedPagerDuty } from '../support/stand-ins';
import { uniqueTaskQueue } from '../support/temporal';
import { useTestStack } from '../support/test-stack';

const id = randomUUID().slice(0, 8);
const ID = id.toUpperCase();
const service = `secrets-${id}`;
const region = `secrets-region-${id}`;
const taskQueue = uniqueTaskQueue('secrets');
const oncall = `oncall-${id}@example.com`;
// The secrets: their names are in the configuration, their values only in the worker's environment and file.
const routingKeyName = `E2E_PD_${ID}`;
const routingKeyValue = `SECRETROUTINGKEY${ID}`.padEnd(32, 'Q');
const slackName = `E2E_SLACK_${ID}`;
const slackPath = `/services/T${ID}/B${ID}/SECRETWEBHOOK${ID}`;
const secretsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazarus-secrets-'));
const secretsFile = path.join(secretsDir, 'secrets.yaml');

let env: TestWorkflowEnvironment;
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
        `  slack_webhooks: [secret:${slackName}]\n  emails: [${oncall}]\n` +
        `  pagerduty_routing_key: secret:${routingKeyName}\n`,
    },
  }),
});
const savedEnv = { file: process.env.LAZARUS_SECRETS_FILE };
beforeAll(() => ({ env, configRoot } = stack));
afterAll(() => {
  delete process.env[`LAZARUS_SECRET_${routingKeyName}`];
  if (savedEnv.file === undefined) delete process.env.LAZARUS_SECRETS_FILE;
  else process.env.LAZARUS_SECRETS_FILE = savedEnv.file;
  fs.rmSync(secretsDir, { recursive: true, force: true });
});

it('runs a full remediation with secrets by reference, and no history holds a secret value', async () => {
  const slackValue = `${stackValue('receiverUrl')}${slackPath}`;
  // one secret from the environment, one from the secrets file
  process.env[`LAZARUS_SECRET_${routingKeyName}`] = routingKeyValue;
  fs.writeFileSync(secretsFile, `${slackName}: ${JSON.stringify(slackValue)}\n`, { mode: 0o600 });
  process.env.LAZARUS_SECRETS_FILE = secretsFile;

  const fleetUrl = stackValue('fleetSimulatorUrl');
  const created = await postJson<{ instanceIds: string[] }>(`${fleetUrl}/services`, { name: service, hosts: 4 });
  expect(created.status).toBe(201);
  const sick = created.body.instanceIds[0];
  await postJson(`${fleetUrl}/hosts/${sick}/health`, { health: 'unhealthy' });
  const deps = testWorkerDependencies(env, {
    aws: stack.aws,
    pager: pagerClientFor(sharedPagerDuty()),
    // the run's SMTP receiver, and no Web UI link in what is sent
    notify: { smtp: testNotifyDependencies().smtp },
    taskQueue,
    configRoot,
  });
  const main = createMainQueueActivities(deps);
  const incidentKey = `secrets-${id}-healthcheck`;
  await main.triggerPage({
    routingKey: `secret:${routingKeyName}`,
    incidentKey,
    summary: `${sick} health check down`,
    source: 'nagios',
  });
  workers = await createLazarusWorkers(
    env,
    main,
    taskQueue,
    createActionQueueActivities({ ...deps, workerRegion: region }),
  );
  const event = healthcheckDownEvent({ incidentKey, service, host: sick, region });

  const status = await remediateWithWorkers(env, workers, taskQueue, event);
  expect([status.outcome, status.reason]).toEqual([Outcome.Remediated, 'replace_host completed']);

  // The secrets were used: the emulator matched ack and resolve to the trigger's routing key, Slack got the messages
  // at the secret path.
  const { incidents } = await getJson<{ incidents: Array<{ status: string }> }>(
    `${stackValue('pagerDutyRestUrl')}/incidents?incident_key=${incidentKey}`,
  );
  expect(incidents.map((i) => i.status)).toEqual(['resolved']);
  const { webhooks } = await getJson<{ webhooks: Array<{ path: string; body: unknown }> }>(
    `${stackValue('receiverUrl')}/_receiver/webhooks`,
  );
  const ours = webhooks.filter((w) => w.path === slackPath).map((w) => JSON.stringify(w.body));
  expect(ours.some((t) => t.includes('acknowledged'))).toBe(true);
  expect(ours.some((t) => t.includes('remediated'))).toBe(true);

  // Every workflow the run produced: all ran on this test's task queue.
  const ids: string[] = [];
  for await (const execution of env.client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) {
    ids.push(execution.workflowId);
  }
  const kinds = new Set(ids.map((w) => w.split('/')[0]));
  expect([...kinds].sort()).toEqual(expect.arrayContaining(['control', 'event', 'governor', 'lock']));
  const secretValues = [routingKeyValue, slackValue, slackPath, `SECRETWEBHOOK${ID}`];
  let searched = 0;
  for (const workflowId of ids) {
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    searched += bytes.length;
    for (const value of secretValues) {
      if (bytes.includes(value)) throw new Error(`history of ${workflowId} contains a secret value`);
    }
  }
  // the search looks at the right bytes: the references themselves are there
  const remediation = await env.client.workflow.getHandle(remediationWorkflowId(incidentKey)).fetchHistory();
  const remediationBytes = Buffer.from(temporal.api.history.v1.History.encode(remediation).finish());
  expect(remediationBytes.includes(`secret:${routingKeyName}`)).toBe(true);
  expect(remediationBytes.includes(`secret:${slackName}`)).toBe(true);
  expect(searched).toBeGreaterThan(10_000);
  process.stdout.write(`secrets-in-history: searched ${ids.length} histories, ${searched} bytes\n`);
});

it('a missing secret fails the PagerDuty activity without retry, naming the secret and never a value', async () => {
  const main = createMainQueueActivities({
    aws: stack.aws,
    pager: pagerClientFor(sharedPagerDuty()),
    client: env.client,
    taskQueue,
    configRoot,
  });
  const failure: unknown = await main
    .acknowledgePage({ routingKey: `secret:E2E_MISSING_${ID}`, incidentKey: `missing-${id}` })
    .then(
      () => undefined,
      (err: unknown) => err,
    );
  expect(failure).toBeInstanceOf(ApplicationFailure);
  const { nonRetryable, type, message } = failure as ApplicationFailure;
  expect({ nonRetryable, type }).toEqual({ nonRetryable: true, type: 'LazarusSecretMissing' });
  expect(message).toContain(`secret "E2E_MISSING_${ID}" is not set: define LAZARUS_SECRET_E2E_MISSING_${ID}`);
});
