// The codec endpoint of the payload codec (platform/payload-codec.ts): POST /encode and POST /decode with the body
// the Temporal Web UI and the `temporal` CLI send ({ "payloads": [{ "metadata": { k: base64 }, "data": base64 }] }),
// answering the same shape. Whoever can call /decode reads the payloads, so it binds to loopback by default and may
// demand a bearer token (LAZARUS_CODEC_AUTH_TOKEN; the CLI sends it with --codec-auth "Bearer <token>", the Web UI
// with its "pass access token" setting). CORS answers only the configured Web UI origins.
//
//   LAZARUS_PAYLOAD_KEY (required here) and LAZARUS_PAYLOAD_KEY_ID / LAZARUS_PAYLOAD_OLD_KEYS, as for the codec
//   LAZARUS_CODEC_HOST (default 127.0.0.1), LAZARUS_CODEC_PORT (default 8888)
//   LAZARUS_CODEC_CORS_ORIGINS  comma-separated Web UI origins (default http://localhost:8233,http://127.0.0.1:8233)
//   LAZARUS_CODEC_AUTH_TOKEN    when set, requests need `Authorization: Bearer <token>`
//
// Run: `node dist/platform/codec-server.js`; then `temporal workflow show -w ID --codec-endpoint http://127.0.0.1:8888`
// and `temporal server start-dev --ui-codec-endpoint http://127.0.0.1:8888` (or the UI's codec server setting).
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { RuntimeConfigError } from '../core';
import { AesGcmPayloadCodec, readPayloadCodecSettings } from './payload-codec';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  corsOrigins?: string[];
  authToken?: string;
  /** Largest request body accepted (default 8 MiB). */
  maxBodyBytes?: number;
}

export interface RunningCodecServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

export const defaultCodecCorsOrigins = ['http://localhost:8233', 'http://127.0.0.1:8233'];

class BadRequest extends Error {}

function fromJson(body: unknown): Payload[] {
  const payloads = (body as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(payloads)) throw new BadRequest('expected {"payloads": [...]}');
  return payloads.map((p: JsonPayload) => {
    if (typeof p !== 'object' || p === null) throw new BadRequest('each payload must be an object');
    const metadata: Record<string, Uint8Array> = {};
    for (const [k, v] of Object.entries(p.metadata ?? {})) {
      if (typeof v !== 'string') throw new BadRequest(`metadata "${k}" must be base64`);
      metadata[k] = new Uint8Array(Buffer.from(v, 'base64'));
    }
    return { metadata, data: new Uint8Array(Buffer.from(typeof p.data === 'string' ? p.data : '', 'base64')) };
  });
}

function toJson(payloads: Payload[]): { payloads: JsonPayload[] } {
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(
        Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
      ),
      data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
    })),
  };
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export async function serveCodec(options: CodecServerOptions): Promise<RunningCodecServer> {
  const origins = new Set(options.corsOrigins ?? defaultCodecCorsOrigins);
  const maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const server = http.createServer((request, response) => {
    const origin = request.headers.origin;
    const cors: Record<string, string> =
      origin && origins.has(origin)
        ? {
            'access-control-allow-origin': origin,
            'access-control-allow-methods': 'POST, OPTIONS',
            'access-control-allow-headers': 'content-type, x-namespace, authorization',
            'access-control-allow-credentials': 'true',
            vary: 'origin',
          }
        : {};
    const answer = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      response.writeHead(status, { 'content-type': 'application/json', ...cors });
      response.end(text);
    };
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method === 'OPTIONS') {
      response.writeHead(origin && origins.has(origin) ? 204 : 403, cors);
      response.end();
      return;
    }
    if (request.method !== 'POST' || (path !== '/encode' && path !== '/decode')) {
      answer(404, { message: `no route ${request.method} ${path}: POST /encode or POST /decode` });
      return;
    }
    if (options.authToken && !tokenMatches(request.headers.authorization, options.authToken)) {
      answer(401, { message: 'codec endpoint: missing or wrong bearer token' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody) {
        answer(413, { message: `body larger than ${maxBody} bytes` });
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > maxBody) return;
      let payloads: Payload[];
      try {
        payloads = fromJson(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      } catch (err) {
        answer(400, { message: err instanceof BadRequest ? err.message : 'body is not JSON' });
        return;
      }
      const work = path === '/encode' ? options.codec.encode(payloads) : options.codec.decode(payloads);
      work.then(
        (out) => answer(200, toJson(out)),
        (err: unknown) => answer(400, { message: err instanceof Error ? err.message : String(err) }),
      );
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The codec server's options from the environment (LAZARUS_PAYLOAD_KEY is required). */
export function codecServerOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): CodecServerOptions {
  const settings = readPayloadCodecSettings(env);
  if (!settings) throw new RuntimeConfigError('LAZARUS_PAYLOAD_KEY', 'the codec endpoint needs the payload key');
  const rawPort = env.LAZARUS_CODEC_PORT?.trim() || '8888';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RuntimeConfigError('LAZARUS_CODEC_PORT', `expected a port number, got "${rawPort}"`);
  }
  const origins = env.LAZARUS_CODEC_CORS_ORIGINS?.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const authToken = env.LAZARUS_CODEC_AUTH_TOKEN?.trim();
  return {
    codec: new AesGcmPayloadCodec(settings),
    port,
    host: env.LAZARUS_CODEC_HOST?.trim() || '127.0.0.1',
    ...(origins && origins.length > 0 ? { corsOrigins: origins } : {}),
    ...(authToken ? { authToken } : {}),
  };
}

if (require.main === module) {
  serveCodec(codecServerOptionsFromEnv(process.env)).then(
    (running) => {
      process.stdout.write(`lazarus codec endpoint: ${running.url} (POST /encode, POST /decode)\n`);
      const stop = (): void => void running.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err: unknown) => {
      process.stderr.write(`lazarus codec endpoint: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
