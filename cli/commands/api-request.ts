// What the API-backed commands share once their arguments are read (cli/command-args.ts): one request function, exit
// codes by kind of failure, and plain-text tables.
import type { ApiErrorBody } from '../../api/types';
import type { CliIo } from '../command';
import type { ApiTarget } from '../command-args';

/**
 * Exit codes of the API commands (docs/api.md): 0 ok, 1 rejected, 2 usage, 3 auth, 4 not found, 5 unavailable,
 * 6 gave up waiting (submit --wait --timeout).
 */
export const ApiExitCode = { Ok: 0, Rejected: 1, Usage: 2, Auth: 3, NotFound: 4, Unavailable: 5, Timeout: 6 } as const;

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** One API call; a connection failure is answered as status 0. */
export async function callApi(target: ApiTarget, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  try {
    const response = await fetch(`${target.url}${path}`, {
      method,
      headers: {
        ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // keep the text
    }
    return { status: response.status, body: parsed };
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    const body: ApiErrorBody = {
      error: { code: 'unreachable', message: `${target.url}: ${cause ?? (error as Error).message}` },
    };
    return { status: 0, body };
  }
}

/** Print the answer's error and return the exit code for its status. */
export function reportFailure(io: CliIo, command: string, answer: ApiAnswer): number {
  const error = (answer.body as Partial<ApiErrorBody> | null)?.error;
  io.stderr(
    `lazarus ${command}: ${error?.message ?? `HTTP ${answer.status}`}${answer.status ? ` (${answer.status})` : ''}\n`,
  );
  if (answer.status === 401 || answer.status === 403) return ApiExitCode.Auth;
  if (answer.status === 404) return ApiExitCode.NotFound;
  if (answer.status === 0 || answer.status >= 500) return ApiExitCode.Unavailable;
  return ApiExitCode.Rejected;
}

/** Print the answer: JSON with --json, else what `render` makes of it; returns the exit code. */
export function finish(
  io: CliIo,
  command: string,
  answer: ApiAnswer,
  json: boolean | undefined,
  render: (body: unknown) => string,
): number {
  if (answer.status < 200 || answer.status >= 300) return reportFailure(io, command, answer);
  io.stdout(json ? `${JSON.stringify(answer.body, null, 2)}\n` : render(answer.body));
  return ApiExitCode.Ok;
}

/** Columns padded to their widest cell; missing cells print as "-". */
export function formatTable(
  headers: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | undefined>>,
): string {
  const cells = [headers, ...rows.map((row) => headers.map((_, i) => row[i] ?? '-'))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return `${cells
    .map((row) =>
      row
        .map((cell, i) => (cell ?? '').padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

export function timeOf(epochMs: number | undefined): string | undefined {
  return epochMs === undefined ? undefined : new Date(epochMs).toISOString();
}
