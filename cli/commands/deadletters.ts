// `lazarus deadletters list|show|replay`: stream records the bridge could not use, through GET /v1/deadletters,
// GET /v1/deadletters/{id} and POST /v1/deadletters/{id}/replay (operator token).
import fs from 'node:fs';
import { resolve } from 'node:path';
import type {
  DeadLetterDetail,
  DeadLetterList,
  DeadLetterReplayReceipt,
  DeadLetterReplayRequest,
  DeadLetterSummary,
} from '../../api/types';
import { deadLetterReasons, type DeadLetterReplay } from '../../contracts/dead-letter';
import type { CliCommand } from '../command';
import { apiOptionsHelp, parseApiCommandArgs } from '../command-args';
import { CliUsageError } from '../errors';
import { callApi, finish, formatTable, reportFailure } from './api-request';
import { whereSubmitted } from './submit';

/** Longest payload `show` prints; --json has all of it. */
const shownPayloadChars = 4000;

function shortened(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function renderList(letters: DeadLetterSummary[]): string {
  if (letters.length === 0) return 'no dead letters match\n';
  return formatTable(
    ['DEAD-LETTERED', 'ID', 'REASON', 'STREAM/SHARD', 'SIZE', 'STATUS', 'DETAIL'],
    letters.map((letter) => [
      letter.dead_lettered_at,
      letter.id,
      letter.reason,
      letter.stream !== undefined ? `${letter.stream}/${letter.shard_id ?? '-'}` : undefined,
      letter.size_bytes !== undefined ? `${letter.size_bytes} B` : undefined,
      letter.status,
      shortened(letter.detail, 80),
    ]),
  );
}

function replayLine(replay: DeadLetterReplay): string {
  return (
    `replayed by ${replay.actor} at ${replay.at} as incident ${replay.incident_key} (workflow ${replay.workflow_id})` +
    `${replay.corrected ? ', with a corrected payload' : ''}`
  );
}

/** The payload for reading: pretty JSON when it parses, the text as is otherwise, a note when it is not text. */
function renderPayload(letter: DeadLetterDetail): string {
  if (letter.payload_text === undefined) {
    return `(not text: ${letter.size_bytes} bytes; the bytes are payload_base64 in lazarus deadletters show ${letter.id} --json)`;
  }
  let text = letter.payload_text;
  try {
    text = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // not JSON: show the text as it came
  }
  return text.length > shownPayloadChars
    ? `${text.slice(0, shownPayloadChars)}\n… (${text.length - shownPayloadChars} more characters; --json shows all)`
    : text;
}

function renderDetail(letter: DeadLetterDetail): string {
  const source = letter.source;
  const status =
    letter.status === 'replayed' && letter.replay
      ? `replayed: ${replayLine(letter.replay)}`
      : letter.status === 'expired'
        ? `expired${letter.closed_at ? ` at ${letter.closed_at}` : ''} (not replayed within the retention)`
        : 'pending';
  const lines = [
    `dead letter    ${letter.id}`,
    `status         ${status}`,
    `reason         ${letter.reason}`,
    `detail         ${letter.detail}`,
    ...('route' in source
      ? [
          `route          ${source.route}${source.query ? `?${source.query}` : ''} (${source.content_type ?? 'no content type'})`,
          `received       ${source.received_at}${source.token_id ? ` from token ${source.token_id}` : ''}`,
        ]
      : [
          `stream         ${source.stream}, shard ${source.shard_id}, sequence ${source.sequence_number}`,
          `partition key  ${source.partition_key}${source.arrived_at ? ` (arrived ${source.arrived_at})` : ''}`,
        ]),
    `size           ${letter.size_bytes} bytes`,
    `dead-lettered  ${letter.dead_lettered_at}`,
    '',
    'payload:',
    renderPayload(letter),
  ];
  if (letter.status === 'pending') {
    lines.push(
      '',
      `replay it: lazarus deadletters replay ${letter.id}   (or with --payload corrected.json to replay a fix)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export const deadlettersCommand: CliCommand = {
  name: 'deadletters',
  summary: 'list stream records the bridge could not use, show one with its payload, replay it (as is or corrected)',
  help: `Usage: lazarus deadletters list [--reason R] [--status S] [--limit N] [options]
       lazarus deadletters show ID [options]
       lazarus deadletters replay ID [--payload corrected.json] [options]

A dead letter is a record of the event stream that the bridge could not turn into an event (not JSON, a schema
error, too large, refused by Temporal). It is kept, with why, until replayed or for its retention (14 days by default). Its ID is <stream>.<shard id>.<sequence number>. All three
actions need an operator token.

list:   dead letters from Temporal visibility, newest first (GET /v1/deadletters)
show:   one dead letter: reason, where on the stream it came from, the payload (GET /v1/deadletters/{id})
replay: submit the stored payload, or the corrected event in --payload, exactly as lazarus submit does; the API
        validates it first (still invalid: exit 1 naming the field, the dead letter stays pending), then marks the
        dead letter replayed with you as the actor. A dead letter already replayed or expired: exit 1 (409).

Options:
  --reason R        list: ${deadLetterReasons.join(', ')}
  --status S        list: pending (default), replayed, expired or all
  --limit N         list: at most N (default 50)
  --payload FILE    replay: a JSON file with the corrected event instead of the stored payload
${apiOptionsHelp}

Examples:
  lazarus deadletters list
  lazarus deadletters list --reason schema --status all --limit 20
  lazarus deadletters show events.shardId-000000000000.49590338271490256608559692538361571095921575989136588898
  lazarus deadletters show ID --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["payload_text"])' > fix.json
  lazarus deadletters replay ID --payload fix.json
  lazarus deadletters replay ID                    # the stored payload as it is (e.g. after a schema change)`,
  async run(args, io) {
    const { values, positionals, target } = parseApiCommandArgs(
      args,
      {
        reason: { type: 'string' },
        status: { type: 'string' },
        limit: { type: 'string' },
        payload: { type: 'string' },
      },
      { maxPositionals: 2 },
    );
    const [action, id] = positionals;
    const listOnly = (['reason', 'status', 'limit'] as const).filter((name) => values[name] !== undefined);
    if (action !== 'list' && listOnly.length) throw new CliUsageError(`--${listOnly[0]} goes with list`);
    if (action !== 'replay' && values.payload !== undefined) throw new CliUsageError('--payload goes with replay');

    if (action === 'list' && id === undefined) {
      const query = new URLSearchParams();
      for (const name of listOnly) query.set(name, values[name] as string);
      const answer = await callApi(target, 'GET', `/v1/deadletters${query.size ? `?${query.toString()}` : ''}`);
      return finish(io, 'deadletters list', answer, values.json, (body) =>
        renderList((body as DeadLetterList).dead_letters),
      );
    }
    if (action === 'show' && id !== undefined) {
      const answer = await callApi(target, 'GET', `/v1/deadletters/${encodeURIComponent(id)}`);
      return finish(io, 'deadletters show', answer, values.json, (body) => renderDetail(body as DeadLetterDetail));
    }
    if (action === 'replay' && id !== undefined) {
      let body: DeadLetterReplayRequest | undefined;
      if (values.payload !== undefined) {
        const file = resolve(io.cwd, values.payload);
        try {
          body = { payload: JSON.parse(fs.readFileSync(file, 'utf8')) as unknown };
        } catch (error) {
          throw new CliUsageError(`--payload: cannot read ${file} as JSON: ${(error as Error).message}`);
        }
      }
      const answer = await callApi(target, 'POST', `/v1/deadletters/${encodeURIComponent(id)}/replay`, body);
      if (answer.status === 422) {
        const code = reportFailure(io, 'deadletters replay', answer);
        io.stderr(
          `the dead letter stays pending; correct the event and replay it: lazarus deadletters replay ${id} --payload fixed.json\n`,
        );
        return code;
      }
      return finish(io, 'deadletters replay', answer, values.json, (answered) => {
        const receipt = answered as DeadLetterReplayReceipt;
        return (
          `replayed ${id} as incident ${receipt.incident_key}: ${whereSubmitted(receipt)}\n` +
          `follow it: lazarus events show ${receipt.incident_key}\n`
        );
      });
    }
    throw new CliUsageError('expected "deadletters list", "deadletters show ID" or "deadletters replay ID"');
  },
};
