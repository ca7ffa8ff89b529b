// What a `lazarus` subcommand is: a name, a one-line summary, its help text, and a run function that writes to the
// given streams and returns the exit code. Commands never call process.exit, so tests run them in-process.

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Directory relative paths are resolved against. */
  cwd: string;
  /** Current time in milliseconds (the event time of `explain` with flags). */
  now(): number;
}

export interface CliCommand {
  name: string;
  /** Other names the command answers to (`kill-switch` for `killswitch`). */
  aliases?: readonly string[];
  summary: string;
  /** Full help, with usage and examples. */
  help: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Exit codes shared by every command. */
export const ExitCode = { Ok: 0, Failed: 1, Usage: 2 } as const;
