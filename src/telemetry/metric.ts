/**
 * The three kinds of metric a Scope holds. They are built for the request path: callers keep
 * the objects and update them with a field increment; names, scopes and maps are looked at
 * only when a metric is created or exported.
 */
import { EMPTY_SUMMARY, Histogram, type StatSummary } from './histogram.js';

/** The only thing telemetry needs from a clock (the project's Clock fits structurally). */
export interface MetricsClock { now(): number }

/** A monotonic count, exported as is (never reset, as in Linkerd). */
export class Counter {
  readonly kind = 'counter';
  /** The current count; read it, and add to it through incr(). */
  value = 0;

  incr(n = 1): void { this.value += n; }
}

/** A value computed when metrics are exported. */
export class Gauge {
  readonly kind = 'gauge';

  /** @param detach removes this gauge from its scope (supplied by the scope). */
  constructor(private fn: () => number, private readonly detach: (g: Gauge) => void) {}

  /**
   * The current value, or undefined when the function throws or returns NaN or ±Infinity:
   * a broken gauge drops out of the export instead of breaking it.
   */
  read(): number | undefined {
    let v: number;
    try { v = this.fn(); } catch { return undefined; }
    return Number.isFinite(v) ? v : undefined;
  }

  /** Re-registering a gauge under the same name replaces its function (latest owner wins). */
  replace(fn: () => number): void { this.fn = fn; }

  /** Stops exporting this gauge, e.g. when the pool it reports on is closed. */
  remove(): void { this.detach(this); }
}

/** Where the snapshot windows of a registry lie: [origin + k·interval, origin + (k+1)·interval). */
export interface StatWindows {
  readonly clock: MetricsClock;
  readonly origin: number;
  readonly intervalMs: number;
}

/**
 * A distribution (latencies, sizes). Like Linkerd, what is exported is the summary of the last
 * *completed* window, and the histogram restarts empty at every window boundary. Windows are
 * aligned to the registry's start, so all stats roll over together; the roll happens lazily on
 * the first add or read after a boundary, so no timer is involved.
 */
export class Stat {
  readonly kind = 'stat';
  /** Samples recorded since creation (not reset at window boundaries). */
  recorded = 0;
  private readonly histogram = new Histogram();
  private windowEnd: number;
  private last: StatSummary | undefined;

  constructor(private readonly windows: StatWindows) {
    this.windowEnd = windowEndAfter(windows, windows.clock.now());
  }

  /**
   * Records one sample. `now` is an optional reading of the registry's clock that the caller
   * already holds (typically the end of the latency being recorded); it saves a clock read,
   * which costs more than everything else here together.
   */
  add(value: number, now: number = this.windows.clock.now()): void {
    if (now >= this.windowEnd) this.roll(now);
    this.recorded++;
    this.histogram.record(value);
  }

  /**
   * The summary of the last completed window: undefined before the first window has ended,
   * a summary with count 0 when nothing was recorded in it.
   */
  snapshot(now: number = this.windows.clock.now()): StatSummary | undefined {
    if (now >= this.windowEnd) this.roll(now);
    return this.last;
  }

  private roll(now: number): void {
    // Data recorded before the previous boundary belongs to a window older than the last
    // completed one, which therefore saw nothing.
    const contiguous = now < this.windowEnd + this.windows.intervalMs;
    this.last = contiguous ? this.histogram.summary() : EMPTY_SUMMARY;
    this.histogram.reset();
    this.windowEnd = windowEndAfter(this.windows, now);
  }
}

function windowEndAfter(w: StatWindows, now: number): number {
  return w.origin + (Math.floor((now - w.origin) / w.intervalMs) + 1) * w.intervalMs;
}

export type Metric = Counter | Gauge | Stat;
