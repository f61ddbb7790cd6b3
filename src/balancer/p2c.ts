/**
 * Power of two choices, least loaded (`kind: p2c`, Linkerd's default): draw two distinct nodes
 * at random, weighted by node weight, and take the less loaded, where load is outstanding
 * requests per unit of weight. Two random choices avoid both the herd behaviour of always
 * picking the global minimum from stale data and the imbalance of one random choice.
 */
import { z } from 'zod';
import { EffortBalancer } from './effort.js';
import type { BalancerNode } from './balancer.js';
import { secondChoice } from './node-set.js';

export const p2cConfigSchema = z.strictObject({
  kind: z.literal('p2c'),
  maxEffort: z.number().int().min(1).optional(),
});
export type P2CConfig = z.infer<typeof p2cConfigSchema>;

export class P2CBalancer<N extends BalancerNode> extends EffortBalancer<N> {
  private readonly draw = (): number => this.set.sample(this.random);

  protected pickIndex(): number {
    const a = this.draw();
    const b = secondChoice(a, this.set.size, this.draw, this.random);
    return this.set.choose(a, b, this.load);
  }

  /** The load compared between the two choices; lower is better. */
  protected load = (i: number): number => this.set.pendingLoad(i);
}
