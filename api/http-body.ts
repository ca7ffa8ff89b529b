// Reading a request body with a size limit (the API's JSON bodies and the console's forms).
import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError } from './errors';

/** The whole body, refused with 413 as soon as its declared length or the bytes read pass `limit`. */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > limit) throw new PayloadTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new PayloadTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
