// The subcommands `lazarus` knows, in the order `lazarus --help` lists them.
import type { CliCommand } from './command';
import { explainCommand, validateCommand } from './commands';

export const commandTable: readonly CliCommand[] = [validateCommand, explainCommand];
