// The payload codec: AES-256-GCM round trip, nothing of the plaintext in what it writes, key ids for rotation,
// tampering detected, plain payloads passed through; its settings from the environment.
import { randomBytes } from 'node:crypto';
import { DefaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  AesGcmPayloadCodec,
  encryptedEncoding,
  keyIdMetadataKey,
  readPayloadCodecSettings,
  temporalDataConverter,
} from '../../../platform/payload-codec';

const converter = new DefaultPayloadConverter();
const key = (): string => randomBytes(32).toString('base64');
const text = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? new Uint8Array()).toString();

describe('AesGcmPayloadCodec', () => {
  const k1 = key();
  const codec = new AesGcmPayloadCodec(readPayloadCodecSettings({ LAZARUS_PAYLOAD_KEY: k1 })!);
  const secret = { routingKey: 'R0UT1NGKEY-SECRET-VALUE', url: 'https://hooks.slack.com/services/T/B/XYZ' };

  it('round-trips payloads and writes no plaintext', async () => {
    const plain = [converter.toPayload(secret), converter.toPayload(null), converter.toPayload('x'.repeat(10_000))];
    const encoded = await codec.encode(plain);
    expect(encoded).toHaveLength(3);
    for (const p of encoded) {
      expect(text(p.metadata?.encoding)).toBe(encryptedEncoding);
      expect(text(p.metadata?.[keyIdMetadataKey])).toBe('default');
      expect(Buffer.from(p.data!).includes('R0UT1NGKEY')).toBe(false);
      expect(Object.keys(p.metadata!).sort()).toEqual(['encoding', keyIdMetadataKey].sort());
    }
    const decoded = await codec.decode(encoded);
    expect(converter.fromPayload(decoded[0])).toEqual(secret);
    expect(converter.fromPayload(decoded[1])).toBeNull();
    expect(converter.fromPayload(decoded[2])).toBe('x'.repeat(10_000));
    // a fresh IV each time: the same value never encrypts to the same bytes
    const again = await codec.encode([plain[0]]);
    expect(Buffer.from(again[0].data!).equals(Buffer.from(encoded[0].data!))).toBe(false);
  });

  it('passes payloads that are not encrypted through (history written before the codec was enabled)', async () => {
    const plain: Payload = converter.toPayload({ a: 1 });
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('rotates: a new key encrypts, the old one still decrypts, a missing key id is named', async () => {
    const k2 = key();
    const old = await codec.encode([converter.toPayload('old')]);
    const rotated = new AesGcmPayloadCodec(
      readPayloadCodecSettings({
        LAZARUS_PAYLOAD_KEY: k2,
        LAZARUS_PAYLOAD_KEY_ID: 'k2',
        LAZARUS_PAYLOAD_OLD_KEYS: `default=${k1}`,
      })!,
    );
    expect(converter.fromPayload((await rotated.decode(old))[0])).toBe('old');
    const fresh = await rotated.encode([converter.toPayload('new')]);
    expect(text(fresh[0].metadata?.[keyIdMetadataKey])).toBe('k2');
    await expect(codec.decode(fresh)).rejects.toThrow(/key id "k2"/);
  });

  it('detects tampering and a wrong key', async () => {
    const [p] = await codec.encode([converter.toPayload('value')]);
    const data = Buffer.from(p.data!);
    data[20] ^= 1;
    await expect(codec.decode([{ ...p, data: new Uint8Array(data) }])).rejects.toThrow();
    const other = new AesGcmPayloadCodec(readPayloadCodecSettings({ LAZARUS_PAYLOAD_KEY: key() })!);
    await expect(other.decode([p])).rejects.toThrow();
  });
});

describe('codec settings', () => {
  it('is off without LAZARUS_PAYLOAD_KEY', () => {
    expect(readPayloadCodecSettings({})).toBeUndefined();
    expect(temporalDataConverter({})).toEqual({});
    expect(temporalDataConverter({ LAZARUS_PAYLOAD_KEY: key() }).dataConverter?.payloadCodecs).toHaveLength(1);
  });

  it('refuses a key that is not 32 bytes of base64, naming the variable', () => {
    expect(() => readPayloadCodecSettings({ LAZARUS_PAYLOAD_KEY: 'short' })).toThrow(/LAZARUS_PAYLOAD_KEY/);
    expect(() => readPayloadCodecSettings({ LAZARUS_PAYLOAD_KEY: randomBytes(16).toString('base64') })).toThrow(
      /32 bytes/,
    );
    expect(() => readPayloadCodecSettings({ LAZARUS_PAYLOAD_KEY: key(), LAZARUS_PAYLOAD_OLD_KEYS: 'nokey' })).toThrow(
      /LAZARUS_PAYLOAD_OLD_KEYS/,
    );
  });
});
