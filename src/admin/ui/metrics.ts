/**
 * Reading the nested form of `/admin/metrics.json?tree=1`: scopes are objects, metric leaves
 * are `{"counter": n}`, `{"gauge": n}` or `{"stat.count": n, "stat.p50": …}`. Everything here
 * reads defensively — a scope that has seen no traffic simply has no metrics yet, so a missing
 * key reads as zero (or as "no latency data").
 */

/** A node of the tree form: metric leaves and child scopes. */
export interface MetricsTree { [name: string]: MetricsTree | number }

/** The latency summary of the last histogram window (the server snapshots it once a minute). */
export interface Latency {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** What one request-counting scope (a server, a service, a client) reports. */
export interface Totals {
  readonly requests: number;
  readonly success: number;
  readonly failures: number;
  readonly connections: number;
  readonly pending: number;
  /** Absent until a histogram window with at least one request has ended. */
  readonly latency: Latency | undefined;
}

function isTree(v: unknown): v is MetricsTree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The scope found by following `names` from `tree`, or undefined when any step is missing. */
export function scopeAt(tree: MetricsTree | undefined, names: readonly string[]): MetricsTree | undefined {
  let node: MetricsTree | undefined = tree;
  for (const name of names) {
    const next: unknown = node?.[name];
    node = isTree(next) ? next : undefined;
  }
  return node;
}

function leaf(scope: MetricsTree | undefined, name: string, field: string): number | undefined {
  const metric = scope?.[name];
  const v = isTree(metric) ? metric[field] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The counter `name` of `scope`; 0 when absent. */
export function counter(scope: MetricsTree | undefined, name: string): number {
  return leaf(scope, name, 'counter') ?? 0;
}

/** The gauge `name` of `scope`; 0 when absent. */
export function gauge(scope: MetricsTree | undefined, name: string): number {
  return leaf(scope, name, 'gauge') ?? 0;
}

/** `request_latency_ms` of `scope`, when its last window saw requests. */
export function latency(scope: MetricsTree | undefined): Latency | undefined {
  const field = (f: string): number => leaf(scope, 'request_latency_ms', `stat.${f}`) ?? 0;
  const count = field('count');
  if (count <= 0) return undefined;
  return { count, p50: field('p50'), p90: field('p90'), p95: field('p95'), p99: field('p99'), max: field('max') };
}

/** The request totals of one scope. */
export function totals(scope: MetricsTree | undefined): Totals {
  return {
    requests: counter(scope, 'requests'),
    success: counter(scope, 'success'),
    failures: counter(scope, 'failures'),
    connections: gauge(scope, 'connections'),
    pending: gauge(scope, 'pending'),
    latency: latency(scope),
  };
}

/**
 * The totals of several scopes (a router's servers) added up. Percentiles cannot be merged, so
 * the latency shown is that of the scope that handled the most requests in its last window.
 */
export function sumTotals(list: readonly Totals[]): Totals {
  let busiest: Latency | undefined;
  for (const t of list) if (t.latency && (!busiest || t.latency.count > busiest.count)) busiest = t.latency;
  const sum = (f: (t: Totals) => number): number => list.reduce((n, t) => n + f(t), 0);
  return {
    requests: sum((t) => t.requests),
    success: sum((t) => t.success),
    failures: sum((t) => t.failures),
    connections: sum((t) => t.connections),
    pending: sum((t) => t.pending),
    latency: busiest,
  };
}

function countsRequests(node: MetricsTree): boolean {
  return leaf(node, 'requests', 'counter') !== undefined;
}

/**
 * Every scope under `root` that counts requests, keyed by the name its scope path spells:
 * under `rt/<router>/service` the keys are logical names (`/svc/world`), under `client` bound
 * ids (`/#/io.l5d.fs/world-v1`), under `server` `/<ip>/<port>`. An id may be one key
 * (`"svc/world"`, as Switchyard writes it) or nested segments (`svc` → `world`); both spell the
 * same name. A client's own per-service breakdown (`client/<id>/service/…`) is not a scope of
 * the parent.
 */
export function requestScopes(root: MetricsTree | undefined): Map<string, MetricsTree> {
  const found = new Map<string, MetricsTree>();
  const walk = (node: MetricsTree, names: string[]): void => {
    const counting = countsRequests(node);
    if (counting && names.length > 0) found.set('/' + names.join('/'), node);
    for (const [name, child] of Object.entries(node)) {
      if (!isTree(child) || (counting && name === 'service')) continue;
      walk(child, [...names, name]);
    }
  };
  if (root) walk(root, []);
  return found;
}
