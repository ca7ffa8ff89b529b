// What the Temporal Web UI shows of Lazarus's workflows without opening a payload (user metadata): the summary and
// details a remediation starts with, its lock's summary, a summary on each runbook activity, the current details of
// the remediation and of the entities it touched.
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { temporal } from '@temporalio/proto';
import { Outcome } from '../../core/outcome';
import type { RemediationStatus } from '../../contracts/trace';
import { hostLockId, remediationWorkflowId, serviceGovernorId } from '../../contracts/workflow-ids';
import { startRemediation } from '../../ingest/remediation-start';
import type { RemediationHarness } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';

let env: TestWorkflowEnvironment;
let h: RemediationHarness;
const stack = useTestStack({ temporal: true, harness: true });
beforeAll(() => ({ env, harness: h } = stack));

/** Temporal's built-in query for a workflow's metadata (its current details among them). */
const metadataQuery = '__temporal_workflow_metadata';

function decode(payload: temporal.api.common.v1.IPayload | null | undefined): unknown {
  return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
}

it('names the remediation, its lock, each runbook activity and the governor in words the Web UI shows', async () => {
  // Arrange, act: the remediation of one sick host, started as the API and the bridge start it
  const event = h.event();
  await startRemediation(env.client, h.taskQueue, event);
  const handle = env.client.workflow.getHandle(remediationWorkflowId(event.incident_key));
  const result = (await handle.result()) as RemediationStatus;
  expect(result.outcome).toBe(Outcome.Remediated);

  // the remediation: static summary and details, and its current details (the outcome once decided)
  const described = await handle.describe();
  expect(await described.staticSummary()).toBe(`HealthcheckDown on ${h.sickHost} (${h.service}, ${h.region})`);
  expect(await described.staticDetails()).toContain(`**incident** ${event.incident_key}`);
  const metadata = await handle.query<{ currentDetails?: string }>(metadataQuery);
  expect(metadata.currentDetails).toBe(`REMEDIATED: ${result.reason}`);

  // the runbook run, whose id is the lock, and a summary on each of its activities
  const lock = env.client.workflow.getHandle(hostLockId(h.sickHost));
  expect(await (await lock.describe()).staticSummary()).toBe(
    `replace_host on ${h.sickHost}, holding ${hostLockId(h.sickHost)}`,
  );
  const history = await lock.fetchHistory();
  const summaries = (history.events ?? [])
    .filter((e) => e.activityTaskScheduledEventAttributes)
    .map((e) => decode(e.userMetadata?.summary));
  expect(summaries).toEqual([
    'read the kill switch before the next step',
    'read the regional circuit breaker before the first step',
    'read the kill switch before the next step',
    `drain: drain ${h.sickHost} from its target groups`,
    'read the kill switch before the next step',
    `clone: launch a replacement for ${h.sickHost}`,
  ]);
  // and the remediation's own: each checker node's part of the quorum (the rule lookup and the entity calls are local
  // activities since the storm gates: markers, not scheduled activities, and the old path's summary stays for replays)
  const own = (await handle.fetchHistory()).events ?? [];
  const ownSummaries = own
    .filter((e) => e.activityTaskScheduledEventAttributes)
    .map((e) => decode(e.userMetadata?.summary));
  expect(ownSummaries.filter((s) => String(s).startsWith('quorum: 3 checks from'))).toHaveLength(3);
  expect(ownSummaries).toEqual(expect.arrayContaining([`record REMEDIATED for rule ${result.rule}`]));
  // and the local activities' markers: the rule lookup, the governor, control and quarantine reads, the lock claim
  // and release, the page's acknowledgement and resolution (each call says what it does to which page), the team's
  // notifications
  const markerSummaries = own
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
    .map((e) => decode(e.userMetadata?.summary));
  expect(markerSummaries).toEqual(
    expect.arrayContaining([
      'match the event to a rule in the configuration snapshot',
      `admit ${h.service} in ${h.region}: rate limit and breaker`,
      `read the kill switch and shadow of ${h.region}`,
      `read the quarantine of rule ${result.rule} in ${h.region}`,
      `claim ${hostLockId(h.sickHost)} and read the breaker again`,
      `release ${hostLockId(h.sickHost)}`,
      `acknowledge page ${event.incident_key}`,
      `resolve page ${event.incident_key}`,
      `notify the team of ${h.service}: acknowledged`,
      `notify the team of ${h.service}: remediated`,
    ]),
  );
  expect(markerSummaries).not.toContain(undefined);

  // the service's governor entity: a static summary and what it holds now
  const governor = env.client.workflow.getHandle(serviceGovernorId(h.service));
  expect(await (await governor.describe()).staticSummary()).toBe(
    `Rate limit and failing state of service ${h.service}`,
  );
  const governorMetadata = await governor.query<{ currentDetails?: string }>(metadataQuery);
  expect(governorMetadata.currentDetails).toMatch(new RegExp(`^${h.service} \\(${h.region}\\): failing, 1 events`));
});
