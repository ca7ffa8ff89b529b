// SLOW (~20 s on 2 cores): the fast subset of the fault drills (devstack/chaos/, docs/chaos.md) through the same runner
// as `npm run chaos`: AWS answering 5xx and throttling (an 8 s window here, 30 s in the full run) and a native cancel
// mid-drain, on the test run's dev server and moto, with the drills' own fault proxy, emulators and a real worker
// process; remediations are started as the bridge starts them. Each drill must lose no event, launch no duplicate
// instance and leave no page acknowledged without a person told.
import { liveServices } from '../../devstack/service-process';
import { fastDrills } from '../../devstack/chaos/drills';
import { formatDrill, runChaos } from '../../devstack/chaos/runner';
import { stackValue } from '../support/stack-env';

afterAll(() => {
  // Whatever failed above: no process of the drills may outlive the file.
  for (const service of liveServices()) service.kill();
});

test('fast fault drills: 0 events lost, 0 duplicate actions, 0 pages left acknowledged without a person told', async () => {
  const lines: string[] = [];
  const report = await runChaos({
    only: fastDrills,
    fast: true,
    stack: {
      ingest: 'direct',
      temporal: { address: stackValue('temporalAddress'), namespace: stackValue('temporalNamespace') },
      moto: stackValue('awsEndpoint'),
      workflowBundle: stackValue('workflowBundle'),
    },
    log: (line) => lines.push(line),
    outcomeTimeoutMs: 60_000,
  });
  process.stdout.write(`${report.drills.map(formatDrill).join('')}\n`);
  for (const drill of report.drills) {
    expect([drill.drill, drill.ran, drill.violations]).toEqual([drill.drill, true, []]);
    expect(drill.eventsLost).toBe(0);
    expect(drill.duplicateActions).toBe(0);
    expect(drill.pagesLeftAcknowledged).toBe(0);
  }
  expect(report.drills.find((d) => d.drill === 'cancel-drain')?.outcomes).toEqual({ CANCELLED: 1 });
  expect(report.ok).toBe(true);
}, 150_000);
