import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DevConfigError } from '../../devstack/errors';
import { loadTemporalDevConfig, startDevArgs } from '../../devstack/temporal-dev';

function writeTemp(content: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lazarus-devcfg-')), 'temporal-dev.yaml');
  fs.writeFileSync(file, content);
  return file;
}

describe('temporal-dev.yaml', () => {
  it('turns the shipped file into start-dev flags with every Lazarus search attribute and the Update API', () => {
    const args = startDevArgs(loadTemporalDevConfig(), '/project');
    const joined = args.join(' ');
    expect(args.slice(0, 2)).toEqual(['server', 'start-dev']);
    expect(joined).toContain('--port 7233');
    expect(joined).toContain('--ui-port 8233');
    expect(joined).toContain('--db-filename /project/.state/temporal.sqlite');
    expect(joined).toContain('--sqlite-pragma journal_mode=WAL');
    expect(joined).toContain('--sqlite-pragma synchronous=NORMAL');
    for (const name of ['Service', 'Host', 'Region', 'EventType', 'Rule', 'Outcome']) {
      expect(joined).toContain(`--search-attribute Lazarus${name}=Keyword`);
    }
    expect(joined).toContain('--dynamic-config-value frontend.enableUpdateWorkflowExecution=true');
  });

  it('runs headless and in memory when ui_port and db_filename are null', () => {
    const args = startDevArgs({ ip: '127.0.0.1', port: 9999, namespace: 'x', ui_port: null, db_filename: null });
    expect(args).toContain('--headless');
    expect(args).not.toContain('--db-filename');
  });

  it('rejects unknown keys and wrong types, naming the file and every field', () => {
    const file = writeTemp('ip: 127.0.0.1\nport: "seven"\nnamespace: default\ndb_filename: x\nui_prot: 8233\n');
    let error: unknown;
    try {
      loadTemporalDevConfig(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DevConfigError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain('/port must be integer');
    expect((error as Error).message).toContain('must NOT have additional properties');
  });

  it('reports YAML that does not parse', () => {
    const file = writeTemp('ip: [unclosed\n');
    expect(() => loadTemporalDevConfig(file)).toThrow(/cannot be read as YAML/);
  });
});
