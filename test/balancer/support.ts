/** Test doubles for balancer tests: a seeded random source and nodes whose load tests set. */
import type { BalancerNode } from '../../src/balancer/balancer.js';

/** mulberry32: a small, fast, seedable PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class TestNode implements BalancerNode {
  pending = 0;
  up = true;
  constructor(readonly key: string, readonly weight = 1) {}
  available(): boolean { return this.up; }
}

export function nodes(...specs: Array<string | [string, number]>): TestNode[] {
  return specs.map((s) => (typeof s === 'string' ? new TestNode(s) : new TestNode(s[0], s[1])));
}

/** How many of `picks` picks each node got, by key. */
export function tally(pick: () => BalancerNode | undefined, picks: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < picks; i++) {
    const n = pick();
    if (n) counts.set(n.key, (counts.get(n.key) ?? 0) + 1);
  }
  return counts;
}
