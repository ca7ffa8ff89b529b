// What can be wrong with configuration files and events, as data (ConfigIssue) and as errors callers branch on.

/** One problem in one configuration file: where it is and what is wrong. Lines and columns are 1-based. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** Field path inside the file, e.g. `steps[2].input.instanceId`; empty for the whole file. */
  path: string;
  message: string;
}

/** `file:line:col: path: message`, the form `lazarus validate` prints and editors can jump to. */
export function formatConfigIssue(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.path === '' ? '<root>' : issue.path}: ${issue.message}`;
}

/** The configuration does not load; `issues` lists every problem found in one pass. */
export class ConfigInvalidError extends Error {
  override readonly name = 'ConfigInvalidError';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `configuration is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map(formatConfigIssue).join('\n'),
    );
  }
}

/** One problem in an event: the field path (`details`, `occurred_at`, `<root>`) and what is wrong. */
export interface EventIssue {
  path: string;
  message: string;
}

/** An event that does not satisfy core/schemas/event.schema.json. */
export class EventInvalidError extends Error {
  override readonly name = 'EventInvalidError';
  constructor(readonly issues: readonly EventIssue[]) {
    super(`invalid event: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`);
  }
}
