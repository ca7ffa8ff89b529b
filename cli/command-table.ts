// The subcommands `lazarus` knows, in the order `lazarus --help` lists them.
import type { CliCommand } from './command';
import { explainCommand, validateCommand } from './commands';
import { deadlettersCommand } from './commands/deadletters';
import { drillCommand } from './commands/drill';
import { quarantineCommand } from './commands/quarantine';
import { eventsCommand } from './commands/events';
import { governorCommand } from './commands/governor';
import { killswitchCommand, shadowCommand } from './commands/killswitch';
import { cancelCommand, pauseCommand, resumeCommand } from './commands/remediation-signals';
import { submitCommand } from './commands/submit';

export const commandTable: readonly CliCommand[] = [
  validateCommand,
  explainCommand,
  submitCommand,
  eventsCommand,
  pauseCommand,
  resumeCommand,
  cancelCommand,
  killswitchCommand,
  shadowCommand,
  governorCommand,
  quarantineCommand,
  drillCommand,
  deadlettersCommand,
];
