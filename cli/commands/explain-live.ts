// `lazarus explain --live`: POST /v1/explain and print each gate, the first that would stop the event and its inputs.
import type { LazarusEvent } from '../../core/event';
import type { CliIo } from '../command';
import { callApi, reportFailure } from './api-request';

interface LiveGate {
  gate: string;
  verdict: string;
  outcome?: string;
  reason?: string;
  detail: Record<string, unknown>;
}
interface LiveExplanation {
  rule?: string;
  gates: LiveGate[];
  first_stop?: LiveGate;
  would_run?: { runbook: string; steps: Array<{ id: string; activity: string }> };
}

export function renderLiveExplanation(e: LiveExplanation): string {
  const lines = [`Live gates${e.rule ? ` for rule ${e.rule}` : ''}:`];
  for (const g of e.gates)
    lines.push(`  ${g.verdict.toUpperCase().padEnd(6)} ${g.gate}${g.reason ? `: ${g.reason}` : ''}`);
  if (e.first_stop) {
    lines.push(
      '',
      `First gate that would stop it: ${e.first_stop.gate} → ${e.first_stop.outcome ?? e.first_stop.verdict}`,
    );
    lines.push(`  inputs: ${JSON.stringify(e.first_stop.detail)}`);
  }
  if (e.would_run) {
    lines.push(
      '',
      `${e.first_stop ? 'Otherwise it would run' : 'It would run'} ${e.would_run.runbook}: ` +
        e.would_run.steps.map((s) => `${s.id} (${s.activity})`).join(', '),
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function explainLiveCommand(
  event: LazarusEvent,
  values: Record<string, unknown>,
  io: CliIo,
): Promise<number> {
  const url = (
    typeof values.url === 'string' ? values.url : (process.env.LAZARUS_API_URL ?? 'http://localhost:8080')
  ).replace(/\/+$/, '');
  const token = typeof values.token === 'string' ? values.token : process.env.LAZARUS_API_TOKEN;
  const answer = await callApi({ url, ...(token ? { token } : {}) }, 'POST', '/v1/explain', event);
  if (answer.status !== 200) return reportFailure(io, 'explain', answer);
  const explanation = answer.body as LiveExplanation;
  io.stdout(values.json ? `${JSON.stringify(explanation, null, 2)}\n` : renderLiveExplanation(explanation));
  return explanation.first_stop ? 1 : 0;
}
