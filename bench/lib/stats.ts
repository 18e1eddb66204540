/** Order statistics over repeated measurements; benchmarks report medians, and p95 where asked. */

function sorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new Error('no measurements');
  return [...values].sort((a, b) => a - b);
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const s = sorted(values);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile: the smallest value with at least `p` % of the values at or below it. */
export function percentile(values: readonly number[], p: number): number {
  const s = sorted(values);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** Median, p95, min and max of one series, for the JSON results. */
export function summary(values: readonly number[]) {
  const s = sorted(values);
  return { n: s.length, median: median(s), p95: percentile(s, 95), min: s[0]!, max: s.at(-1)! };
}

/** A number for a table: `digits` decimals, thousands separated. */
export function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
