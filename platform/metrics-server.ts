// A bare Prometheus endpoint for processes that have no HTTP server of their own (worker, Kinesis bridge):
// GET /metrics answers the registry's text, anything else 404.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { MetricsServerError } from './errors';

export interface MetricsServerOptions {
  /** 0 picks a free port (the returned `port` says which). */
  port: number;
  /** Default 127.0.0.1; 0.0.0.0 to be scraped from other machines. */
  host?: string;
}

export interface RunningMetricsServer {
  port: number;
  close(): Promise<void>;
}

export async function serveMetrics(registry: Registry, options: MetricsServerOptions): Promise<RunningMetricsServer> {
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`no route ${request.method} ${path}: metrics are at GET /metrics\n`);
      return;
    }
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) });
        response.end(text);
      },
      (error: unknown) => {
        // A collect() that throws must not take the process down; the scrape fails visibly instead.
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end(`metrics collection failed: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    );
  });
  server.keepAliveTimeout = 10_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void =>
      reject(new MetricsServerError(`${host}:${options.port}`, error.code, error.message));
    server.once('error', failed);
    server.listen(options.port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
