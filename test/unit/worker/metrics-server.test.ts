import net from 'node:net';
import { Counter, Registry } from 'prom-client';
import { MetricsServerError } from '../../../platform/errors';
import { serveMetrics, type RunningMetricsServer } from '../../../platform/metrics-server';

describe('serveMetrics', () => {
  let server: RunningMetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers GET /metrics with the registry text and content type on the port it picked', async () => {
    const registry = new Registry();
    new Counter({ name: 'test_things_total', help: 'things', registers: [registry] }).inc(3);
    server = await serveMetrics(registry, { port: 0 });
    expect(server.port).toBeGreaterThan(0);

    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(registry.contentType);
    expect(await response.text()).toContain('test_things_total 3');
  });

  it('answers 404 to any other path or method', async () => {
    server = await serveMetrics(new Registry(), { port: 0 });
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metricsx`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(404);
  });

  it('answers 500, and keeps serving, when a collect() throws', async () => {
    const registry = new Registry();
    new Counter({
      name: 'test_broken_total',
      help: 'broken',
      registers: [registry],
      collect() {
        throw new Error('boom');
      },
    });
    server = await serveMetrics(registry, { port: 0 });
    const first = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(first.status).toBe(500);
    expect(await first.text()).toContain('boom');
    expect((await fetch(`http://127.0.0.1:${server.port}/nothing`)).status).toBe(404);
  });

  it('names the address when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const attempt = serveMetrics(new Registry(), { port });
      await expect(attempt).rejects.toBeInstanceOf(MetricsServerError);
      await expect(attempt).rejects.toThrow(`metrics server: cannot listen on 127.0.0.1:${port}`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
