// Small pieces the HTTP stand-ins share: reading a JSON body, answering JSON, listening on a port.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export async function readJson(req: IncomingMessage, limitBytes = 1_000_000): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new Error(`body larger than ${limitBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : {};
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * Keep idle connections open longer than clients do (undici closes its idle sockets after 4 s): with Node's 5 s
 * default, a loaded machine lets the server close a socket just as a client reuses it ("other side closed").
 */
export function outlastClientKeepAlive<T extends { keepAliveTimeout: number; headersTimeout: number }>(server: T): T {
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 61_000;
  return server;
}
