// The API's settings that are read at start, with the others: its default region must be declared, and the future
// skew of events (LAZARUS_EVENT_MAX_FUTURE_SKEW_MS) is one setting for events and dead-letter replays alike.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { eventFromStoredPayload } from '../../ingest/bridge/model/dead-letter-replay';
import { projectRoot } from '../support/source-process';

/** `node api/main.ts` (from source) with only `extra` and PATH in its environment: its exit code and its lines. */
async function runApiMain(extra: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['-r', path.join(projectRoot, 'test', 'support', 'ts-require.js'), path.join(projectRoot, 'api', 'main.ts')],
    {
      cwd: projectRoot,
      env: { PATH: process.env.PATH, LAZARUS_API_PORT: '0', LAZARUS_API_DEV_TOKENS: '1', ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  const ours = stderr
    .split('\n')
    .filter((line) => line.startsWith('lazarus api:') && !line.includes('development tokens enabled'))
    .join('\n');
  return { code, stderr: ours };
}

it('refuses to start with one line: a default region that is not declared, a future skew that is not a number', async () => {
  const [region, skew] = await Promise.all([
    runApiMain({ LAZARUS_API_REGION: 'eu-north-1' }),
    runApiMain({ LAZARUS_EVENT_MAX_FUTURE_SKEW_MS: 'five minutes' }),
  ]);
  expect(region).toEqual({
    code: 1,
    stderr:
      `lazarus api: LAZARUS_API_REGION: the API's default region "eu-north-1" is not declared in ` +
      `${path.join(projectRoot, 'services', 'deployment.yaml')} (declared: us-east-1)`,
  });
  expect(skew).toEqual({
    code: 1,
    stderr:
      'lazarus api: LAZARUS_EVENT_MAX_FUTURE_SKEW_MS: expected a whole number of milliseconds >= 0, got "five minutes"',
  });
}, 120_000);

it('a dead letter replayed is checked with the edge settings: its future skew and declared regions', () => {
  const event = {
    incident_key: 'replay-skew',
    event_type: 'HealthcheckDown',
    source: 'api',
    service: 'web',
    host: 'i-0abc',
    region: 'us-east-1',
    environment: 'prod',
    occurred_at: new Date(Date.now() + 60_000).toISOString(),
  };
  const stored = Buffer.from(JSON.stringify(event)).toString('base64');

  expect(eventFromStoredPayload(stored, 65_536).ok).toBe(true);
  expect(eventFromStoredPayload(stored, 65_536, { maxFutureSkewMs: 1000 })).toMatchObject({ field: 'occurred_at' });
  expect(eventFromStoredPayload(stored, 65_536, { declaredRegions: ['eu-west-1'] })).toMatchObject({ field: 'region' });
});
