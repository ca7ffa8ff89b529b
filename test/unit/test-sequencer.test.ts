// The order test files start in (test/support/test-sequencer.js): longest first from the recorded table when Jest's
// cache has no run times (a fresh clone), Jest's own times and failed-first rule otherwise.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import RecordedDurationsSequencer, { durationsFrom } from '../support/test-sequencer';

type Test = Parameters<RecordedDurationsSequencer['sort']>[0][number];

const rootDir = '/project';
let cacheDirectory: string;
beforeEach(() => {
  cacheDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'lazarus-sequencer-'));
});
afterEach(() => fs.rmSync(cacheDirectory, { recursive: true, force: true }));

/** Test files of one Jest context (one cache), each with a size on disk as Jest's haste map reports it. */
function testsOf(files: Array<[name: string, size: number]>): Test[] {
  const sizes = new Map(files.map(([name, size]) => [path.join(rootDir, name), size]));
  const context = {
    config: { rootDir, cacheDirectory, cache: true, id: 'unit-sequencer', haste: {} },
    hasteFS: { getSize: (file: string) => sizes.get(file) },
  };
  return files.map(([name]) => ({ path: path.join(rootDir, name), context }) as unknown as Test);
}

function names(tests: Test[]): string[] {
  return tests.map((t) => path.relative(rootDir, t.path));
}

describe('test sequencer', () => {
  it('starts the longest recorded files first when Jest has no times, not the largest files', async () => {
    const sequencer = new RecordedDurationsSequencer({} as never, {
      'test/a.test.ts': 1_000,
      'test/b.test.ts': 50_000,
      'test/c.test.ts': 20_000,
    });
    // sizes in the opposite order: Jest alone would start a, then c, then b
    const order = await sequencer.sort(
      testsOf([
        ['test/a.test.ts', 30_000],
        ['test/b.test.ts', 1_000],
        ['test/c.test.ts', 10_000],
      ]),
    );
    expect(names(order)).toEqual(['test/b.test.ts', 'test/c.test.ts', 'test/a.test.ts']);
  });

  it('runs a file the table does not know first, as Jest does with a file it has no time for', async () => {
    const sequencer = new RecordedDurationsSequencer({} as never, { 'test/old.test.ts': 60_000 });
    const order = await sequencer.sort(
      testsOf([
        ['test/old.test.ts', 5_000],
        ['test/new.test.ts', 100],
      ]),
    );
    expect(names(order)).toEqual(['test/new.test.ts', 'test/old.test.ts']);
  });

  it("prefers Jest's cached times and keeps its failed-first rule", async () => {
    const tests = testsOf([
      ['test/a.test.ts', 1],
      ['test/b.test.ts', 1],
      ['test/c.test.ts', 1],
    ]);
    const sequencer = new RecordedDurationsSequencer({} as never, {
      'test/a.test.ts': 90_000,
      'test/b.test.ts': 10_000,
      'test/c.test.ts': 5_000,
    });
    // Jest's cache from an earlier run here: a was quick after all, b slow, c failed
    fs.writeFileSync(
      sequencer._getCachePath(tests[0].context),
      JSON.stringify({
        [path.join(rootDir, 'test/a.test.ts')]: [1, 2_000],
        [path.join(rootDir, 'test/b.test.ts')]: [1, 40_000],
        [path.join(rootDir, 'test/c.test.ts')]: [0, 1_000],
      }),
    );
    expect(names(await sequencer.sort(tests))).toEqual(['test/c.test.ts', 'test/b.test.ts', 'test/a.test.ts']);
  });

  it('records a Jest report as run times relative to the project root, longest first', () => {
    const table = durationsFrom(
      {
        testResults: [
          { name: '/project/test/a.test.ts', startTime: 1_000, endTime: 2_260 },
          { name: '/project/test/b.test.ts', startTime: 1_000, endTime: 31_040 },
          { name: '/project/test/broken.test.ts' },
        ],
      },
      rootDir,
    );
    expect(Object.entries(table)).toEqual([
      ['test/b.test.ts', 30_000],
      ['test/a.test.ts', 1_300],
    ]);
  });

  it('ships a table naming test files that exist', () => {
    const table = JSON.parse(
      fs.readFileSync(path.join(__dirname, '..', 'support', 'test-durations.json'), 'utf8'),
    ) as Record<string, number>;
    const projectRoot = path.resolve(__dirname, '..', '..');
    const missing = Object.keys(table).filter((file) => !fs.existsSync(path.join(projectRoot, file)));
    expect(missing).toEqual([]);
    expect(Object.keys(table).length).toBeGreaterThan(50);
  });
});
