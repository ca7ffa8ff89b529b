import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import fsPromises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { createConfigActivities } from '../../../activities/config';
import { eventOf, minimalFiles } from './config-fixture';
import { readConfigTree } from '../../../platform/config-files';
import { snapshotVersion } from '../../../platform/content-hash';

describe('config activities', () => {
  let root: string;
  let clock: number;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'lazarus-config-'));
    for (const [path, text] of Object.entries(minimalFiles)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    clock = 0;
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  const activities = (): ReturnType<typeof createConfigActivities> =>
    createConfigActivities({ configRoot: root, recheckIntervalMs: 1000, now: () => clock });

  it('reads the tree with paths relative to its root', async () => {
    const files = await readConfigTree(root);
    expect(files.map((file) => file.path).sort()).toEqual(Object.keys(minimalFiles).sort());
  });

  it('matches an event against the files on disk', async () => {
    const result = await activities().resolveEvent(eventOf());
    expect(result.rule?.name).toBe('host_down');
    expect(result.snapshot_version).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('computes the same version as the loader the CLI uses', async () => {
    const { buildSnapshot } = await import('../../../core/config');
    const pure = buildSnapshot(await readConfigTree(root), { hashContent: snapshotVersion });
    expect((await activities().resolveEvent(eventOf())).snapshot_version).toBe(pure.snapshot?.version);
  });

  it('keeps the snapshot within the recheck interval and reloads changed files after it', async () => {
    const config = activities();
    const before = await config.resolveEvent(eventOf());
    writeFileSync(join(root, 'services/web.yaml'), 'name: web\nteam: frontend\nprofile: basic\nshadow: true\n');
    clock = 500;
    expect((await config.resolveEvent(eventOf())).snapshot_version).toBe(before.snapshot_version);
    clock = 1500;
    const after = await config.resolveEvent(eventOf());
    expect(after.snapshot_version).not.toBe(before.snapshot_version);
    expect(after.service?.shadow).toBe(true);
  });

  it('reads the files once for all the lookups that find the snapshot due at the same moment', async () => {
    // a read of the tree lists rules/ first (platform/config-files/read-tree.ts): count those listings
    const readdir = jest.spyOn(fsPromises, 'readdir');
    const rulesDir = join(root, 'rules');
    const treeReads = (): number => readdir.mock.calls.filter(([dir]) => dir === rulesDir).length;
    try {
      const config = activities();
      const lookups = (): Promise<unknown> =>
        Promise.all(Array.from({ length: 20 }, () => config.resolveEvent(eventOf())));
      await lookups();
      expect(treeReads()).toBe(1);
      clock = 1500;
      await lookups();
      expect(treeReads()).toBe(2);
    } finally {
      readdir.mockRestore();
    }
  });

  it('fails non-retryably with type ConfigInvalid and every problem when the files do not load', async () => {
    writeFileSync(join(root, 'services/web.yaml'), 'name: web\nteam: frontend\nprofile: nope\ncolour: red\n');
    const failure = await activities()
      .resolveEvent(eventOf())
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'ConfigInvalid', nonRetryable: true });
    expect((failure as ApplicationFailure).message).toContain('services/web.yaml:4:1: colour: unknown field');
    expect((failure as ApplicationFailure).details?.[0]).toHaveLength(1);
  });

  it('keeps the last snapshot that loaded in force when an edit breaks the files, and reports it once', async () => {
    const reports: string[] = [];
    const config = createConfigActivities({
      configRoot: root,
      recheckIntervalMs: 1000,
      now: () => clock,
      onKeptLastGood: (problem) => reports.push(problem),
    });
    const good = await config.resolveEvent(eventOf());
    writeFileSync(join(root, 'services/web.yaml'), 'name: web\nteam: frontend\nprofile: nope\n');

    clock = 1500;
    expect((await config.resolveEvent(eventOf())).snapshot_version).toBe(good.snapshot_version);
    clock = 3000;
    expect((await config.resolveEvent(eventOf())).snapshot_version).toBe(good.snapshot_version);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain('services/web.yaml');

    // fixed: the new files take effect
    writeFileSync(join(root, 'services/web.yaml'), 'name: web\nteam: frontend\nprofile: basic\nshadow: true\n');
    clock = 4500;
    const fixed = await config.resolveEvent(eventOf());
    expect(fixed.snapshot_version).not.toBe(good.snapshot_version);
    expect(fixed.service?.shadow).toBe(true);
  });
});
