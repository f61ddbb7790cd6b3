/**
 * A latency histogram in microseconds with bounded relative error (HdrHistogram's idea, kept
 * small): exact below 256 µs, then 128 linear sub-buckets per power of two (< 0.8 % error).
 * Fixed memory whatever the number of samples, so a ten-minute soak costs the same as a second.
 */
const SUB_BITS = 7;
const SUB = 1 << SUB_BITS;
const EXACT = 2 * SUB;
/** Up to 2^40 µs (about 12 days): more than any bounded run. */
const MAX_EXP = 40;

export class LatencyHistogram {
  private readonly counts = new Float64Array(EXACT + (MAX_EXP - SUB_BITS) * SUB);
  private n = 0;
  private sum = 0;
  private maxUs = 0;

  record(us: number): void {
    const v = Math.max(0, Math.round(us));
    this.counts[indexOf(v)]! += 1;
    this.n++;
    this.sum += v;
    if (v > this.maxUs) this.maxUs = v;
  }

  get count(): number { return this.n; }
  get max(): number { return this.maxUs; }
  get mean(): number { return this.n === 0 ? 0 : this.sum / this.n; }

  /** The value at percentile `p` (0–100): the upper edge of the bucket holding that sample. */
  percentile(p: number): number {
    if (this.n === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(upperEdge(i), this.maxUs);
    }
    return this.maxUs;
  }

  reset(): void {
    this.counts.fill(0);
    this.n = 0;
    this.sum = 0;
    this.maxUs = 0;
  }
}

function indexOf(v: number): number {
  if (v < EXACT) return v;
  const exp = Math.min(Math.floor(Math.log2(v)), MAX_EXP - 1);
  const shift = exp - SUB_BITS;
  return EXACT + (shift - 1) * SUB + Math.min(SUB - 1, Math.floor(v / 2 ** shift) - SUB);
}

function upperEdge(i: number): number {
  if (i < EXACT) return i;
  const shift = Math.floor((i - EXACT) / SUB) + 1;
  const sub = (i - EXACT) % SUB;
  return (SUB + sub + 1) * 2 ** shift - 1;
}
