// Local stand-ins for Slack incoming webhooks and an SMTP server: they record what they get, for tests and demos.
// One HTTP server takes webhook posts on any path and serves what both received under /_receiver/.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { close, listen, outlastClientKeepAlive, readJson, sendJson } from './http-json';

export interface ReceivedWebhook {
  at: string;
  path: string;
  body: unknown;
}

export interface ReceivedEmail {
  at: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  raw: string;
}

export interface RunningNotifyReceivers {
  /** Base URL of the webhook receiver (and of /_receiver/ hooks). */
  readonly slackUrl: string;
  /** A webhook URL shaped like Slack's; any path under slackUrl works. */
  readonly slackWebhookUrl: string;
  readonly smtpHost: string;
  readonly smtpPort: number;
  webhooks(): ReceivedWebhook[];
  emails(): ReceivedEmail[];
  /** Answer the next `count` webhook posts with `status` (Infinity: until heal). */
  failWebhooks(status: number, count?: number): void;
  heal(): void;
  stop(): Promise<void>;
}

/** Decodes RFC 2047 encoded words (=?UTF-8?B?...?= / =?UTF-8?Q?...?=) in a header value. */
export function decodeHeader(value: string): string {
  return value.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset: string, encoding: string, text: string) =>
    encoding.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : decodeQuotedPrintable(text.replace(/_/g, ' ')),
  );
}

export function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** Enough of RFC 5322 for tests: headers (unfolded), subject, and a single-part text body. */
export function parseEmail(raw: string): { headers: Record<string, string>; subject: string; text: string } {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  let body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (encoding === 'quoted-printable') body = decodeQuotedPrintable(body);
  else if (encoding === 'base64') body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return { headers, subject: decodeHeader(headers.subject ?? ''), text: body.replace(/\r\n/g, '\n') };
}

export async function startNotifyReceivers(
  options: { host?: string; httpPort?: number; smtpPort?: number } = {},
): Promise<RunningNotifyReceivers> {
  const host = options.host ?? '127.0.0.1';
  const webhooks: ReceivedWebhook[] = [];
  const emails: ReceivedEmail[] = [];
  let failure: { status: number; remaining: number } | null = null;

  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://receiver');
    const work = async (): Promise<void> => {
      if (url.pathname.startsWith('/_receiver/')) {
        const action = url.pathname.slice('/_receiver/'.length);
        if (req.method === 'GET' && action === 'webhooks') return sendJson(res, 200, { webhooks });
        if (req.method === 'GET' && action === 'emails') return sendJson(res, 200, { emails });
        if (req.method === 'POST' && action === 'fail') {
          const body = (await readJson(req)) as { status?: number; count?: number };
          failure = { status: body.status ?? 500, remaining: body.count ?? Infinity };
          return sendJson(res, 200, { failing: true });
        }
        if (req.method === 'POST' && action === 'heal') {
          failure = null;
          return sendJson(res, 200, { failing: false });
        }
        if (req.method === 'POST' && action === 'reset') {
          webhooks.length = 0;
          emails.length = 0;
          failure = null;
          return sendJson(res, 200, { reset: true });
        }
        return sendJson(res, 404, { error: `no receiver hook ${action}` });
      }
      if (req.method !== 'POST') return sendJson(res, 405, { error: 'webhooks take POST' });
      if (failure && failure.remaining > 0) {
        failure.remaining -= 1;
        const status = failure.status;
        if (failure.remaining <= 0) failure = null;
        res.writeHead(status, { 'Content-Type': 'text/plain' }).end('emulated failure');
        return;
      }
      webhooks.push({ at: new Date().toISOString(), path: url.pathname, body: await readJson(req) });
      // Slack answers a plain "ok".
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    };
    work().catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
    });
  });

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const parsed = parseEmail(raw);
        emails.push({
          at: new Date().toISOString(),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: parsed.subject,
          text: parsed.text,
          raw,
        });
        callback();
      });
    },
  });

  outlastClientKeepAlive(server);
  const httpPort = await listen(server, host, options.httpPort ?? 0);
  const smtpPort = await new Promise<number>((resolve, reject) => {
    smtp.server.once('error', reject);
    smtp.listen(options.smtpPort ?? 0, host, () => {
      const address = smtp.server.address();
      resolve(typeof address === 'object' && address ? address.port : (options.smtpPort ?? 0));
    });
  });
  const slackUrl = `http://${host}:${httpPort}`;
  return {
    slackUrl,
    slackWebhookUrl: `${slackUrl}/services/T0LAZARUS/B0LAZARUS/local`,
    smtpHost: host,
    smtpPort,
    webhooks: () => structuredClone(webhooks),
    emails: () => structuredClone(emails),
    failWebhooks(status, count = Infinity) {
      failure = { status, remaining: count };
    },
    heal() {
      failure = null;
    },
    async stop() {
      await Promise.all([close(server), new Promise<void>((resolve) => smtp.close(() => resolve()))]);
    },
  };
}
