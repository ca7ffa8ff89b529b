// The project's one SHA-256 (node:crypto): configuration snapshot versions, the change check of the files on disk,
// and API token digests.
import { createHash } from 'node:crypto';

/** Hex SHA-256 of the UTF-8 encoding of the parts, in order (equal to hashing their concatenation). */
export function sha256Hex(...parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part, 'utf8');
  return hash.digest('hex');
}

/** The version of a configuration snapshot: `sha256:<hex>` of its normalized content (buildSnapshot's hashContent). */
export function snapshotVersion(normalized: string): string {
  return `sha256:${sha256Hex(normalized)}`;
}
