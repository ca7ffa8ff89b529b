// Reading Prometheus text exposition in tests.

/** The value of one sample (`name{labels}` exactly as exposed, labels in exposition order), or undefined if absent. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
