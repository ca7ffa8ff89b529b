import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Outcome } from '../../core/outcome';
import { remediate } from '../../workflows';
import { quarantineQuery, releaseRuleUpdate } from '../../contracts/quarantine';
import { quarantineId, remediationWorkflowId } from '../../contracts/workflow-ids';
import { RemediationHarness, failingStep } from '../support/remediation-harness';
import { useTestStack } from '../support/test-stack';
import { until } from '../support/wait';

let env: TestWorkflowEnvironment;
const stack = useTestStack({ temporal: true });
beforeAll(() => ({ env } = stack));

let sick = '';

async function remediateOnce(h: RemediationHarness, host: string) {
  sick = host;
  const event = h.event({ host });
  const handle = await env.client.workflow.start(remediate, {
    taskQueue: h.taskQueue,
    workflowId: remediationWorkflowId(event.incident_key),
    args: [event],
  });
  return await handle.result();
}

describe('rule self-quarantine', () => {
  it('three failing runs quarantine the rule in the region, tell team and on-call, and a fourth event ends SHADOW until released', async () => {
    const h = new RemediationHarness(env, {
      hostCount: 6,
      stepBehaviour: { cloneHost: failingStep('no capacity in the zone') },
      health: (_zone, host) => (host.instanceId === sick ? 'unhealthy' : 'healthy'),
    });
    const hosts = h.hosts.slice(1).map((host) => host.instanceId);
    await h.run(async () => {
      for (const host of hosts.slice(0, 3)) {
        expect((await remediateOnce(h, host)).outcome).toBe(Outcome.StepFailed);
      }
      const entity = env.client.workflow.getHandle(quarantineId(h.region));
      const state = await entity.query(quarantineQuery);
      const quarantine = state.rules['replace-unhealthy-host']?.quarantine;
      expect(quarantine?.why).toContain('3 failed runs in a row');
      expect(quarantine?.evidence.map((run) => run.host)).toEqual(hosts.slice(0, 3));
      expect(quarantine?.evidence.every((run) => run.outcome === Outcome.StepFailed)).toBe(true);
      // the owning team's channels and on-call hear of it, with the failed runs
      await until(
        async () => Promise.resolve(h.pages),
        (pages) => pages.some((p) => p.call === 'triggerPage' && p.key.startsWith('quarantine/')),
      );
      expect(h.notices()).toContain('rule_quarantined');

      const stepsBefore = h.stepCalls.length;
      const fourth = await remediateOnce(h, hosts[3]);
      expect(fourth.outcome).toBe(Outcome.Shadow);
      expect(fourth.gates.find((g) => g.gate === 'shadow')?.detail.quarantine).toBeDefined();
      expect(h.stepCalls.length).toBe(stepsBefore);

      // an operator releases it (audited): the next event runs the runbook again
      const release = await entity.executeUpdate(releaseRuleUpdate, {
        args: [{ rule: 'replace-unhealthy-host', actor: 'operator:alice', reason: 'capacity restored in the zone' }],
      });
      expect(release.released.why).toContain('in a row');
      const audited = await entity.query(quarantineQuery);
      expect(audited.history.map((entry) => [entry.what, entry.actor])).toEqual([
        ['quarantined', 'lazarus'],
        ['released', 'operator:alice'],
      ]);
      expect((await remediateOnce(h, hosts[4])).outcome).toBe(Outcome.StepFailed);
    });
  });

  it('a release of a rule that is not quarantined is refused, naming the rule', async () => {
    const h = new RemediationHarness(env, {
      health: (_zone, host) => (host.instanceId === sick ? 'unhealthy' : 'healthy'),
    });
    await h.run(async () => {
      expect((await remediateOnce(h, h.sickHost)).outcome).toBe(Outcome.Remediated);
      const entity = env.client.workflow.getHandle(quarantineId(h.region));
      const refused = await entity
        .executeUpdate(releaseRuleUpdate, {
          args: [{ rule: 'replace-unhealthy-host', actor: 'operator:alice', reason: 'why not' }],
        })
        .then(
          () => undefined,
          (err: unknown) => err as { cause?: { message?: string } },
        );
      expect(refused?.cause?.message).toMatch(/replace-unhealthy-host is not quarantined/);
    });
  });
});
