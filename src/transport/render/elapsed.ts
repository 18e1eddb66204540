/**
 * A run's elapsed time as the header shows it: seconds under a minute, minutes and padded seconds
 * under an hour, hours and padded minutes beyond. Fractions are dropped; negative or non-finite
 * input counts as zero.
 *
 * @example
 * formatElapsed(8); // → '8s'
 * formatElapsed(125); // → '2m 05s'
 * formatElapsed(3780); // → '1h 03m'
 */
export function formatElapsed(seconds: number): string {
  const total = Number.isFinite(seconds) ? Math.max(0, Math.floor(seconds)) : 0;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (hours > 0) return `${hours}h ${pad2(minutes)}m`;
  if (minutes > 0) return `${minutes}m ${pad2(secs)}s`;
  return `${secs}s`;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}
