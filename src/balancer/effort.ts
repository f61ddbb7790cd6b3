/**
 * The pick loop shared by balancers that choose by random or rotating draws: draw, and if the
 * node is unavailable draw again, up to `maxEffort` draws; then fall back to any available
 * node, and failing that return the last draw (a node that is probably down beats no node).
 */
import type { Balancer, BalancerNode } from './balancer.js';
import { NodeSet } from './node-set.js';

export abstract class EffortBalancer<N extends BalancerNode> implements Balancer<N> {
  protected readonly set = new NodeSet<N>();

  constructor(private readonly maxEffort: number, protected readonly random: () => number) {
    if (!Number.isInteger(maxEffort) || maxEffort < 1) throw new RangeError(`maxEffort must be an integer >= 1, got ${maxEffort}`);
  }

  get size(): number { return this.set.size; }

  update(nodes: readonly N[]): void {
    this.set.update(nodes);
    this.rebuilt();
  }

  pick(): N | undefined {
    const { nodes } = this.set;
    if (nodes.length <= 1) return nodes[0];
    let last = nodes[0]!;
    for (let i = 0; i < this.maxEffort; i++) {
      last = nodes[this.pickIndex()]!;
      if (last.available()) return last;
    }
    return this.set.anyAvailable(this.random) ?? last;
  }

  observe(_node: N, _latencyMs: number, _ok: boolean): void {}

  /** One draw: the index of a node to try. */
  protected abstract pickIndex(): number;

  /** Called after the node set changed, to rebuild per-node state. */
  protected rebuilt(): void {}
}
