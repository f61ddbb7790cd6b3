/**
 * The node vector every balancer works on: the nodes with their effective weights and a Vose
 * alias table, so a weighted random pick costs one random number and no allocation however
 * many nodes there are. Rebuilt on update, which is rare next to picks.
 */
import type { BalancerNode } from './balancer.js';

/**
 * The second choice for power of two choices, distinct from `first` (of `n` > 1 candidates), as
 * Finagle's P2C guarantees. Weighted draws may repeat the first; redrawing keeps the second
 * choice's weighted distribution, and the bound stops a heavily weighted first choice from
 * looping, after which any other candidate will do.
 */
export function secondChoice(first: number, n: number, draw: () => number, random: () => number): number {
  for (let i = 0; i < 8; i++) {
    const b = draw();
    if (b !== first) return b;
  }
  const b = Math.floor(random() * (n - 1));
  return b >= first ? b + 1 : b;
}

export class NodeSet<N extends BalancerNode> {
  nodes: readonly N[] = [];
  /** Effective weights: invalid or non-positive weights count as 0; all 0 counts as all 1. */
  weights = new Float64Array(0);
  private prob = new Float64Array(0);
  private alias = new Int32Array(0);

  get size(): number { return this.nodes.length; }

  update(nodes: readonly N[]): void {
    this.nodes = nodes.slice();
    const n = nodes.length;
    const w = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const x = nodes[i]!.weight;
      w[i] = x > 0 && Number.isFinite(x) ? x : 0;
      total += w[i]!;
    }
    if (total === 0) { w.fill(1); total = n; }
    this.weights = w;
    this.buildAlias(total);
  }

  /** A random index with probability proportional to its weight. */
  sample(random: () => number): number {
    const n = this.nodes.length;
    const x = random() * n;
    const i = Math.min(n - 1, Math.floor(x));
    return x - i < this.prob[i]! ? i : this.alias[i]!;
  }

  /** Least-loaded's load: outstanding requests per unit of weight (a weightless node is never less loaded). */
  readonly pendingLoad = (i: number): number => {
    const w = this.weights[i]!;
    return w > 0 ? this.nodes[i]!.pending / w : Infinity;
  };

  /**
   * Finagle's power-of-two-choices comparison of two node indices: the available one if only
   * one is, otherwise the one with the lower load (the first on a tie).
   */
  choose(a: number, b: number, load: (i: number) => number): number {
    const aUp = this.nodes[a]!.available();
    if (aUp !== this.nodes[b]!.available()) return aUp ? a : b;
    return load(a) <= load(b) ? a : b;
  }

  /**
   * A weighted random available node, or undefined when none is. The full scan is the fallback
   * for when random picks keep landing on unavailable nodes; Finagle gets the same effect by
   * rebuilding its distributor over the nodes that are up.
   */
  anyAvailable(random: () => number): N | undefined {
    const { nodes, weights } = this;
    let total = 0;
    let count = 0;
    for (let i = 0; i < nodes.length; i++) {
      if (nodes[i]!.available()) { total += weights[i]!; count++; }
    }
    if (count === 0) return undefined;
    const byWeight = total > 0;
    let r = random() * (byWeight ? total : count);
    let found: N | undefined;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (!node.available()) continue;
      found = node;
      r -= byWeight ? weights[i]! : 1;
      if (r < 0) break;
    }
    return found;
  }

  private buildAlias(total: number): void {
    const n = this.nodes.length;
    const prob = new Float64Array(n);
    const alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let ns = 0;
    let nl = 0;
    for (let i = 0; i < n; i++) {
      scaled[i] = (this.weights[i]! * n) / total;
      if (scaled[i]! < 1) small[ns++] = i; else large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
      const s = small[--ns]!;
      const l = large[--nl]!;
      prob[s] = scaled[s]!;
      alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      if (scaled[l]! < 1) small[ns++] = l; else large[nl++] = l;
    }
    // What is left is within rounding error of a full column.
    while (nl > 0) prob[large[--nl]!] = 1;
    while (ns > 0) prob[small[--ns]!] = 1;
    this.prob = prob;
    this.alias = alias;
  }
}
