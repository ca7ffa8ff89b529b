// Types of test-sequencer.js (plain JS: Jest loads it by path, before any TypeScript transform).
import Sequencer from '@jest/test-sequencer';

type Test = Parameters<Sequencer['sort']>[0][number];

/** Jest's sequencer, with the run times of test-durations.json for the files Jest's cache has no time for. */
declare class RecordedDurationsSequencer extends Sequencer {
  /** `recorded`: test file relative to the project root -> ms (default: test-durations.json). */
  constructor(options: ConstructorParameters<typeof Sequencer>[0], recorded?: Record<string, number>);
  readonly recorded: Record<string, number>;
  /** A file's run time in ms: Jest's cache first, then the recorded table; undefined when neither has it. */
  time(test: Test): number | undefined;
}
/** The table from a Jest JSON report: every file's run time in ms (rounded to 100 ms), longest first. */
export function durationsFrom(
  report: { testResults: Array<{ name: string; startTime?: number; endTime?: number }> },
  rootDir: string,
): Record<string, number>;
export default RecordedDurationsSequencer;
