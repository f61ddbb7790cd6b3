/**
 * A sum over a sliding time window, kept as a ring of time slices so that adding and reading
 * never allocate. A sample counts for between (slices-1)/slices and all of `rangeMs`, the same
 * granularity as Finagle's WindowedAdder that retry budgets and windowed success rates are
 * specified against.
 */
import type { Clock } from '../time/clock.js';

export class WindowedCounter {
  private readonly sliceMs: number;
  private readonly counts: Float64Array;
  /** The slice number (time / sliceMs) each ring cell currently holds; -Infinity when empty. */
  private readonly epochs: Float64Array;

  constructor(rangeMs: number, private readonly slices: number, private readonly clock: Clock) {
    if (!(rangeMs > 0)) throw new RangeError(`window range must be > 0 ms, got ${rangeMs}`);
    if (!Number.isInteger(slices) || slices < 2) throw new RangeError(`a window needs at least 2 slices, got ${slices}`);
    this.sliceMs = rangeMs / slices;
    this.counts = new Float64Array(slices);
    this.epochs = new Float64Array(slices).fill(-Infinity);
  }

  /** Adds `n` at `now` (a reading of this counter's clock the caller already has, or a fresh one). */
  add(n: number, now = this.clock.now()): void {
    const epoch = Math.floor(now / this.sliceMs);
    const i = ((epoch % this.slices) + this.slices) % this.slices;
    if (this.epochs[i] !== epoch) {
      this.epochs[i] = epoch;
      this.counts[i] = 0;
    }
    this.counts[i]! += n;
  }

  sum(): number {
    const oldest = Math.floor(this.clock.now() / this.sliceMs) - this.slices;
    let s = 0;
    for (let i = 0; i < this.slices; i++) if (this.epochs[i]! > oldest) s += this.counts[i]!;
    return s;
  }

  reset(): void {
    this.epochs.fill(-Infinity);
    this.counts.fill(0);
  }
}
