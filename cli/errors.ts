// Errors of the command line itself (as opposed to what a command reports).

/** The arguments do not make sense: print the message and the command's help, exit 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}
