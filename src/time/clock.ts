/**
 * Time as a parameter: everything with a timer (budgets, EWMA, backoffs, TTLs, histogram
 * snapshots) takes a Clock, so tests drive a FakeClock and never sleep for correctness.
 */
import { performance } from 'node:perf_hooks';

export interface Timer { cancel(): void }

export interface Clock {
  /** Milliseconds, monotonic enough for durations (fractional on the system clock). */
  now(): number;
  /** Wall-clock milliseconds since the epoch (for deadlines that cross processes). */
  wallNow(): number;
  setTimeout(fn: () => void, ms: number): Timer;
}

export const systemClock: Clock = {
  // The imported binding, not the global: the global `performance` is a getter, and going through
  // it costs more than the clock read itself, several times per request.
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

/** A clock that moves only when told to: `advance(ms)` fires due timers in order. */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 0, private readonly wallOffset = 1_700_000_000_000) { this.t = start; }

  now(): number { return this.t; }
  wallNow(): number { return this.wallOffset + this.t; }

  setTimeout(fn: () => void, ms: number): Timer {
    const id = this.seq++;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return { cancel: () => { this.timers.delete(id); } };
  }

  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }

  get pendingTimers(): number { return this.timers.size; }
}
