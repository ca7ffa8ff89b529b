// PagerDuty activities: acknowledge, resolve and trigger pages by incident key; escalate with a note.
import { ApplicationFailure } from '@temporalio/activity';
import { heartbeatIfActivity, previousHeartbeat } from '../aws/polling';
import { escalationProgressKey } from '../../core/activity-catalog';
import { remediationLink } from '../notify/messages';
import { createSecretResolver, resolveSecretForActivity, type SecretResolver } from '../../platform/secrets';
import type { PagerClient } from './client';
import { PagerFailureType, pagerFailure } from './errors';

export interface PageRef {
  /**
   * Events API v2 routing (integration) key of the service; ack/resolve only apply with the trigger's key. A reference
   * (`secret:NAME`) is resolved here, in the activity, so the key itself never enters workflow history.
   */
  routingKey: string;
  /** The event's incident key, used as dedup_key. */
  incidentKey: string;
  /** Epoch ms after which the call gives up (e.g. page time + 60 s); default: now + the client's budget. */
  notAfter?: number;
}

export interface TriggerPageInput extends PageRef {
  summary: string;
  source: string;
  severity?: 'critical' | 'error' | 'warning' | 'info';
  customDetails?: Record<string, unknown>;
}

export interface EscalatePageInput {
  incidentKey: string;
  /** Decision summary, added as a note. */
  note?: string;
  /** The remediation's workflow id: the note links it in the Temporal Web UI when its URL is configured. */
  workflowId?: string;
  notAfter?: number;
}

export interface EscalatePageOutput {
  incidentId: string;
  /** Escalation level after the call. */
  escalationLevel: number;
  /** False when the incident was already at the last level of its policy. */
  raised: boolean;
  /** The incident already carried this escalation's note: done before (the call ran again), nothing changed now. */
  repeated?: boolean;
}

export interface PagerActivities {
  triggerPage(input: TriggerPageInput): Promise<{ dedupKey: string }>;
  /**
   * Acknowledges the page. When PagerDuty cannot be reached in time it fails with type PagerBudgetExhausted
   * (non-retryable): the page is then left to PagerDuty's own escalation, and the outcome should say so.
   */
  acknowledgePage(input: PageRef): Promise<{ dedupKey: string }>;
  resolvePage(input: PageRef): Promise<{ dedupKey: string }>;
  escalatePage(input: EscalatePageInput): Promise<EscalatePageOutput>;
  /** Adds the note unless the incident carries it already (then `repeated`: the same call ran again). */
  addPageNote(input: {
    incidentKey: string;
    note: string;
    notAfter?: number;
  }): Promise<{ incidentId: string; repeated?: boolean }>;
}

interface IncidentSummary {
  id: string;
  status?: string;
  escalation_level?: number;
}

export interface PagerActivityDependencies {
  client: PagerClient;
  /** Temporal Web UI base URL and namespace, for the link an escalation note carries. */
  ui?: { temporalUiUrl?: string; namespace: string };
  /** Resolves routing keys given as `secret:NAME` (default: the process environment and LAZARUS_SECRETS_FILE). */
  secrets?: SecretResolver;
}

export function createPagerActivities({ client, ui, secrets }: PagerActivityDependencies): PagerActivities {
  const resolver = secrets ?? createSecretResolver();
  async function findIncident(incidentKey: string, notAfter: number | undefined): Promise<IncidentSummary> {
    const res = await client.rest('GET', `/incidents?incident_key=${encodeURIComponent(incidentKey)}`, undefined, {
      notAfter,
    });
    const incidents = ((res.data as { incidents?: IncidentSummary[] }).incidents ?? []).filter(Boolean);
    if (incidents.length === 0) {
      throw pagerFailure(PagerFailureType.IncidentNotFound, `no PagerDuty incident has incident key ${incidentKey}`);
    }
    return incidents[0];
  }

  async function enqueue(action: 'acknowledge' | 'resolve', ref: PageRef): Promise<{ dedupKey: string }> {
    await client.enqueue(
      {
        routing_key: resolveSecretForActivity(resolver, ref.routingKey),
        event_action: action,
        dedup_key: ref.incidentKey,
        // Ack and resolve events ignore the payload, but the Events API v2 type demands one.
        payload: { summary: `${action} by Lazarus`, source: 'lazarus', severity: 'info' },
      },
      { notAfter: ref.notAfter },
    );
    return { dedupKey: ref.incidentKey };
  }

  async function addNote(incidentId: string, note: string, notAfter: number | undefined): Promise<void> {
    await client.rest('POST', `/incidents/${incidentId}/notes`, { note: { content: note } }, { notAfter });
  }

  /**
   * Whether the incident already carries this note. Lazarus's notes name their workflow, so the same text means the
   * same call run again (a retried workflow task on another worker, a retry after a lost answer): it is not added
   * twice, and an escalation that already left its note does not raise the level again.
   */
  async function hasNote(incidentId: string, note: string, notAfter: number | undefined): Promise<boolean> {
    const res = await client.rest('GET', `/incidents/${incidentId}/notes`, undefined, { notAfter });
    const notes = (res.data as { notes?: Array<{ content?: string } | null> }).notes ?? [];
    return notes.some((n) => n?.content === note);
  }

  return {
    async triggerPage(input) {
      await client.enqueue(
        {
          routing_key: resolveSecretForActivity(resolver, input.routingKey),
          event_action: 'trigger',
          dedup_key: input.incidentKey,
          payload: {
            summary: input.summary,
            source: input.source,
            severity: input.severity ?? 'critical',
            ...(input.customDetails ? { custom_details: input.customDetails } : {}),
          },
        },
        { notAfter: input.notAfter },
      );
      return { dedupKey: input.incidentKey };
    },

    acknowledgePage: (ref) => enqueue('acknowledge', ref),
    resolvePage: (ref) => enqueue('resolve', ref),

    async escalatePage(input) {
      const { incidentKey, note: summary, notAfter, workflowId } = input;
      const link = ui ? remediationLink(workflowId, ui) : undefined;
      const note = summary && link ? `${summary}\n${link}` : summary;
      // A retry must not raise the level twice: the last attempt's heartbeat (a local attempt's kept progress, or
      // what the workflow handed over from a failed attempt) says what it already did.
      const done = previousHeartbeat<EscalationProgress>(input);
      let progress: EscalationProgress | undefined = done;
      try {
        const incident = await findIncident(incidentKey, notAfter);
        const current = incident.escalation_level ?? 1;
        if (note && !done?.noted && (await hasNote(incident.id, note, notAfter))) {
          // this escalation was done already (its note is there): nothing is raised or noted again
          return { incidentId: incident.id, escalationLevel: current, raised: done?.raised ?? false, repeated: true };
        }
        let level = done?.raisedTo ?? current;
        let raised = done?.raised ?? false;
        if (done?.raisedTo === undefined) {
          try {
            const res = await client.rest(
              'PUT',
              `/incidents/${incident.id}`,
              { incident: { type: 'incident_reference', escalation_level: current + 1 } },
              { notAfter },
            );
            level = (res.data as { incident?: IncidentSummary }).incident?.escalation_level ?? current + 1;
            raised = level > current;
          } catch (err) {
            // Already at the last level: PagerDuty refuses; the note still goes to whoever holds the page.
            if (!(err instanceof ApplicationFailure && err.type === PagerFailureType.Rejected)) throw err;
          }
          progress = { incidentId: incident.id, raisedTo: level, raised };
          heartbeatIfActivity(progress);
        }
        if (note && !done?.noted) {
          await addNote(incident.id, note, notAfter);
          progress = { incidentId: incident.id, raisedTo: level, raised, noted: true };
          heartbeatIfActivity(progress);
        }
        return { incidentId: incident.id, escalationLevel: level, raised };
      } catch (err) {
        // what this attempt did goes with its failure, so that the workflow's next try (another activity) does not
        // raise the level again
        throw progress?.raisedTo === undefined ? err : withEscalationProgress(err, progress);
      }
    },

    async addPageNote({ incidentKey, note, notAfter }) {
      const incident = await findIncident(incidentKey, notAfter);
      if (await hasNote(incident.id, note, notAfter)) return { incidentId: incident.id, repeated: true };
      await addNote(incident.id, note, notAfter);
      return { incidentId: incident.id };
    },
  };
}

/** What an escalation attempt has done: the level it raised the incident to, and whether it added its note. */
export interface EscalationProgress {
  incidentId?: string;
  raisedTo?: number;
  raised?: boolean;
  noted?: boolean;
}

function withEscalationProgress(err: unknown, progress: EscalationProgress): ApplicationFailure {
  const original = err instanceof ApplicationFailure ? err : undefined;
  return ApplicationFailure.create({
    message: err instanceof Error ? err.message : String(err),
    ...(original?.type ? { type: original.type } : {}),
    nonRetryable: original?.nonRetryable ?? false,
    details: [{ [escalationProgressKey]: progress }],
    ...(err instanceof Error ? { cause: err } : {}),
  });
}
