import { describe, expect, it } from 'vitest';
import { fileLimits } from '../../../src/transport/files/file-limits.ts';
import { formatBytes } from '../../../src/transport/files/format-bytes.ts';

const MIB = 1024 * 1024;

describe('fileLimits', () => {
  it.each([
    ['https://api.telegram.org', 20 * MIB, 50 * MIB],
    ['https://api.telegram.org/', 20 * MIB, 50 * MIB],
    ['http://127.0.0.1:8081', 2000 * MIB, 2000 * MIB],
    ['https://bot-api.example.net', 2000 * MIB, 2000 * MIB],
  ])('with api_root %s: %i bytes in, %i bytes out', (apiRoot, upload, download) => {
    expect(fileLimits(apiRoot)).toEqual({ upload, download });
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 b'],
    [1023, '1023 b'],
    [1024, '1.0 kb'],
    [1260, '1.2 kb'],
    [1.2 * MIB, '1.2 mb'],
    [3 * 1024 * MIB, '3.0 gb'],
  ])('shows %i bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
