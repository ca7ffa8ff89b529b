// The order Jest starts test files in. Jest runs the longest files first when its cache holds their run times from an
// earlier run on this machine, and otherwise (a fresh clone, as in CI) the largest files first, which puts some of the
// long ones late: with four files at a time the run then ends with a long file alone and idle cores (cold runs,
// alternating, size order vs this one: 177.9 vs 170.7 s and 185.8 vs 163.8 s). Here a file Jest has no time for
// takes its time from test/support/test-durations.json, the run times of a recorded full run; a file in neither (a
// new one) runs first, as Jest does with it. Jest's own rules are kept: files that failed last time come first, and
// a run time in Jest's cache wins over the recorded one.
//
// Refresh the table from a full run's results (`.ci/run` writes them to .state/jest-results.json):
//   node test/support/test-sequencer.js .state/jest-results.json
const fs = require('node:fs');
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const tablePath = path.join(__dirname, 'test-durations.json');

/** A path relative to the project root, with forward slashes (the table's keys). */
function relativePath(rootDir, file) {
  return path.relative(rootDir, file).split(path.sep).join('/');
}

class RecordedDurationsSequencer extends Sequencer {
  constructor(options, recorded = JSON.parse(fs.readFileSync(tablePath, 'utf8'))) {
    super(options);
    /** Test file (relative to the project root) -> milliseconds. */
    this.recorded = recorded;
  }

  time(test) {
    return super.time(test) ?? this.recorded[relativePath(test.context.config.rootDir, test.path)];
  }
}

/** The table from a Jest JSON report: every file's run time in ms, rounded to 100 ms, longest first. */
function durationsFrom(report, rootDir) {
  const rows = report.testResults
    .filter((r) => typeof r.startTime === 'number' && typeof r.endTime === 'number')
    .map((r) => [relativePath(rootDir, r.name), Math.round((r.endTime - r.startTime) / 100) * 100]);
  rows.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return Object.fromEntries(rows);
}

if (require.main === module) {
  const reportPath = process.argv[2];
  if (!reportPath) {
    process.stderr.write('usage: node test/support/test-sequencer.js <jest --json report>\n');
    process.exit(2);
  }
  const table = durationsFrom(JSON.parse(fs.readFileSync(reportPath, 'utf8')), path.resolve(__dirname, '..', '..'));
  fs.writeFileSync(tablePath, `${JSON.stringify(table, null, 2)}\n`);
  process.stdout.write(
    `${Object.keys(table).length} test files recorded in ${path.relative(process.cwd(), tablePath)}\n`,
  );
}

module.exports = RecordedDurationsSequencer;
module.exports.durationsFrom = durationsFrom;
