/**
 * An exponentially weighted moving average over an unevenly spaced time series: the weight of
 * the past decays with the time between samples (not their count), so bursts and lulls are
 * judged by how long they lasted. `window` is the mean lifetime of a sample, in the same unit as
 * the stamps (ms for a clock, a count for request-indexed series).
 */
export class Ema {
  private stamp = 0;
  private value = 0;
  private empty = true;

  constructor(private readonly window: number) {
    if (!(window >= 0)) throw new RangeError(`Ema window must be >= 0, got ${window}`);
  }

  /** Adds sample `x` taken at `stamp` (non-decreasing) and returns the new average. */
  update(stamp: number, x: number): number {
    if (this.empty) {
      this.empty = false;
      this.stamp = stamp;
      this.value = x;
      return x;
    }
    const w = this.weight(stamp);
    if (stamp > this.stamp) this.stamp = stamp;
    this.value = x * (1 - w) + this.value * w;
    return this.value;
  }

  /** The average as of the last sample. */
  get last(): number { return this.value; }

  /** The average decayed to `stamp` as if a zero had been observed then, without recording it. */
  decayed(stamp: number): number {
    return this.empty ? 0 : this.value * this.weight(stamp);
  }

  /** Forgets every sample: the next one becomes the average. */
  reset(): void {
    this.empty = true;
    this.value = 0;
  }

  /** How much of the current average survives until `stamp`; a stamp in the past decays nothing. */
  private weight(stamp: number): number {
    if (this.window === 0) return 0;
    const dt = stamp - this.stamp;
    return dt > 0 ? Math.exp(-dt / this.window) : 1;
  }
}
