// What a notification says, per channel: Slack Block Kit, an email, a PagerDuty note. Pure, so it is unit-tested.
import type { NotificationChannels } from '../../core';

export type NotificationKind =
  | 'acknowledged'
  | 'remediated'
  | 'escalated'
  | 'kill_switch_blocked'
  | 'breaker_opened'
  | 'breaker_closed'
  | 'shadow'
  | 'ack_failed'
  | 'pager_unreachable'
  | 'rule_quarantined';

export interface NotifyMessage {
  kind: NotificationKind;
  service: string;
  host?: string;
  outcome?: string;
  reason?: string;
  /** Remediation workflow id, for the Temporal Web UI link. */
  workflowId?: string;
  /** Incident key of the page; the PagerDuty note channel needs it. */
  incidentKey?: string;
  channels: NotificationChannels;
}

const headlines: Record<NotificationKind, string> = {
  acknowledged: 'Lazarus acknowledged the page and is remediating',
  remediated: 'Lazarus remediated the problem',
  escalated: 'Lazarus escalated to on-call',
  kill_switch_blocked: 'The kill switch blocked a remediation',
  breaker_opened: 'Regional circuit breaker OPENED: remediations paused',
  breaker_closed: 'Regional circuit breaker closed: remediations resume',
  shadow: 'Shadow mode: Lazarus would have remediated',
  ack_failed: 'Lazarus could not acknowledge the page in time',
  pager_unreachable: 'PagerDuty is unreachable: Lazarus could not escalate the page, and keeps retrying',
  rule_quarantined: 'Rule QUARANTINED: its runbook fails too often, Lazarus only notifies for it until released',
};

export function headline(message: Pick<NotifyMessage, 'kind' | 'service' | 'host'>): string {
  return `${headlines[message.kind]}: ${message.service}${message.host ? ` / ${message.host}` : ''}`;
}

export function remediationLink(
  workflowId: string | undefined,
  ui: { temporalUiUrl?: string; namespace: string },
): string | undefined {
  if (!workflowId || !ui.temporalUiUrl) return undefined;
  const base = ui.temporalUiUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(ui.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

function facts(message: NotifyMessage): Array<[string, string]> {
  const rows: Array<[string, string]> = [['Service', message.service]];
  if (message.host) rows.push(['Host', message.host]);
  if (message.outcome) rows.push(['Outcome', message.outcome]);
  if (message.reason) rows.push(['Reason', message.reason]);
  return rows;
}

export interface SlackBody {
  text: string;
  blocks: object[];
}

export function slackBody(message: NotifyMessage, link: string | undefined): SlackBody {
  const text = headline(message);
  const blocks: object[] = [
    { type: 'header', text: { type: 'plain_text', text: text.slice(0, 150) } },
    {
      type: 'section',
      fields: facts(message).map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${v}`.slice(0, 2000) })),
    },
  ];
  if (link) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `<${link}|Open the remediation in Temporal>` } });
  }
  return { text, blocks };
}

export interface EmailBody {
  subject: string;
  text: string;
}

export function emailBody(message: NotifyMessage, link: string | undefined): EmailBody {
  const lines = facts(message).map(([k, v]) => `${k}: ${v}`);
  if (link) lines.push('', `Remediation: ${link}`);
  return { subject: `[lazarus] ${headline(message)}`, text: `${lines.join('\n')}\n` };
}

export function pagerNote(message: NotifyMessage, link: string | undefined): string {
  const parts = [
    headline(message),
    ...facts(message)
      .slice(1)
      .map(([k, v]) => `${k}: ${v}`),
  ];
  if (link) parts.push(link);
  return parts.join('\n');
}
