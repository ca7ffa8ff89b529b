// Canonical forms of configuration content: JSON with sorted keys (so equal content serializes, and hashes, the same
// whatever its key order) and the UTF-8 size of text. Pure, without Buffer, so core stays free of Node built-ins;
// the hash itself is the caller's (platform/content-hash.ts).

/** Number of bytes a string takes in UTF-8. */
export function utf8Length(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      length += 1;
    } else if (code < 0x800) {
      length += 2;
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        length += 4;
        i++;
      } else {
        length += 3;
      }
    } else {
      length += 3;
    }
  }
  return length;
}

/**
 * JSON with object keys sorted, so equal content always serializes (and hashes) the same. Objects shared in the
 * graph (a profile's parameters, used by thousands of services) are serialized once.
 */
export function canonicalJson(value: unknown): string {
  return canonical(value, new WeakMap());
}

function canonical(value: unknown, seen: WeakMap<object, string>): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value) ?? 'null';
  }
  const known = seen.get(value);
  if (known !== undefined) {
    return known;
  }
  let text: string;
  if (Array.isArray(value)) {
    text = `[${value.map((item) => canonical(item, seen)).join(',')}]`;
  } else {
    const record = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      if (record[key] !== undefined) {
        parts.push(`${JSON.stringify(key)}:${canonical(record[key], seen)}`);
      }
    }
    text = `{${parts.join(',')}}`;
  }
  seen.set(value, text);
  return text;
}
