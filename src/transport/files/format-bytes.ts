/**
 * A size as the file replies show it: `512 b`, `1.2 kb`, `3.4 mb`, `1.0 gb`.
 *
 * @example formatBytes(1234567) // '1.2 mb'
 */
export function formatBytes(bytes: number): string {
  const units = ['b', 'kb', 'mb', 'gb'] as const;
  let size = bytes;
  for (const unit of units) {
    if (size < 1024 || unit === 'gb')
      return unit === 'b' ? `${Math.round(size)} b` : `${size.toFixed(1)} ${unit}`;
    size /= 1024;
  }
  return `${bytes} b`;
}
