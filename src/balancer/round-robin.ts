/**
 * Weighted round robin (`kind: roundRobin`): a cursor walks the nodes in order; each visit adds
 * the node's weight, relative to the heaviest, to its credit, and a node is picked when its
 * credit reaches one. Equal weights give a plain rotation at one step per pick; a node of
 * weight 3 next to one of weight 1 is picked three times for each pick of the other. The
 * heaviest node is picked on every visit, so a pick never walks more than once around.
 */
import { z } from 'zod';
import type { BalancerNode } from './balancer.js';
import { EffortBalancer } from './effort.js';

export const roundRobinConfigSchema = z.strictObject({
  kind: z.literal('roundRobin'),
  maxEffort: z.number().int().min(1).optional(),
});
export type RoundRobinConfig = z.infer<typeof roundRobinConfigSchema>;

export class RoundRobinBalancer<N extends BalancerNode> extends EffortBalancer<N> {
  private step = new Float64Array(0);
  private credit = new Float64Array(0);
  private cursor = 0;

  protected override rebuilt(): void {
    const { weights, size } = this.set;
    let max = 0;
    for (let i = 0; i < size; i++) if (weights[i]! > max) max = weights[i]!;
    this.step = weights.map((w) => w / max);
    this.credit = new Float64Array(size);
    // Start somewhere random so that many routers do not all open on the same node.
    this.cursor = Math.floor(this.random() * size);
  }

  protected pickIndex(): number {
    const n = this.set.size;
    for (;;) {
      const i = this.cursor;
      this.cursor = i + 1 === n ? 0 : i + 1;
      const c = this.credit[i]! + this.step[i]!;
      if (c >= 1) {
        this.credit[i] = c - 1;
        return i;
      }
      this.credit[i] = c;
    }
  }
}
