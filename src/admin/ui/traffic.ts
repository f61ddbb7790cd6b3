/**
 * Live traffic of one router, built from successive polls of the metrics tree. Counters are
 * cumulative, so rates come from the difference between two polls divided by the time between
 * them; the caller passes that time in, which keeps this module free of clocks.
 */
import { requestScopes, scopeAt, sumTotals, totals, type MetricsTree, type Totals } from './metrics.js';

/** Requests per second and the share of them that succeeded, over the last poll interval. */
export interface Throughput {
  /** null before the second poll. */
  readonly requestRate: number | null;
  /** Percent of the requests completed in the interval that succeeded; null when none completed. */
  readonly successRate: number | null;
}

const NO_THROUGHPUT: Throughput = { requestRate: null, successRate: null };

/** A counter's increase; a counter that went down was reset (process restart), so it counts from 0. */
function increase(prev: number, cur: number): number {
  return cur >= prev ? cur - prev : cur;
}

/** The throughput between two totals taken `seconds` apart. */
export function throughput(prev: Totals | undefined, cur: Totals, seconds: number): Throughput {
  if (!prev || seconds <= 0) return NO_THROUGHPUT;
  const success = increase(prev.success, cur.success);
  const failures = increase(prev.failures, cur.failures);
  // Completed requests (success + failures), not `requests`, so in-flight ones do not read as failures.
  const completed = success + failures;
  return {
    requestRate: increase(prev.requests, cur.requests) / seconds,
    successRate: completed > 0 ? (100 * success) / completed : null,
  };
}

/** Columns of the history, in this order. */
const HISTORY_COLUMNS = ['requestRate', 'successRate', 'p50', 'p95', 'p99'] as const;
export type HistoryColumn = (typeof HISTORY_COLUMNS)[number];

/**
 * A sliding window of samples: x values in seconds since the epoch (as uPlot's time scale
 * expects) and one array per column, null where a value was unknown.
 */
export class History {
  readonly times: number[] = [];
  readonly columns: Record<HistoryColumn, (number | null)[]> = {
    requestRate: [], successRate: [], p50: [], p95: [], p99: [],
  };

  constructor(readonly windowMs: number) {}

  push(atMs: number, values: Record<HistoryColumn, number | null>): void {
    this.times.push(atMs / 1000);
    for (const c of HISTORY_COLUMNS) this.columns[c].push(values[c]);
    const oldest = (atMs - this.windowMs) / 1000;
    let drop = 0;
    while (drop < this.times.length && this.times[drop]! < oldest) drop++;
    if (drop > 0) {
      this.times.splice(0, drop);
      for (const c of HISTORY_COLUMNS) this.columns[c].splice(0, drop);
    }
  }

  /** `[times, column…]` for the given columns: uPlot's aligned data. */
  series(columns: readonly HistoryColumn[]): [number[], ...(number | null)[][]] {
    return [this.times, ...columns.map((c) => this.columns[c])];
  }
}

interface Sample {
  readonly atMs: number;
  readonly router: Totals;
  readonly services: ReadonlyMap<string, Totals>;
  readonly clients: ReadonlyMap<string, Totals>;
}

function totalsOf(scopes: Map<string, MetricsTree>): Map<string, Totals> {
  return new Map([...scopes].map(([id, scope]) => [id, totals(scope)]));
}

/** The router-level figures shown in the big numbers. */
export interface RouterSummary extends Throughput {
  readonly p50: number | null;
  readonly p99: number | null;
  readonly connections: number;
  readonly pending: number;
}

/** One router's traffic: the latest two samples and a history for the charts. */
export class RouterTraffic {
  private previous: Sample | undefined;
  private latest: Sample | undefined;
  readonly history: History;

  constructor(readonly label: string, windowMs = 5 * 60_000) {
    this.history = new History(windowMs);
  }

  /** Takes a poll of the whole metrics tree, taken at `atMs` (any monotonic milliseconds). */
  ingest(tree: MetricsTree, atMs: number): void {
    const rt = scopeAt(tree, ['rt', this.label]);
    const servers = [...requestScopes(scopeAt(rt, ['server'])).values()].map(totals);
    this.previous = this.latest;
    this.latest = {
      atMs,
      router: sumTotals(servers),
      services: totalsOf(requestScopes(scopeAt(rt, ['service']))),
      clients: totalsOf(requestScopes(scopeAt(rt, ['client']))),
    };
    const s = this.summary();
    this.history.push(atMs, {
      requestRate: s.requestRate,
      successRate: s.successRate,
      p50: this.latest.router.latency?.p50 ?? null,
      p95: this.latest.router.latency?.p95 ?? null,
      p99: this.latest.router.latency?.p99 ?? null,
    });
  }

  private seconds(): number {
    return this.previous && this.latest ? (this.latest.atMs - this.previous.atMs) / 1000 : 0;
  }

  private between(pick: (s: Sample) => Totals | undefined): Throughput {
    const cur = this.latest && pick(this.latest);
    if (!cur) return NO_THROUGHPUT;
    return throughput(this.previous && pick(this.previous), cur, this.seconds());
  }

  /** Requests, success, latency, connections and pending of the router's servers. */
  summary(): RouterSummary {
    const router = this.latest?.router;
    return {
      ...this.between((s) => s.router),
      p50: router?.latency?.p50 ?? null,
      p99: router?.latency?.p99 ?? null,
      connections: router?.connections ?? 0,
      pending: router?.pending ?? 0,
    };
  }

  /** Logical names that have counted requests, sorted. */
  services(): string[] {
    return [...(this.latest?.services.keys() ?? [])].sort();
  }

  /** The throughput of one logical name (`/svc/world`). */
  service(id: string): Throughput {
    return this.between((s) => s.services.get(id));
  }

  /** The last-window p99 of one logical name, when known. */
  serviceP99(id: string): number | null {
    return this.latest?.services.get(id)?.latency?.p99 ?? null;
  }

  /** The throughput of one bound client (`/#/io.l5d.fs/world-v1`). */
  client(id: string): Throughput {
    return this.between((s) => s.clients.get(id));
  }
}
