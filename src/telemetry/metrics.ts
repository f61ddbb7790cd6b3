/**
 * The metrics registry: one tree of scopes per process (or per test), read by the admin
 * exporters (`/admin/metrics.json`, `/admin/metrics/prometheus`).
 */
import { performance } from 'node:perf_hooks';
import type { MetricsClock } from './metric.js';
import { Scope } from './scope.js';

export { Scope } from './scope.js';
export { Counter, Gauge, Stat, type Metric, type MetricsClock } from './metric.js';
export type { StatSummary } from './histogram.js';

export interface MetricsOptions {
  /** Drives histogram windows; defaults to `performance.now()`. */
  clock?: MetricsClock;
  /** Histograms are summarised and reset at this period (Linkerd: one minute). */
  snapshotIntervalMs?: number;
  /** Cap on the children of one kind under one parent (see Scope.child). */
  maxChildren?: number;
}

const performanceClock: MetricsClock = { now: () => performance.now() };

export class Metrics {
  /** The unnamed top of the tree. */
  readonly root: Scope;

  constructor(opts: MetricsOptions = {}) {
    const clock = opts.clock ?? performanceClock;
    const intervalMs = opts.snapshotIntervalMs ?? 60_000;
    const maxChildren = opts.maxChildren ?? 1000;
    if (!(Number.isFinite(intervalMs) && intervalMs > 0)) {
      throw new RangeError(`Metrics: snapshotIntervalMs must be a positive number of milliseconds, got ${intervalMs}`);
    }
    if (!(Number.isInteger(maxChildren) && maxChildren >= 1)) {
      throw new RangeError(`Metrics: maxChildren must be an integer ≥ 1, got ${maxChildren}`);
    }
    this.root = Scope.root({ clock, origin: clock.now(), intervalMs, maxChildren });
  }

  /** The scope at these segments; cached, so the same segments give the same object. */
  scope(...segments: string[]): Scope { return this.root.scope(...segments); }

  /**
   * The scope named by a flat name such as `rt/outgoing` (the `q` parameter of
   * `/admin/metrics.json`), or undefined when there is none (the server answers 404).
   * '' names the root.
   */
  find(flatName: string): Scope | undefined { return this.root.find(flatName); }
}
