import { sha256Hex } from '../../platform/content-hash';
// The EC2 tags Lazarus reads and writes: one place for their names.

export const LazarusTag = {
  service: 'lazarus:service',
  healthUrl: 'lazarus:health-url',
  replaces: 'lazarus:replaces',
  remediation: 'lazarus:remediation',
  forensics: 'lazarus:forensics',
  role: 'lazarus:role',
  idempotencyKey: 'lazarus:idempotency-key',
  promotedFor: 'lazarus:promoted-for',
} as const;

export const standbyRole = 'standby';

/** Tags AWS reserves or that identify the old host; never copied onto a clone. */
const notCopied = new Set<string>([
  LazarusTag.healthUrl,
  LazarusTag.replaces,
  LazarusTag.remediation,
  LazarusTag.forensics,
  LazarusTag.role,
  LazarusTag.idempotencyKey,
  LazarusTag.promotedFor,
]);

export function copyableTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([k]) => !k.startsWith('aws:') && !notCopied.has(k)));
}

/**
 * EC2 ClientToken (at most 64 ASCII characters) and tag value for an idempotency key of any length: a retried
 * launch with the same key maps to the same token. Real EC2 dedups on the token; moto ignores it, so launches
 * also look up an instance carrying the tag before launching.
 */
export function launchToken(idempotencyKey: string): string {
  return `lz-${sha256Hex(idempotencyKey).slice(0, 61)}`;
}
