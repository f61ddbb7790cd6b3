/** Number formatting for the dashboard: short, stable widths, and a dash for "unknown". */

export const UNKNOWN = '—';

const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const tenths = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** Requests per second: one decimal below 10 (so low rates do not read as 0), whole above. */
export function formatRate(rate: number | null): string {
  if (rate === null) return UNKNOWN;
  if (rate === 0) return '0';
  return rate < 10 ? tenths.format(rate) : whole.format(rate);
}

/** A success rate in percent: `100%` when perfect, otherwise two decimals so 99.95 is not 100. */
export function formatPercent(percent: number | null): string {
  if (percent === null) return UNKNOWN;
  if (percent >= 100) return '100%';
  return `${Math.min(99.99, Math.floor(percent * 100) / 100).toFixed(2)}%`;
}

/** Milliseconds, without the unit. */
export function formatMs(ms: number | null): string {
  if (ms === null) return UNKNOWN;
  return ms < 10 ? tenths.format(ms).replace(/\.0$/, '') : whole.format(ms);
}

/** A count (connections, pending). */
export function formatCount(n: number): string {
  return whole.format(n);
}
