// An optional payload codec: AES-256-GCM encryption of every payload Lazarus's clients and workers write to Temporal
// (workflow and activity inputs and results, signals, queries, memos, heartbeat details, failures' details). With it,
// Temporal stores `binary/encrypted` blobs; the Web UI and the `temporal` CLI show the payloads decrypted only through
// the codec endpoint (platform/codec-server.ts), which holds the key.
//
// Settings (all processes that talk to Temporal read the same ones):
//   LAZARUS_PAYLOAD_KEY       base64 of 32 random bytes (`openssl rand -base64 32`); unset = no codec (plain payloads)
//   LAZARUS_PAYLOAD_KEY_ID    the id of that key, written to each payload (default "default")
//   LAZARUS_PAYLOAD_OLD_KEYS  rotation: keys that still decrypt older payloads, "id=base64,id=base64"
// A payload without the encrypted encoding (written before the codec was enabled) is passed through unchanged.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { RuntimeConfigError } from '../core';

export const encryptedEncoding = 'binary/encrypted';
export const keyIdMetadataKey = 'encryption-key-id';
const ivBytes = 12;
const tagBytes = 16;

export interface PayloadKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

export interface PayloadCodecSettings {
  /** Encrypts new payloads. */
  current: PayloadKey;
  /** Decrypt only (keys being rotated out). */
  previous: PayloadKey[];
}

function decodeKey(variable: string, id: string, raw: string): PayloadKey {
  const key = Buffer.from(raw.trim(), 'base64');
  if (key.length !== 32 || key.toString('base64') !== raw.trim()) {
    throw new RuntimeConfigError(variable, `expected the base64 of 32 bytes (openssl rand -base64 32) for key "${id}"`);
  }
  return { id, key };
}

/** The codec settings from the environment, or undefined when LAZARUS_PAYLOAD_KEY is unset (no codec). */
export function readPayloadCodecSettings(
  env: Readonly<Record<string, string | undefined>>,
): PayloadCodecSettings | undefined {
  const raw = env.LAZARUS_PAYLOAD_KEY?.trim();
  if (!raw) return undefined;
  const id = env.LAZARUS_PAYLOAD_KEY_ID?.trim() || 'default';
  const current = decodeKey('LAZARUS_PAYLOAD_KEY', id, raw);
  const previous = (env.LAZARUS_PAYLOAD_OLD_KEYS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf('=');
      if (at <= 0) throw new RuntimeConfigError('LAZARUS_PAYLOAD_OLD_KEYS', 'expected "id=base64,id=base64"');
      return decodeKey('LAZARUS_PAYLOAD_OLD_KEYS', entry.slice(0, at), entry.slice(at + 1));
    });
  return { current, previous };
}

export class PayloadKeyUnknownError extends Error {
  override readonly name = 'PayloadKeyUnknownError';
}

/** AES-256-GCM codec: each payload becomes iv (12 bytes) + ciphertext + tag (16 bytes) of the encoded Payload. */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;

  constructor(private readonly settings: PayloadCodecSettings) {
    this.keys = new Map([settings.current, ...settings.previous].map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.settings.current;
    return Promise.resolve(
      payloads.map((payload) => {
        const plain = temporal.api.common.v1.Payload.encode(payload).finish();
        const iv = randomBytes(ivBytes);
        const cipher = createCipheriv('aes-256-gcm', key, iv);
        const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
        return {
          metadata: {
            encoding: Buffer.from(encryptedEncoding),
            [keyIdMetadataKey]: Buffer.from(id),
          },
          data: new Uint8Array(data),
        };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(
      payloads.map((payload) => {
        const encoding = payload.metadata?.encoding;
        if (!encoding || Buffer.from(encoding).toString() !== encryptedEncoding) return payload;
        const idBytes = payload.metadata?.[keyIdMetadataKey];
        const id = idBytes ? Buffer.from(idBytes).toString() : '';
        const key = this.keys.get(id);
        if (!key) {
          throw new PayloadKeyUnknownError(
            `payload encrypted with key id "${id}", which this process does not hold ` +
              '(LAZARUS_PAYLOAD_KEY_ID / LAZARUS_PAYLOAD_OLD_KEYS)',
          );
        }
        const data = Buffer.from(payload.data ?? new Uint8Array());
        if (data.length < ivBytes + tagBytes) throw new Error('encrypted payload is too short');
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, ivBytes));
        decipher.setAuthTag(data.subarray(data.length - tagBytes));
        const plain = Buffer.concat([
          decipher.update(data.subarray(ivBytes, data.length - tagBytes)),
          decipher.final(),
        ]);
        return temporal.api.common.v1.Payload.decode(plain);
      }),
    );
  }
}

/** The codec for these settings, or undefined (no key: plain payloads). */
export function payloadCodecFromEnv(env: Readonly<Record<string, string | undefined>>): PayloadCodec | undefined {
  const settings = readPayloadCodecSettings(env);
  return settings ? new AesGcmPayloadCodec(settings) : undefined;
}

/**
 * `{ dataConverter }` for a Client or Worker: with LAZARUS_PAYLOAD_KEY set, the encrypting codec; else nothing (the
 * SDK's default converter). Spread into ClientOptions and WorkerOptions.
 */
export function temporalDataConverter(env: Readonly<Record<string, string | undefined>>): {
  dataConverter?: DataConverter;
} {
  const codec = payloadCodecFromEnv(env);
  return codec ? { dataConverter: { payloadCodecs: [codec] } } : {};
}
