/**
 * A minimal event emitter for per-message objects. A request or response has a handful of
 * listeners at most, so they live in one flat list allocated on first use; registering,
 * removing and emitting are short scans with no per-event bookkeeping. Emitting 'error' with no
 * listener does nothing (node's IncomingMessage behaves the same when aborted): a dropped
 * connection must never crash the process.
 */
type Listener = (...args: any[]) => void;

export class Signals {
  /** [event, listener, once, event, listener, once, …] */
  private ls: (string | Listener | boolean)[] | null = null;

  on(event: string, fn: Listener): this {
    (this.ls ??= []).push(event, fn, false);
    return this;
  }

  once(event: string, fn: Listener): this {
    (this.ls ??= []).push(event, fn, true);
    return this;
  }

  off(event: string, fn: Listener): this {
    const ls = this.ls;
    if (ls === null) return this;
    for (let i = ls.length - 3; i >= 0; i -= 3) {
      if (ls[i] === event && ls[i + 1] === fn) {
        remove3(ls, i);
        break;
      }
    }
    return this;
  }

  /** node's name for `off` (used by helpers such as `events.once`). */
  removeListener(event: string, fn: Listener): this { return this.off(event, fn); }

  /** Calls the listeners of `event` registered when the emit starts, in order. */
  emit(event: string, a?: unknown, b?: unknown): boolean {
    const ls = this.ls;
    if (ls === null) return false;
    let found: Listener | Listener[] | undefined;
    for (let i = 0; i < ls.length; i += 3) {
      if (ls[i] !== event) continue;
      const fn = ls[i + 1] as Listener;
      if (ls[i + 2] === true) {
        remove3(ls, i);
        i -= 3;
      }
      if (found === undefined) found = fn;
      else if (typeof found === 'function') found = [found, fn];
      else found.push(fn);
    }
    if (found === undefined) return false;
    if (typeof found === 'function') found.call(this, a, b);
    else for (const fn of found) fn.call(this, a, b);
    return true;
  }

  /** Is anything listening for `event`? */
  listens(event: string): boolean {
    const ls = this.ls;
    if (ls === null) return false;
    for (let i = 0; i < ls.length; i += 3) if (ls[i] === event) return true;
    return false;
  }

  /** Removes every listener of `event`. */
  removeAll(event: string): void {
    const ls = this.ls;
    if (ls === null) return;
    for (let i = ls.length - 3; i >= 0; i -= 3) if (ls[i] === event) remove3(ls, i);
  }
}

/** Removes the entry at `i` (three slots): a short copy, cheaper than `splice` on lists this small. */
function remove3(ls: unknown[], i: number): void {
  const n = ls.length - 3;
  for (let j = i; j < n; j++) ls[j] = ls[j + 3];
  ls.pop(); ls.pop(); ls.pop();
}
