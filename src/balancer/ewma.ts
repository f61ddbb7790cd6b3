/**
 * Peak EWMA (`kind: ewma`, Finagle's P2CPeakEwma): power of two choices comparing expected
 * latency instead of request counts. Each node keeps a moving average of its observed latency
 * that jumps straight to any higher sample (peak-sensitive) and decays towards newer samples
 * with `decayTimeMs`; its cost is that average × (outstanding + 1) / weight. A node with no
 * latency history but requests in flight is penalised, so a new node gets one probe at a time
 * until its first answer arrives. Reading a cost does not move the average (in Finagle a read
 * restarts the interval that weighs the next sample); a sample weighs by the time since the last.
 */
import { z } from 'zod';
import type { Clock } from '../time/clock.js';
import { Ema } from '../resilience/ema.js';
import type { BalancerNode } from './balancer.js';
import { P2CBalancer } from './p2c.js';

export const DEFAULT_DECAY_TIME_MS = 10_000;
/** Finagle's penalty for a node with requests in flight but no latency yet (Long.MaxValue >> 16). */
const PENALTY = 2 ** 47 - 1;

export const ewmaConfigSchema = z.strictObject({
  kind: z.literal('ewma'),
  maxEffort: z.number().int().min(1).optional(),
  decayTimeMs: z.number().int().positive().optional(),
});
export type EwmaConfig = z.infer<typeof ewmaConfigSchema>;

export class PeakEwmaBalancer<N extends BalancerNode> extends P2CBalancer<N> {
  private latencyByKey = new Map<string, Ema>();
  /** Aligned with the node vector, so picks index instead of hashing. */
  private latency: Ema[] = [];

  constructor(maxEffort: number, private readonly decayTimeMs: number, random: () => number, private readonly clock: Clock) {
    super(maxEffort, random);
    if (!(decayTimeMs > 0)) throw new RangeError(`decayTimeMs must be > 0, got ${decayTimeMs}`);
  }

  override observe(node: N, latencyMs: number, _ok: boolean): void {
    const ema = this.latencyByKey.get(node.key);
    if (!ema) return;
    const now = this.clock.now();
    const rtt = Math.max(0, latencyMs);
    if (rtt > ema.decayed(now)) ema.reset();
    ema.update(now, rtt);
  }

  protected override rebuilt(): void {
    const old = this.latencyByKey;
    const byKey = new Map<string, Ema>();
    this.latency = this.set.nodes.map((n) => {
      let ema = byKey.get(n.key) ?? old.get(n.key);
      if (!ema) ema = new Ema(this.decayTimeMs);
      byKey.set(n.key, ema);
      return ema;
    });
    this.latencyByKey = byKey;
  }

  protected override load = (i: number): number => {
    const w = this.set.weights[i]!;
    if (w === 0) return Infinity;
    const cost = this.latency[i]!.decayed(this.clock.now());
    const pending = this.set.nodes[i]!.pending;
    return (cost === 0 && pending !== 0 ? PENALTY + pending : cost * (pending + 1)) / w;
  };
}
