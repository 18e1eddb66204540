import { createHash } from 'node:crypto';

/** Identifies a bot token without revealing it: the first 10 hex characters of its SHA-256. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 10);
}
