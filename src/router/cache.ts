/**
 * A bounded cache with idle expiry for the router's logical/concrete/endpoint layers.
 * Recency is tracked approximately (an entry moves to the young end at most once per
 * `touchMs`), so a hit on the hot path is one Map look-up and a clock read. Evicted values
 * are handed to `onEvict`, which closes what they hold.
 */
import type { Clock, Timer } from '../time/clock.js';

interface Entry<V> { value: V; touched: number }

export interface CacheOptions<V> {
  capacity: number;
  idleTtlMs: number;
  clock: Clock;
  onEvict: (key: string, value: V) => void;
  /** Entries that must not be evicted right now (e.g. still referenced). */
  pinned?: (value: V) => boolean;
  touchMs?: number;
}

export class BoundedCache<V> {
  private readonly map = new Map<string, Entry<V>>();
  private sweeper: Timer | undefined;
  private readonly touchMs: number;
  evictions = 0;

  constructor(private readonly opts: CacheOptions<V>) {
    this.touchMs = opts.touchMs ?? Math.min(1000, opts.idleTtlMs / 4);
  }

  get size(): number { return this.map.size; }

  /** The value for `key`; `now` saves a clock read when the caller has one. */
  get(key: string, now?: number): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    now ??= this.opts.clock.now();
    if (now - e.touched > this.touchMs) {
      this.map.delete(key);
      this.map.set(key, e);
      e.touched = now;
    }
    return e.value;
  }

  /** Inserts a new entry (the caller checked `get` first), evicting the least recently used past capacity. */
  set(key: string, value: V): void {
    this.map.set(key, { value, touched: this.opts.clock.now() });
    if (this.map.size > this.opts.capacity) this.evictOldest(this.map.size - this.opts.capacity);
    this.armSweeper();
  }

  delete(key: string): void {
    const e = this.map.get(key);
    if (!e) return;
    this.map.delete(key);
    this.opts.onEvict(key, e.value);
  }

  values(): IterableIterator<V> { return [...this.map.values()].map((e) => e.value)[Symbol.iterator](); }
  entries(): [string, V][] { return [...this.map].map(([k, e]) => [k, e.value]); }

  /** Drops entries idle for longer than the TTL. */
  sweep(): void {
    const cutoff = this.opts.clock.now() - this.opts.idleTtlMs;
    for (const [k, e] of this.map) {
      if (e.touched > cutoff) break; // oldest first: the rest are younger
      if (this.opts.pinned?.(e.value)) continue;
      this.map.delete(k);
      this.evictions++;
      this.opts.onEvict(k, e.value);
    }
  }

  clear(): void {
    this.sweeper?.cancel();
    this.sweeper = undefined;
    const all = [...this.map];
    this.map.clear();
    for (const [k, e] of all) this.opts.onEvict(k, e.value);
  }

  private evictOldest(n: number): void {
    for (const [k, e] of this.map) {
      if (n <= 0) break;
      if (this.opts.pinned?.(e.value)) continue;
      this.map.delete(k);
      this.evictions++;
      n--;
      this.opts.onEvict(k, e.value);
    }
  }

  private armSweeper(): void {
    if (this.sweeper) return;
    this.sweeper = this.opts.clock.setTimeout(() => {
      this.sweeper = undefined;
      this.sweep();
      if (this.map.size > 0) this.armSweeper();
    }, Math.max(1000, this.opts.idleTtlMs / 2));
  }
}
