/**
 * Least loaded (`kind: heap`, after Finagle's heap balancer): always the available node with the
 * fewest outstanding requests per unit of weight, ties broken at random in proportion to weight
 * (so weights hold under equal load). Finagle keeps a heap ordered by load that its own counters
 * update; here the router owns the counters, so each pick scans the nodes instead.
 */
import { z } from 'zod';
import type { Balancer, BalancerNode } from './balancer.js';
import { NodeSet } from './node-set.js';

export const heapConfigSchema = z.strictObject({ kind: z.literal('heap') });
export type HeapConfig = z.infer<typeof heapConfigSchema>;

export class LeastLoadedBalancer<N extends BalancerNode> implements Balancer<N> {
  private readonly set = new NodeSet<N>();

  constructor(private readonly random: () => number) {}

  get size(): number { return this.set.size; }

  update(nodes: readonly N[]): void { this.set.update(nodes); }

  pick(): N | undefined {
    return this.least(true) ?? this.least(false);
  }

  observe(): void {}

  private least(onlyAvailable: boolean): N | undefined {
    const { nodes, weights } = this.set;
    let best: N | undefined;
    let bestLoad = Infinity;
    let tiedWeight = 0;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      const w = weights[i]!;
      if (w === 0 || (onlyAvailable && !node.available())) continue;
      const load = node.pending / w;
      if (load < bestLoad) {
        best = node;
        bestLoad = load;
        tiedWeight = w;
      } else if (load === bestLoad) {
        // Weighted reservoir sampling over the tied nodes: one pass, no allocation.
        tiedWeight += w;
        if (this.random() * tiedWeight < w) best = node;
      }
    }
    return best;
  }
}
