#!/usr/bin/env node
// The `lazarus` command: dispatches to the subcommands of cli/command-table.ts.
import { ExitCode, type CliCommand, type CliIo } from './command';
import { commandTable } from './command-table';
import { CliUsageError } from './errors';

function overview(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    'Usage: lazarus <command> [options]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Run lazarus <command> --help for a command`s options and examples.',
    '',
  ].join('\n');
}

/** Run the CLI with arguments (without `node` and the script) and return the exit code. */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly CliCommand[] = commandTable,
): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic =
      name === 'help'
        ? commands.find((command) => command.name === args[0] || command.aliases?.includes(args[0] ?? ''))
        : undefined;
    io.stdout(topic ? `${topic.help}\n` : overview(commands));
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  const command = commands.find((candidate) => candidate.name === name || candidate.aliases?.includes(name));
  if (!command) {
    io.stderr(`lazarus: unknown command "${name}"\n\n${overview(commands)}`);
    return ExitCode.Usage;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${command.help}\n`);
    return ExitCode.Ok;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    // Bad arguments, including unknown or malformed options (cli/command-args.ts).
    if (error instanceof CliUsageError) {
      io.stderr(`lazarus ${name}: ${error.message}\n\n${command.help}\n`);
      return ExitCode.Usage;
    }
    throw error;
  }
}

if (require.main === module) {
  const io: CliIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    now: () => Date.now(),
  };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`lazarus: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = ExitCode.Failed;
    },
  );
}
