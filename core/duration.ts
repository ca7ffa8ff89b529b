// Durations as users write them in YAML ("30s", "10m", "1h30m", "250ms") and as the resolved configuration holds
// them (milliseconds). Pure: workflows may import it.

export class DurationFormatError extends Error {
  override readonly name = 'DurationFormatError';
  constructor(readonly text: string) {
    super(`invalid duration "${text}": expected a number and a unit (ms, s, m, h, d), e.g. "30s", "10m", "1h30m"`);
  }
}

const unitMs: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The pattern the JSON Schemas use for duration strings. */
export const durationPattern = '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$';
const wholeDuration = new RegExp(durationPattern);
const durationPart = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Parse "30s", "10m", "2h", "1h30m", "250ms", "1.5h" into whole milliseconds; throws DurationFormatError. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (!wholeDuration.test(trimmed)) {
    throw new DurationFormatError(text);
  }
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(durationPart)) {
    total += Number(amount) * (unitMs[unit ?? ''] ?? 0);
  }
  return Math.round(total);
}

/** Render milliseconds the way a user would write them: 1800000 → "30m", 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (ms === 0) {
    return '0s';
  }
  let rest = ms;
  let text = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = unitMs[unit] ?? 1;
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}
