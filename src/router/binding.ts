/**
 * The logical layer: one entry per (logical name, local dtab). It follows the live bound tree
 * and keeps it compiled into a weighted picker over concrete clients, so a request picks a
 * destination with one random number and no tree walk.
 */
import type { Activity, State } from '../naming/activity.js';
import type { NameTree } from '../naming/nametree.js';
import type { BoundName } from '../naming/namer.js';
import type { ConcreteClient } from './client.js';

const noop = (): void => {};

export interface Branch {
  /** null: a union branch that is Neg/Fail/Empty (Finagle keeps it; requests to it fail). */
  readonly client: ConcreteClient | null;
  readonly residual: string;
}

export interface ConcreteLayer {
  acquire(name: BoundName): ConcreteClient;
  release(c: ConcreteClient): void;
}

export type BindingState =
  | { kind: 'pending' }
  | { kind: 'bound' }
  | { kind: 'neg'; tree: 'neg' | 'fail' | 'empty' }
  | { kind: 'failed'; error: Error };

export class Binding {
  state: BindingState = { kind: 'pending' };
  private branches: Branch[] = [];
  private cumulative: number[] = [];
  private total = 0;
  private unsubscribe: (() => void) | undefined;
  private readonly waiters = new Set<() => void>();
  /** In-flight requests: the cache does not evict a binding while they run. */
  active = 0;

  constructor(readonly key: string, private readonly tree: Activity<NameTree<BoundName>>, private readonly concrete: ConcreteLayer) {
    this.unsubscribe = tree.subscribe(() => this.refresh(tree.current()));
    this.refresh(tree.current());
  }

  /** Calls `ready` once the binding settles; returns a cancel function (a timed-out request must not stay referenced). */
  whenSettled(ready: () => void): () => void {
    if (this.state.kind !== 'pending') { ready(); return noop; }
    this.waiters.add(ready);
    return () => { this.waiters.delete(ready); };
  }

  /** A branch chosen by weight (`u` uniform in [0,1)); undefined when there is none. */
  pick(u: number): Branch | undefined {
    const n = this.branches.length;
    if (n <= 1) return this.branches[0];
    const x = u * this.total;
    const c = this.cumulative;
    for (let i = 0; i < n; i++) if (x < c[i]!) return this.branches[i];
    return this.branches[n - 1];
  }

  private refresh(s: State<NameTree<BoundName>>): void {
    const old = this.branches;
    if (s.status === 'pending') {
      if (this.state.kind !== 'pending' && old.length > 0) return; // keep serving the last good tree
      this.state = { kind: 'pending' };
      return;
    }
    if (s.status === 'failed') {
      this.state = { kind: 'failed', error: s.error };
      this.setBranches([], []);
    } else {
      const t = s.value;
      if (t.kind === 'neg' || t.kind === 'fail' || t.kind === 'empty') {
        this.state = { kind: 'neg', tree: t.kind };
        this.setBranches([], []);
      } else {
        const leaves: { w: number; name: BoundName | null }[] = [];
        flatten(t, 1, leaves);
        const branches: Branch[] = [];
        const weights: number[] = [];
        for (const l of leaves) {
          branches.push({ client: l.name ? this.concrete.acquire(l.name) : null, residual: l.name ? l.name.residual.show() : '/' });
          weights.push(l.w);
        }
        this.state = { kind: 'bound' };
        this.setBranches(branches, weights);
      }
    }
    for (const b of old) if (b.client) this.concrete.release(b.client);
    if (this.waiters.size > 0) {
      const ws = [...this.waiters];
      this.waiters.clear();
      for (const w of ws) w();
    }
  }

  private setBranches(branches: Branch[], weights: number[]): void {
    let total = 0;
    const cumulative: number[] = [];
    const positive = weights.some((w) => w > 0);
    for (const w of weights) { total += positive ? w : 1; cumulative.push(total); }
    this.branches = branches;
    this.cumulative = cumulative;
    this.total = total;
  }

  get clients(): ConcreteClient[] { return this.branches.flatMap((b) => (b.client ? [b.client] : [])); }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const b of this.branches) if (b.client) this.concrete.release(b.client);
    this.branches = [];
  }
}

/** Flattens nested unions into leaves whose weights multiply out (same distribution). */
function flatten(t: NameTree<BoundName>, w: number, out: { w: number; name: BoundName | null }[]): void {
  switch (t.kind) {
    case 'leaf': out.push({ w, name: t.value }); return;
    case 'union': {
      let sum = 0;
      for (const b of t.branches) sum += b.weight;
      for (const b of t.branches) flatten(b.tree, sum > 0 ? (w * b.weight) / sum : w / t.branches.length, out);
      return;
    }
    case 'alt': // bound trees carry no Alt; take the first branch defensively
      if (t.trees[0]) flatten(t.trees[0], w, out);
      return;
    default:
      out.push({ w, name: null });
  }
}
