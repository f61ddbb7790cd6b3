/**
 * The Prometheus text exposition (`/admin/metrics/prometheus`), with Linkerd's mapping from the
 * metrics tree to series: ids become labels and the remaining segments form the name.
 *
 *   rt/outgoing/client/#/io.l5d.fs/world-v1/requests
 *     → rt:client:requests{rt="outgoing", client="#/io.l5d.fs/world-v1"}
 *
 * Segments rewritten into labels: `rt/<router>` → rt; `rt/<router>/{service,client,server}/<id>`
 * → service, client, server; `…/client/<id>/service/<path>` → service;
 * `…/{service,client,server}/<id>/failures/<exn>[/<exn>…]` → exception (nested names joined by
 * `:`); `…/exn/<exn>` likewise, under the name `exceptions`. Histograms become summaries
 * (`_count`, `_sum`, `{quantile="0|0.5|0.9|0.95|0.99|0.999|0.9999|1"}`) plus a `_avg` gauge, and
 * are written once their window holds samples.
 *
 * Two namings are offered. `linkerd` (the default) reproduces Linkerd's names (segments joined
 * by `:`, other characters → `_`) so existing dashboards and alerts keep working; promtool's
 * linter objects to those names by design (colons, counters without `_total`, `_ms`).
 * `prometheus` follows the Prometheus naming conventions instead and passes the linter:
 * segments joined by `_`, snake_case, counters end in `_total`, and a trailing time or size unit
 * is converted to its base unit (`request_latency_ms` → `request_latency_seconds`, values
 * scaled).
 */
import type { StatSummary } from './histogram.js';
import type { Metric } from './metric.js';
import type { Metrics } from './metrics.js';
import type { Scope } from './scope.js';

export interface PrometheusOptions {
  /** Prepended to every metric name, e.g. `linkerd_` (Linkerd's `io.l5d.prometheus` `prefix`). */
  prefix?: string;
  /** `linkerd` (default): Linkerd 1's names; `prometheus`: Prometheus naming conventions. */
  naming?: 'linkerd' | 'prometheus';
}

export function toPrometheus(metrics: Metrics, opts: PrometheusOptions = {}): string {
  const out = new Exposition(opts.naming === 'prometheus' ? prometheusName : linkerdName, opts.prefix ?? '');
  walk(metrics.root, { segments: [], pattern: [], labels: [] }, out);
  return out.render();
}

type Label = readonly [name: string, value: string];

/** Where a node of the tree lands: name segments, labels, and a readable path for HELP. */
interface Position {
  readonly segments: readonly string[];
  /** The flat path with label values shown as `{label}`. */
  readonly pattern: readonly string[];
  readonly labels: readonly Label[];
}

const STACKS = new Set(['service', 'client', 'server']);

function walk(scope: Scope, at: Position, out: Exposition): void {
  for (const [name, metric] of scope.metrics) out.add(metric, descend(at, name));
  for (const [name, child] of scope.children) walk(child, descend(at, name), out);
}

/** Linkerd's rewriting of a path prefix into labels, applied one segment at a time. */
function descend(at: Position, name: string): Position {
  const segs = [...at.segments, name];
  const has = (label: string): boolean => at.labels.some(([k]) => k === label);
  const asLabel = (segments: string[], label: string, patternTail: string[]): Position => ({
    segments,
    pattern: [...at.pattern, ...patternTail],
    labels: [...at.labels, [label, name]],
  });
  if (segs[0] === 'rt') {
    const stack = segs[1]!;
    if (segs.length === 2 && !has('rt')) return asLabel(['rt'], 'rt', ['{rt}']);
    if (segs.length === 3 && STACKS.has(stack) && !has(stack)) return asLabel(['rt', stack], stack, [`{${stack}}`]);
    if (segs.length === 4 && stack === 'client' && segs[2] === 'service' && !has('service')) {
      return asLabel(['rt', 'client', 'service'], 'service', ['{service}']);
    }
    if (segs.length === 4 && STACKS.has(stack) && (segs[2] === 'failures' || segs[2] === 'exn')) {
      const i = at.labels.findIndex(([k]) => k === 'exception');
      const labels = i < 0
        ? [...at.labels, ['exception', name] as const]
        : at.labels.map((l, j) => (j === i ? (['exception', `${l[1]}:${name}`] as const) : l));
      const pattern = i < 0 ? [...at.pattern, '{exception}'] : at.pattern;
      return { segments: ['rt', stack, segs[2] === 'exn' ? 'exceptions' : 'failures'], pattern, labels };
    }
  }
  return { segments: segs, pattern: [...at.pattern, name], labels: at.labels };
}

type MetricKind = 'counter' | 'gauge' | 'summary';
/** A family name for these segments, and the factor that converts values to its unit. */
type Naming = (prefix: string, segments: readonly string[], kind: MetricKind) => { name: string; scale: number };

const linkerdName: Naming = (prefix, segments) => ({
  name: leadingDigitSafe((prefix + segments.join(':')).replace(/[^A-Za-z0-9:]/g, '_')),
  scale: 1,
});

/** Trailing unit tokens promtool rejects, and the base unit they convert to. */
const UNITS: Record<string, readonly [base: string, factor: number]> = {
  ns: ['seconds', 1e-9], nanoseconds: ['seconds', 1e-9],
  us: ['seconds', 1e-6], microseconds: ['seconds', 1e-6],
  ms: ['seconds', 1e-3], millis: ['seconds', 1e-3], milliseconds: ['seconds', 1e-3],
  s: ['seconds', 1], sec: ['seconds', 1], secs: ['seconds', 1],
  m: ['seconds', 60], minutes: ['seconds', 60], h: ['seconds', 3600], hours: ['seconds', 3600],
  d: ['seconds', 86400], days: ['seconds', 86400],
  b: ['bytes', 1], kb: ['bytes', 1024], kilobytes: ['bytes', 1024], mb: ['bytes', 1024 ** 2],
  megabytes: ['bytes', 1024 ** 2], gb: ['bytes', 1024 ** 3], gigabytes: ['bytes', 1024 ** 3],
};

const prometheusName: Naming = (prefix, segments, kind) => {
  const snake = (prefix + segments.join('_'))
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  const cut = snake.lastIndexOf('_');
  const unit = UNITS[snake.slice(cut + 1)];
  let name = unit === undefined || cut < 0 ? snake : `${snake.slice(0, cut)}_${unit[0]}`;
  if (kind === 'counter' && !name.endsWith('_total')) name += '_total';
  return { name: leadingDigitSafe(name), scale: unit === undefined || cut < 0 ? 1 : unit[1] };
};

function leadingDigitSafe(name: string): string {
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

type FamilyType = MetricKind | 'untyped';

class Family {
  readonly lines: string[] = [];
  constructor(readonly name: string, public type: FamilyType, readonly help: string) {}
}

const QUANTILES: readonly [string, (s: StatSummary) => number][] = [
  ['0', (s) => s.min], ['0.5', (s) => s.p50], ['0.9', (s) => s.p90], ['0.95', (s) => s.p95],
  ['0.99', (s) => s.p99], ['0.999', (s) => s.p9990], ['0.9999', (s) => s.p9999], ['1', (s) => s.max],
];

/**
 * Collects samples into families, because the text format wants each family's lines together
 * under one TYPE, while the tree yields e.g. `rt:client:requests` once per client.
 */
class Exposition {
  /** By family name, plus a summary's `_count` and `_sum` series, which it owns. */
  private readonly byName = new Map<string, Family>();
  private readonly families: Family[] = [];
  private readonly clashes = new Set<string>();

  constructor(private readonly naming: Naming, private readonly prefix: string) {}

  add(metric: Metric, at: Position): void {
    const path = at.pattern.join('/');
    switch (metric.kind) {
      case 'counter': {
        const { name, scale } = this.naming(this.prefix, at.segments, 'counter');
        this.scalar(name, 'counter', `counter ${path}`, at.labels, metric.value * scale);
        return;
      }
      case 'gauge': {
        const v = metric.read();
        if (v === undefined) return;
        const { name, scale } = this.naming(this.prefix, at.segments, 'gauge');
        this.scalar(name, 'gauge', `gauge ${path}`, at.labels, v * scale);
        return;
      }
      case 'stat': {
        const s = metric.snapshot();
        if (s === undefined || s.count === 0) return;
        const { name, scale } = this.naming(this.prefix, at.segments, 'summary');
        this.summary(name, `stat ${path}, last completed window`, at.labels, s, scale);
        this.scalar(`${name}_avg`, 'gauge', `average of stat ${path}, last completed window`, at.labels, s.avg * scale);
      }
    }
  }

  render(): string {
    let text = '';
    for (const f of this.families) {
      text += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
      for (const line of f.lines) text += `${line}\n`;
    }
    if (this.clashes.size > 0) {
      text += `# skipped series whose name is taken by a metric of another type: ${[...this.clashes].join(' ')}\n`;
    }
    return text;
  }

  private scalar(name: string, type: 'counter' | 'gauge', help: string, labels: readonly Label[], value: number): void {
    let f = this.byName.get(name);
    if (f === undefined) {
      f = this.family(name, type, help);
    } else if (f.type === 'summary') {
      this.clashes.add(name);
      return;
    } else if (f.type !== type) {
      f.type = 'untyped';
    }
    f.lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
  }

  private summary(name: string, help: string, labels: readonly Label[], s: StatSummary, scale: number): void {
    const existing = this.byName.get(name);
    let f = existing?.type === 'summary' && existing.name === name ? existing : undefined;
    const owned = [name, `${name}_count`, `${name}_sum`];
    if (owned.some((n) => { const o = this.byName.get(n); return o !== undefined && o !== f; })) {
      this.clashes.add(name);
      return;
    }
    if (f === undefined) {
      f = this.family(name, 'summary', help);
      this.byName.set(`${name}_count`, f);
      this.byName.set(`${name}_sum`, f);
    }
    const l = formatLabels(labels);
    f.lines.push(`${name}_count${l} ${formatValue(s.count)}`, `${name}_sum${l} ${formatValue(s.sum * scale)}`);
    for (const [q, pick] of QUANTILES) {
      f.lines.push(`${name}${formatLabels([...labels, ['quantile', q]])} ${formatValue(pick(s) * scale)}`);
    }
  }

  private family(name: string, type: FamilyType, help: string): Family {
    const f = new Family(name, type, help);
    this.byName.set(name, f);
    this.families.push(f);
    return f;
  }
}

function formatLabels(labels: readonly Label[]): string {
  if (labels.length === 0) return '';
  return `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(', ')}}`;
}

/** Label values come from request data (Host headers, dtab overrides): escape all three. */
export function escapeLabelValue(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function escapeHelp(v: string): string {
  return v.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return String(v);
}
