/**
 * Aperture (`kind: aperture`, after Finagle's random aperture): send traffic to a small window of
 * the nodes, and widen or narrow the window with the offered load. Few connections stay busy
 * instead of many idling, which matters when many clients share many servers.
 *
 * Nodes are ordered once per update by a weighted random permutation (heavier nodes tend to come
 * first; a node keeps its draw across updates, so the order is stable as nodes come and go). The
 * window is the first `aperture` available nodes in that order, topped up with unavailable ones
 * if too few are available. Within it, picks are power of two choices on outstanding requests
 * per unit of weight. The load on the window (its outstanding requests, counting the one being
 * picked) is sampled on every pick and every completion, as Finagle samples on acquire and
 * release, and averaged over `smoothWindowMs`; an average per window node of at least `highLoad`
 * widens the window by one, at most `lowLoad` narrows it by one, never below `minAperture` (or
 * the node count).
 */
import { z } from 'zod';
import type { Clock } from '../time/clock.js';
import { Ema } from '../resilience/ema.js';
import type { Balancer, BalancerNode } from './balancer.js';
import { NodeSet, secondChoice } from './node-set.js';

export const DEFAULT_APERTURE: Readonly<Omit<ApertureOptions, 'maxEffort'>> = { smoothWindowMs: 5_000, lowLoad: 0.5, highLoad: 2, minAperture: 1 };

export const apertureConfigSchema = z.strictObject({
  kind: z.literal('aperture'),
  maxEffort: z.number().int().min(1).optional(),
  smoothWindowMs: z.number().int().positive().optional(),
  lowLoad: z.number().min(0).optional(),
  highLoad: z.number().positive().optional(),
  minAperture: z.number().int().min(1).optional(),
}).refine((c) => (c.lowLoad ?? DEFAULT_APERTURE.lowLoad) <= (c.highLoad ?? DEFAULT_APERTURE.highLoad), {
  message: 'lowLoad must not exceed highLoad', path: ['lowLoad'],
});
export type ApertureConfig = z.infer<typeof apertureConfigSchema>;

export interface ApertureOptions {
  maxEffort: number;
  smoothWindowMs: number;
  lowLoad: number;
  highLoad: number;
  minAperture: number;
}

export class ApertureBalancer<N extends BalancerNode> implements Balancer<N> {
  private readonly set = new NodeSet<N>();
  /** Each node's uniform draw by key, from which its place in the order is derived. */
  private draws = new Map<string, number>();
  /** Node indices in aperture order. */
  private order = new Int32Array(0);
  /** Scratch for the current window: node indices and their cumulative weights. */
  private window = new Int32Array(0);
  private cumulative = new Float64Array(0);
  /** Entries of `window` filled by the last pick; 0 until a pick after an update. */
  private windowSize = 0;
  private aperture = 1;
  private readonly offeredLoad: Ema;

  constructor(private readonly opts: ApertureOptions, private readonly random: () => number, private readonly clock: Clock) {
    if (!Number.isInteger(opts.maxEffort) || opts.maxEffort < 1) throw new RangeError(`maxEffort must be an integer >= 1, got ${opts.maxEffort}`);
    if (!(opts.lowLoad <= opts.highLoad)) throw new RangeError(`lowLoad (${opts.lowLoad}) must not exceed highLoad (${opts.highLoad})`);
    if (!Number.isInteger(opts.minAperture) || opts.minAperture < 1) throw new RangeError(`minAperture must be an integer >= 1, got ${opts.minAperture}`);
    this.offeredLoad = new Ema(opts.smoothWindowMs);
    this.aperture = opts.minAperture;
  }

  get size(): number { return this.set.size; }

  /** The current window size. */
  get apertureSize(): number { return Math.min(this.aperture, this.set.size); }

  update(nodes: readonly N[]): void {
    this.set.update(nodes);
    const { weights } = this.set;
    const n = nodes.length;
    const draws = new Map<string, number>();
    // Efraimidis–Spirakis: sorting by u^(1/w) gives a permutation drawn in proportion to weight.
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const key = nodes[i]!.key;
      const u = draws.get(key) ?? this.draws.get(key) ?? this.random();
      draws.set(key, u);
      keys[i] = weights[i]! > 0 ? u ** (1 / weights[i]!) : -1;
    }
    this.draws = draws;
    this.order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[b]! - keys[a]!);
    this.window = new Int32Array(n);
    this.cumulative = new Float64Array(n);
    this.windowSize = 0;
    this.aperture = Math.max(this.minUnits(), Math.min(n, this.aperture));
  }

  pick(): N | undefined {
    const { nodes } = this.set;
    if (nodes.length <= 1) return nodes[0];
    this.fillWindow();
    this.adjust(1);
    let last = nodes[this.window[0]!]!;
    for (let i = 0; i < this.opts.maxEffort; i++) {
      last = nodes[this.pickInWindow()]!;
      if (last.available()) return last;
    }
    // The window lists available nodes first: if its head is down, every node is.
    const head = nodes[this.window[0]!]!;
    return head.available() ? head : last;
  }

  observe(): void {
    if (this.windowSize > 0) this.adjust(0);
  }

  /** Fills the window with the first `aperture` nodes in order, available ones first. */
  private fillWindow(): void {
    const { nodes, weights } = this.set;
    const { order, window, cumulative } = this;
    const k = Math.min(this.aperture, nodes.length);
    let filled = 0;
    for (let j = 0; j < order.length && filled < k; j++) {
      if (nodes[order[j]!]!.available()) window[filled++] = order[j]!;
    }
    for (let j = 0; j < order.length && filled < k; j++) {
      if (!nodes[order[j]!]!.available()) window[filled++] = order[j]!;
    }
    let acc = 0;
    for (let j = 0; j < k; j++) cumulative[j] = acc += weights[window[j]!]!;
    this.windowSize = k;
  }

  /** Samples the window's outstanding requests (plus `starting`) and resizes the aperture. */
  private adjust(starting: number): void {
    const { nodes } = this.set;
    const k = this.windowSize;
    let outstanding = starting;
    for (let j = 0; j < k; j++) outstanding += nodes[this.window[j]!]!.pending;
    const avg = this.offeredLoad.update(this.clock.now(), outstanding) / k;
    if (avg >= this.opts.highLoad && this.aperture < nodes.length) this.aperture++;
    else if (avg <= this.opts.lowLoad && this.aperture > this.minUnits()) this.aperture--;
  }

  /** Power of two choices within the window: the index of the node to try. */
  private pickInWindow(): number {
    const { window, windowSize: k } = this;
    if (k === 1) return window[0]!;
    const a = this.drawPosition();
    const b = secondChoice(a, k, this.drawPosition, this.random);
    return this.set.choose(window[a]!, window[b]!, this.set.pendingLoad);
  }

  /** A window position drawn in proportion to weight (binary search over cumulative weights). */
  private readonly drawPosition = (): number => {
    const { cumulative, windowSize: k } = this;
    const total = cumulative[k - 1]!;
    if (total === 0) return Math.min(k - 1, Math.floor(this.random() * k));
    const target = this.random() * total;
    let lo = 0;
    let hi = k - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > target) hi = mid; else lo = mid + 1;
    }
    return lo;
  };

  private minUnits(): number {
    return Math.min(this.opts.minAperture, this.set.size);
  }
}
