/**
 * Scopes form the metrics tree: `rt` → `outgoing` → `service` → `svc/world` → `requests`.
 * Flat names join the segments with `/` (`rt/outgoing/service/svc/world/requests`), as
 * Linkerd prints them.
 *
 * Segments named by request data (logical names, client ids, server addresses) are created
 * through `child(kind, id)`: the children of one kind under one parent are capped, so a flood of
 * distinct Host headers or dtab overrides cannot grow the tree without bound.
 */
import { resolveFlatName } from './flat-name.js';
import { Counter, Gauge, Stat, type Metric, type StatWindows } from './metric.js';

/** How many of the oldest children an eviction looks at. */
const EVICTION_SAMPLE = 16;

/** Settings shared by every scope of one registry. */
export interface ScopeContext extends StatWindows {
  /** Cap on the children of one kind under one parent. */
  readonly maxChildren: number;
}

export class Scope {
  private readonly metricMap = new Map<string, Metric>();
  /** Insertion order doubles as the eviction ring of a capped scope (oldest first). */
  private readonly childMap = new Map<string, Scope>();
  /** Finite only for the scope that groups the children of one kind (`…/service`). */
  private capacity = Infinity;
  private evictions: Counter | undefined;
  private detached = false;
  /** For eviction: looked up since last considered, and activity() when last considered. */
  private touched = false;
  private lastActivity = 0;

  private constructor(
    /** The segment as printed; for a child, its id without the leading `/`. */
    readonly name: string,
    readonly parent: Scope | undefined,
    private readonly ctx: ScopeContext,
  ) {}

  /** The root of a registry (used by Metrics). */
  static root(ctx: ScopeContext): Scope { return new Scope('', undefined, ctx); }

  /** The flat name of this scope, e.g. `rt/outgoing/service/svc/world` ('' for the root). */
  get path(): string {
    return this.parent === undefined ? '' : this.parent.parent === undefined ? this.name : `${this.parent.path}/${this.name}`;
  }

  /**
   * True once this scope (or an ancestor) was removed or evicted: its metrics still accept
   * updates but are no longer exported. Holders of a long-lived scope can check this and ask
   * for it again.
   */
  get removed(): boolean {
    for (let s: Scope | undefined = this; s !== undefined; s = s.parent) if (s.detached) return true;
    return false;
  }

  /** The metrics registered directly in this scope, by name (for exporters). */
  get metrics(): ReadonlyMap<string, Metric> { return this.metricMap; }

  /** The child scopes, by segment name (for exporters). */
  get children(): ReadonlyMap<string, Scope> { return this.childMap; }

  /** The scope below this one; cached, so the same segments give the same object. */
  scope(...segments: string[]): Scope {
    let s: Scope = this;
    for (const seg of segments) if (seg !== '') s = s.enter(seg);
    return s;
  }

  /**
   * The scope for one value of an unbounded key, e.g. `child('service', '/svc/world')` gives
   * `…/service/svc/world`. At most `maxChildren` children of one kind live under one parent;
   * beyond that the least recently used one (looked up here or counted into; see evictOne) is
   * evicted with its metrics, and `<kind>_evicted` on this scope counts it.
   */
  child(kind: string, id: string): Scope {
    const group = this.enter(kind);
    if (group.capacity === Infinity) {
      group.capacity = this.ctx.maxChildren;
      group.evictions = this.counter(`${kind}_evicted`);
    }
    return group.enter(id.charCodeAt(0) === 47 /* '/' */ ? id.slice(1) : id);
  }

  counter(name: string): Counter {
    const m = this.lookup(name, 'counter');
    if (m !== undefined) return m as Counter;
    const c = new Counter();
    this.metricMap.set(name, c);
    return c;
  }

  /** Registers `fn` to be read at export time; a second registration replaces the function. */
  gauge(name: string, fn: () => number): Gauge {
    const m = this.lookup(name, 'gauge') as Gauge | undefined;
    if (m !== undefined) { m.replace(fn); return m; }
    const g = new Gauge(fn, (self) => { if (this.metricMap.get(name) === self) this.metricMap.delete(name); });
    this.metricMap.set(name, g);
    return g;
  }

  stat(name: string): Stat {
    const m = this.lookup(name, 'stat');
    if (m !== undefined) return m as Stat;
    const s = new Stat(this.ctx);
    this.metricMap.set(name, s);
    return s;
  }

  /** Drops this scope and everything below it from the export (no-op on the root). */
  remove(): void {
    if (this.parent === undefined) return;
    if (this.parent.childMap.get(this.name) === this) this.parent.childMap.delete(this.name);
    this.detached = true;
  }

  /** The scope at a relative flat name such as `rt/outgoing/client/#/io.l5d.fs/world-v1`. */
  find(flatName: string): Scope | undefined {
    return resolveFlatName<Scope>(this, flatName, (s, name) => s.childMap.get(name));
  }

  private enter(name: string): Scope {
    const existing = this.childMap.get(name);
    if (existing !== undefined) {
      existing.touched = true;
      return existing;
    }
    while (this.childMap.size >= this.capacity) this.evictOne();
    const created = new Scope(name, this, this.ctx);
    this.childMap.set(name, created);
    return created;
  }

  /**
   * Evicts the child used least recently, approximated (as Redis approximates LRU) so that
   * counting stays a plain field increment: the oldest few children are sampled and scored by
   * how much they were looked up or counted into since they were last considered. One with a
   * score of 0 goes at once; otherwise the lowest score of the sample goes, and the survivors
   * move to the back.
   */
  private evictOne(): void {
    const sampled: Scope[] = [];
    let victim: Scope | undefined;
    let lowest = Infinity;
    for (const c of this.childMap.values()) {
      const activity = c.activity();
      const score = activity - c.lastActivity + (c.touched ? 1 : 0);
      c.lastActivity = activity;
      c.touched = false;
      sampled.push(c);
      if (victim === undefined || score < lowest) { victim = c; lowest = score; }
      if (score === 0 || sampled.length === EVICTION_SAMPLE) break;
    }
    victim!.remove();
    this.evictions?.incr();
    for (const c of sampled) {
      if (c === victim) continue;
      this.childMap.delete(c.name);
      this.childMap.set(c.name, c);
    }
  }

  /** A number that changes whenever anything in this subtree is counted or recorded. */
  private activity(): number {
    let sum = 0;
    for (const m of this.metricMap.values()) {
      if (m.kind === 'counter') sum += m.value;
      else if (m.kind === 'stat') sum += m.recorded;
    }
    for (const c of this.childMap.values()) sum += c.activity();
    return sum;
  }

  private lookup(name: string, kind: Metric['kind']): Metric | undefined {
    if (name === '') throw new RangeError(`metric name must not be empty (in scope "${this.path}")`);
    const m = this.metricMap.get(name);
    if (m !== undefined && m.kind !== kind) {
      const full = this.parent === undefined ? name : `${this.path}/${name}`;
      throw new TypeError(`metric "${full}" is already a ${m.kind}; it cannot also be a ${kind}`);
    }
    return m;
  }
}
