// How every `lazarus` command reads its arguments: node:util parseArgs with positionals allowed, an unknown or
// malformed option or too many positionals as a usage error (exit 2 with the command's help), and for the commands
// that call the API its shared options: where the API is (--url / LAZARUS_API_URL), the token (--token /
// LAZARUS_API_TOKEN) and --json.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from './errors';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
type Parsed<Options extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; options: Options }>
>;

export interface CommandArgs<Options extends OptionsConfig> {
  values: Parsed<Options>['values'];
  positionals: string[];
}

export interface CommandArgsLimits {
  /** More positionals than this are a usage error: `unexpected <the rest>`. Default: any number. */
  maxPositionals?: number;
}

/** Parse a command's arguments against its options; every problem with them is a CliUsageError. */
export function parseCommandArgs<Options extends OptionsConfig>(
  args: readonly string[],
  options: Options,
  limits: CommandArgsLimits = {},
): CommandArgs<Options> {
  let parsed: Parsed<Options>;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options });
  } catch (error) {
    // parseArgs throws TypeErrors with a code for unknown or malformed options.
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
      throw new CliUsageError((error as Error).message);
    throw error;
  }
  const { values, positionals } = parsed;
  const rest = positionals.slice(limits.maxPositionals ?? positionals.length);
  if (rest.length) throw new CliUsageError(`unexpected ${rest.join(' ')}`);
  return { values, positionals };
}

/** The options every API command takes (documented by apiOptionsHelp). */
export const apiOptions = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const apiOptionsHelp = `  --url URL      API base URL (default $LAZARUS_API_URL, else http://localhost:8080)
  --token TOKEN  bearer token (default $LAZARUS_API_TOKEN)
  --json         print the API's JSON answer
  -h, --help

Exit status: 0 ok, 1 rejected by the API (400, 409, 422), 2 bad arguments, 3 token missing, unknown or not allowed
(401, 403), 4 not found, 5 API or a dependency unreachable (503, connection refused).`;

/** Where an API command sends its requests, and with which token. */
export interface ApiTarget {
  url: string;
  token?: string;
}

export interface ApiCommandArgs<Options extends OptionsConfig> extends CommandArgs<typeof apiOptions & Options> {
  target: ApiTarget;
}

/** Parse an API command's arguments: its own options plus --url, --token and --json, and the target they name. */
export function parseApiCommandArgs<Options extends OptionsConfig>(
  args: readonly string[],
  options: Options,
  limits: CommandArgsLimits = {},
): ApiCommandArgs<Options> {
  const { values, positionals } = parseCommandArgs(args, { ...apiOptions, ...options }, limits);
  // The values' type resolves only at the call; these two are the strings of apiOptions.
  const given = values as { url?: string; token?: string };
  const url = (given.url ?? process.env.LAZARUS_API_URL ?? 'http://localhost:8080').replace(/\/+$/, '');
  const token = given.token ?? process.env.LAZARUS_API_TOKEN;
  return { values, positionals, target: { url, ...(token ? { token } : {}) } };
}
