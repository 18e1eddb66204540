import { DEFAULT_API_ROOT } from '../telegram-client.ts';

/** How large a file may be, in bytes, in each direction. */
export interface FileLimits {
  /** From Telegram to the bridge (`/file put`, uploads). */
  upload: number;
  /** From the bridge to Telegram (`/file get`). */
  download: number;
}

const MIB = 1024 * 1024;

/** Telegram's own servers: bots download files up to 20 MB and send documents up to 50 MB. */
export const CLOUD_LIMITS: FileLimits = { upload: 20 * MIB, download: 50 * MIB };

/** A local Bot API server lifts both limits to 2000 MB. */
export const LOCAL_SERVER_LIMITS: FileLimits = { upload: 2000 * MIB, download: 2000 * MIB };

/**
 * The limits that apply with this Bot API root: Telegram's cloud limits on `api.telegram.org`, the
 * local server's otherwise.
 *
 * @example fileLimits('https://api.telegram.org').upload // 20971520
 */
export function fileLimits(apiRoot: string): FileLimits {
  const normalized = apiRoot.replace(/\/+$/, '');
  return normalized === DEFAULT_API_ROOT ? CLOUD_LIMITS : LOCAL_SERVER_LIMITS;
}
