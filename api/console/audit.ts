// What was done through the console, by whom: every login, logout and change a console session makes (kill switch,
// shadow, pause/resume/cancel, dead-letter replay) with its actor, target and answer. Each entry is one JSON line in
// the API's log (the durable record; the changes themselves also record their actor in Temporal) and stays in a
// bounded in-memory list the console's audit page shows.
export interface ConsoleAuditEntry {
  at: string;
  /** `<role>:<token id>`, as the API records actors. */
  actor: string;
  /** `login`, `logout`, `login_refused`, or the API change: `PUT /v1/killswitch`. */
  action: string;
  /** What the change named: the path and its region or body summary. */
  target?: string;
  /** The HTTP status the API answered (a refused change is audited too). */
  status: number;
  detail?: string;
}

export const maxAuditEntriesKept = 500;

export class ConsoleAudit {
  private readonly entries: ConsoleAuditEntry[] = [];

  constructor(private readonly log: (entry: Record<string, unknown>) => void) {}

  record(entry: Omit<ConsoleAuditEntry, 'at'>): ConsoleAuditEntry {
    const full: ConsoleAuditEntry = { at: new Date().toISOString(), ...entry };
    this.entries.push(full);
    if (this.entries.length > maxAuditEntriesKept) this.entries.splice(0, this.entries.length - maxAuditEntriesKept);
    this.log({ level: 'info', msg: 'console audit', ...full });
    return full;
  }

  /** Newest first. */
  list(limit = 100): ConsoleAuditEntry[] {
    return this.entries.slice(-limit).reverse();
  }
}
