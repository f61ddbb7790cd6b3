/** Per-scope request accounting with Linkerd's names, on pre-resolved counters (hot path: field increments). */
import type { Counter, Scope, Stat } from '../telemetry/metrics.js';

export class RequestStats {
  private readonly requests: Counter;
  private readonly success: Counter;
  private readonly failures: Counter;
  private readonly latency: Stat;
  private readonly byStatus: (Counter | undefined)[] = [];
  private readonly byClass: (Counter | undefined)[] = [];
  private readonly byCause = new Map<string, Counter>();

  constructor(readonly scope: Scope) {
    this.requests = scope.counter('requests');
    this.success = scope.counter('success');
    this.failures = scope.counter('failures');
    this.latency = scope.stat('request_latency_ms');
  }

  /** `now` is the clock reading the latency was measured with (saves a second read). */
  record(status: number, latencyMs: number, ok: boolean, cause?: string, now?: number): void {
    this.requests.incr();
    if (ok) this.success.incr();
    else {
      this.failures.incr();
      if (cause) {
        let c = this.byCause.get(cause);
        if (!c) { c = this.scope.scope('failures').counter(cause); this.byCause.set(cause, c); }
        c.incr();
      }
    }
    this.latency.add(latencyMs, now);
    if (status > 0) {
      (this.byStatus[status] ??= this.scope.scope('status').counter(String(status))).incr();
      const cls = (status / 100) | 0;
      (this.byClass[cls] ??= this.scope.scope('status').counter(`${cls}XX`)).incr();
    }
  }
}
