/**
 * The JSON forms of `/admin/metrics.json`, as Linkerd's admin metrics exporter writes them:
 * flat (`{"rt/outgoing/service/svc/world/requests": 3}`) and, for `tree=1`, nested
 * (`{"rt": {"outgoing": {… {"requests": {"counter": 3}}}}}`). For `q=<scope>`, either pass
 * `metrics.find(q)` here (names are then relative to it) or cut a tree with queryTree.
 */
import { resolveFlatName } from './flat-name.js';
import type { StatSummary } from './histogram.js';
import type { Metric } from './metric.js';
import { Metrics } from './metrics.js';
import type { Scope } from './scope.js';

/** A node of the `tree=1` form: metric leaves (`counter`, `gauge`, `stat.count`, …) and children. */
export interface MetricsTree { [name: string]: MetricsTree | number }

/**
 * Every metric as `flat name → number`. Histograms appear once their first window has ended,
 * as `.count` and, when count > 0, `.max .min .p50 .p90 .p95 .p99 .p9990 .p9999 .sum .avg`.
 */
export function toFlatJson(source: Metrics | Scope): Record<string, number> {
  const entries: [string, number][] = [];
  flatten(source instanceof Metrics ? source.root : source, '', entries);
  // fromEntries defines own properties, so a metric named `__proto__` stays a metric.
  return Object.fromEntries(entries);
}

function flatten(scope: Scope, prefix: string, out: [string, number][]): void {
  for (const [name, metric] of scope.metrics) {
    writeMetric(prefix === '' ? name : `${prefix}/${name}`, metric, out);
  }
  for (const [name, child] of scope.children) flatten(child, prefix === '' ? name : `${prefix}/${name}`, out);
}

/** The `tree=1` form; a name that is both a metric and a scope carries both. */
export function toTreeJson(source: Metrics | Scope): MetricsTree {
  const scope = source instanceof Metrics ? source.root : source;
  const nodes = new Map<string, [string, MetricsTree | number][]>();
  for (const [name, metric] of scope.metrics) {
    const leaf: [string, number][] = [];
    writeMetric(metric.kind, metric, leaf);
    nodes.set(name, leaf);
  }
  for (const [name, child] of scope.children) {
    const sub = Object.entries(toTreeJson(child));
    const leaf = nodes.get(name);
    nodes.set(name, leaf === undefined ? sub : [...leaf, ...sub]);
  }
  return Object.fromEntries([...nodes].map(([name, fields]) => [name, Object.fromEntries(fields)]));
}

/**
 * The subtree of a `tree=1` document at a flat name such as `rt/outgoing`, or undefined when
 * there is none (the server answers 404).
 */
export function queryTree(tree: MetricsTree, flatName: string): MetricsTree | undefined {
  return resolveFlatName<MetricsTree>(tree, flatName, (node, name) => {
    const child = Object.hasOwn(node, name) ? node[name] : undefined;
    return typeof child === 'object' ? child : undefined;
  });
}

function writeMetric(key: string, metric: Metric, out: [string, number][]): void {
  switch (metric.kind) {
    case 'counter':
      out.push([key, metric.value]);
      return;
    case 'gauge': {
      const v = metric.read();
      if (v !== undefined) out.push([key, v]);
      return;
    }
    case 'stat': {
      const s = metric.snapshot();
      if (s !== undefined) writeSummary(key, s, out);
    }
  }
}

function writeSummary(key: string, s: StatSummary, out: [string, number][]): void {
  out.push([`${key}.count`, s.count]);
  if (s.count === 0) return;
  out.push(
    [`${key}.max`, s.max], [`${key}.min`, s.min],
    [`${key}.p50`, s.p50], [`${key}.p90`, s.p90], [`${key}.p95`, s.p95], [`${key}.p99`, s.p99],
    [`${key}.p9990`, s.p9990], [`${key}.p9999`, s.p9999],
    [`${key}.sum`, s.sum], [`${key}.avg`, s.avg],
  );
}
