/**
 * A bounded-memory histogram with log-linear buckets, in the spirit of Finagle's
 * BucketedHistogram: every power of two ("octave") is split into 64 equal buckets, so a bucket
 * is at most 1/64 of its lower bound wide and the midpoint we report is within 0.8% of any
 * value that fell into it. Samples are never stored; memory is a few hundred bytes per octave
 * actually used, and octaves that stay empty for a whole window are released on reset.
 */

/** What a histogram (and a Stat's snapshot) reports; values share the unit of the samples. */
export interface StatSummary {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly avg: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p9990: number;
  readonly p9999: number;
}

/** The summary of a window in which nothing was recorded. */
export const EMPTY_SUMMARY: StatSummary = Object.freeze({
  count: 0, sum: 0, min: 0, max: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, p9990: 0, p9999: 0,
});

const SUB_BITS = 6;
const SUB = 1 << SUB_BITS;
/** Values below 2^MIN_EXP (about a microsecond when samples are milliseconds) count as zero. */
const MIN_EXP = -20;
/** Values at or above 2^(MAX_EXP+1) share the top bucket, which reports the exact max. */
const MAX_EXP = 63;
const OCTAVES = MAX_EXP - MIN_EXP + 1;
const MIN_VALUE = 2 ** MIN_EXP;

// The octave and the top six mantissa bits are read straight from the IEEE-754 encoding,
// which is exact and avoids a Math.log2 per sample.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HIGH_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;

const QUANTILES = [0.5, 0.9, 0.95, 0.99, 0.999, 0.9999] as const;

export class Histogram {
  /** Bucket counts per octave, allocated on first use. */
  private readonly octaves: (Uint32Array | undefined)[] = new Array(OCTAVES).fill(undefined);
  private zeros = 0;
  private count = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;

  /** Records one sample. Negative values count as 0; NaN and +Infinity are ignored. */
  record(value: number): void {
    if (!(value < Infinity)) return;
    if (value < 0) value = 0;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value < MIN_VALUE) { this.zeros++; return; }
    f64[0] = value;
    const high = u32[HIGH_WORD]!;
    let octave = (high >>> 20) - 1023 - MIN_EXP;
    let sub = (high >>> (20 - SUB_BITS)) & (SUB - 1);
    if (octave >= OCTAVES) { octave = OCTAVES - 1; sub = SUB - 1; }
    const buckets = this.octaves[octave] ?? (this.octaves[octave] = new Uint32Array(SUB));
    buckets[sub]!++;
  }

  /** Number of samples recorded since the last reset. */
  get size(): number { return this.count; }

  /** Number of octaves holding bucket storage (a measure of memory use). */
  get allocatedOctaves(): number {
    let n = 0;
    for (const o of this.octaves) if (o !== undefined) n++;
    return n;
  }

  summary(): StatSummary {
    const count = this.count;
    if (count === 0) return EMPTY_SUMMARY;
    // One ascending walk serves all quantiles: rank r is the r-th smallest sample (1-based).
    const values = new Array<number>(QUANTILES.length);
    const ranks = QUANTILES.map((q) => Math.max(1, Math.ceil(q * count - 1e-9)));
    let qi = 0;
    let seen = this.zeros;
    while (qi < ranks.length && seen >= ranks[qi]!) values[qi++] = this.clamp(0);
    for (let o = 0; o < OCTAVES && qi < ranks.length; o++) {
      const buckets = this.octaves[o];
      if (buckets === undefined) continue;
      for (let s = 0; s < SUB && qi < ranks.length; s++) {
        const n = buckets[s]!;
        if (n === 0) continue;
        seen += n;
        const v = o === OCTAVES - 1 && s === SUB - 1 ? this.max : midpoint(o, s);
        while (qi < ranks.length && seen >= ranks[qi]!) values[qi++] = this.clamp(v);
      }
    }
    return {
      count, sum: this.sum, min: this.min, max: this.max, avg: this.sum / count,
      p50: values[0]!, p90: values[1]!, p95: values[2]!, p99: values[3]!, p9990: values[4]!, p9999: values[5]!,
    };
  }

  /** Forgets all samples; octaves that saw nothing since the previous reset are released. */
  reset(): void {
    for (let o = 0; o < OCTAVES; o++) {
      const buckets = this.octaves[o];
      if (buckets === undefined) continue;
      if (isZero(buckets)) this.octaves[o] = undefined;
      else buckets.fill(0);
    }
    this.zeros = 0;
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  /** A bucket's midpoint can lie outside the observed range; the exact extremes are better. */
  private clamp(v: number): number {
    return v < this.min ? this.min : v > this.max ? this.max : v;
  }
}

function midpoint(octave: number, sub: number): number {
  return 2 ** (octave + MIN_EXP) * (1 + (sub + 0.5) / SUB);
}

function isZero(a: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
  return true;
}
