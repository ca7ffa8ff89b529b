// The p-th percentile (0-100) of figures already sorted ascending, nearest-rank; NaN when there are none.
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
