/** Small statistics for the summary: medians, spreads, ratios and a memory level-off check. */

export function median(xs: readonly number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function min(xs: readonly number[]): number {
  const s = xs.filter(Number.isFinite);
  return s.length ? Math.min(...s) : NaN;
}

export function max(xs: readonly number[]): number {
  const s = xs.filter(Number.isFinite);
  return s.length ? Math.max(...s) : NaN;
}

/** a / b, or NaN when either side is missing or b is 0. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN;
}

const MiB = 1024 * 1024;

export interface LevelOff {
  readonly ok: boolean;
  /** Highest RSS in the first half of the series and in the second half, bytes. */
  readonly firstHalfPeak: number;
  readonly secondHalfPeak: number;
  /** How much higher the second half may peak for the series to count as level, bytes. */
  readonly allowed: number;
}

/**
 * Whether a memory series (bytes, in time order, at least four readable samples; a sample that
 * could not be read is NaN and left out) has levelled off: the peak of its second half is at most
 * max(8 MiB, 10 %) above the peak of its first half. A leak keeps raising the peak; warm-up growth
 * (JIT, caches filling to their bounds) stays in the first half. Peaks rather than single samples,
 * so the garbage collector's sawtooth does not decide.
 */
export function levelsOff(samples: readonly number[]): LevelOff | undefined {
  const series = samples.filter(Number.isFinite);
  if (series.length < 4) return undefined;
  const half = Math.floor(series.length / 2);
  const firstHalfPeak = Math.max(...series.slice(0, half));
  const secondHalfPeak = Math.max(...series.slice(half));
  const allowed = Math.max(8 * MiB, 0.1 * firstHalfPeak);
  return { ok: secondHalfPeak - firstHalfPeak <= allowed, firstHalfPeak, secondHalfPeak, allowed };
}
