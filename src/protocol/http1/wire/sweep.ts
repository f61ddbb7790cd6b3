/**
 * Coarse timekeeping for idle connections. One unref'd interval per owner (a server, a pool)
 * advances a tick count; a connection notes the tick at which it went idle (a field store: no
 * timer work per request, unlike socket timeouts, which node re-arms on every read and write) and
 * the owner's sweep closes the ones idle too long. A limit of L ms is met from below: a
 * connection is closed after between L - 2 ticks and L of idleness, never later.
 */
export class Sweeper {
  ticks = 0;
  readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;

  /** `shortestMs`: the shortest limit that will be checked (the tick is a quarter of it, 5 ms to 1 s). */
  constructor(shortestMs: number, private readonly onTick: (ticks: number) => void) {
    this.tickMs = Math.max(5, Math.min(1000, Math.floor(shortestMs / 4)));
  }

  /** Starts ticking (idempotent). */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.ticks++;
      this.onTick(this.ticks);
    }, this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Would `limitMs` be exceeded by the next tick, for something idle since tick `since`? */
  due(since: number, limitMs: number): boolean {
    return (this.ticks - since + 1) * this.tickMs >= limitMs;
  }
}
