/**
 * Values that change over time, as Finagle's Var/Activity: a namer's answer, an address set,
 * a bound tree. An Activity is observed by reading `current()` and subscribing for changes.
 *
 * `derive` builds an Activity from a function that reads other activities: it records what the
 * function read, subscribes to exactly those, and recomputes when any of them changes. Binding
 * and explanation are written as plain recursive functions over `read`, and become live for free.
 */

export type State<T> =
  | { readonly status: 'pending' }
  | { readonly status: 'ok'; readonly value: T }
  | { readonly status: 'failed'; readonly error: Error };

export interface Activity<T> {
  /** The state now. Cheap: a field read for sources, a cached value for derived activities. */
  current(): State<T>;
  /** Calls `listener` after every change of state. Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

export const PENDING: State<never> = Object.freeze({ status: 'pending' });
export function ok<T>(value: T): State<T> { return { status: 'ok', value }; }
export function failed(error: Error): State<never> { return { status: 'failed', error }; }

/** Thrown by `read` inside `derive` when a dependency is pending; derive turns it into PENDING. */
export class PendingSignal { static readonly instance = new PendingSignal(); }

/** An activity whose state is set from outside (a namer's watch, a file, a test). */
export class ActivitySource<T> implements Activity<T> {
  private state: State<T>;
  private readonly listeners = new Set<() => void>();

  constructor(initial: State<T> = PENDING) { this.state = initial; }

  current(): State<T> { return this.state; }

  set(state: State<T>): void {
    this.state = state;
    for (const l of [...this.listeners]) l();
  }
  update(value: T): void { this.set(ok(value)); }
  fail(error: Error): void { this.set(failed(error)); }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }
  get observers(): number { return this.listeners.size; }
}

/** An activity that never changes. */
export function constant<T>(value: T): Activity<T> { return new ActivitySource<T>(ok(value)); }

/** Reads an activity's value inside `derive`: throws PendingSignal or the failure. */
export type Read = <U>(a: Activity<U>) => U;

/**
 * A live activity computed by `fn`. While it has subscribers it watches what `fn` read last time
 * and recomputes on change; with none it recomputes on every `current()` call (so it never leaks
 * subscriptions). `close()` drops all subscriptions.
 */
export class Derived<T> implements Activity<T> {
  private state: State<T> = PENDING;
  private deps = new Map<Activity<unknown>, () => void>();
  private readonly listeners = new Set<() => void>();
  private stale = true;

  constructor(private readonly fn: (read: Read) => T, private readonly equals: (a: T, b: T) => boolean = Object.is) {}

  current(): State<T> {
    if (this.stale || this.listeners.size === 0) this.recompute(false);
    return this.state;
  }

  subscribe(listener: () => void): () => void {
    const first = this.listeners.size === 0;
    this.listeners.add(listener);
    if (first) this.recompute(false); // with a listener present, recompute subscribes to what it reads
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.close();
    };
  }

  close(): void {
    for (const unsub of this.deps.values()) unsub();
    this.deps.clear();
    this.stale = true;
  }

  private recompute(notify: boolean): void {
    const seen = new Set<Activity<unknown>>();
    const read: Read = <U>(a: Activity<U>): U => {
      seen.add(a as Activity<unknown>);
      const s = a.current();
      if (s.status === 'ok') return s.value;
      if (s.status === 'pending') throw PendingSignal.instance;
      throw s.error;
    };
    let next: State<T>;
    try {
      next = ok(this.fn(read));
    } catch (e) {
      next = e === PendingSignal.instance ? PENDING : failed(e instanceof Error ? e : new Error(String(e)));
    }
    this.stale = false;
    if (this.listeners.size > 0) {
      // Subscribe to the new dependencies before dropping the old ones, so a shared source that
      // moved from one handle to another never sees zero observers in between (and restarts).
      for (const a of seen) if (!this.deps.has(a)) this.deps.set(a, a.subscribe(() => this.recompute(true)));
      for (const [a, unsub] of this.deps) if (!seen.has(a)) { unsub(); this.deps.delete(a); }
    }
    const prev = this.state;
    const changed = prev.status !== next.status
      || (next.status === 'ok' && prev.status === 'ok' && !this.equals(prev.value, next.value))
      || (next.status === 'failed' && prev.status === 'failed' && prev.error.message !== next.error.message);
    this.state = next;
    if (notify && changed) for (const l of [...this.listeners]) l();
  }
}

export function derive<T>(fn: (read: Read) => T, equals?: (a: T, b: T) => boolean): Derived<T> {
  return new Derived(fn, equals);
}

/** Resolves with the first non-pending state, or rejects after `timeoutMs` (delegator, CLI). */
export function firstSettled<T>(a: Activity<T>, timeoutMs: number, setTimer: (fn: () => void, ms: number) => () => void = defaultTimer): Promise<State<T>> {
  const s = a.current();
  if (s.status !== 'pending') return Promise.resolve(s);
  return new Promise((resolve, reject) => {
    let cancel = () => {};
    const unsub = a.subscribe(() => {
      const n = a.current();
      if (n.status !== 'pending') { unsub(); cancel(); resolve(n); }
    });
    const again = a.current();
    if (again.status !== 'pending') { unsub(); resolve(again); return; }
    cancel = setTimer(() => { unsub(); reject(new Error('timed out')); }, timeoutMs);
  });
}

function defaultTimer(fn: () => void, ms: number): () => void {
  const t = setTimeout(fn, ms);
  t.unref?.();
  return () => clearTimeout(t);
}
