import { canonicalJson, utf8Length } from '../../../core/config';
import { sha256Hex, snapshotVersion } from '../../../platform/content-hash';

describe('sha256Hex', () => {
  it('matches the published test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes parts as their concatenation, as UTF-8', () => {
    const text = `héllo wörld ✓ 🚀 ${'x'.repeat(1000)}`;
    expect(sha256Hex(text.slice(0, 7), text.slice(7))).toBe(sha256Hex(text));
    expect(snapshotVersion('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('canonicalJson', () => {
  it('serializes equal objects the same whatever their key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, 2] }, b: 1 }));
  });

  it('drops undefined fields like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
  });
});

describe('utf8Length', () => {
  it('counts bytes, not characters', () => {
    expect(utf8Length('é🚀')).toBe(Buffer.byteLength('é🚀', 'utf8'));
  });
});
