/** The exporters behind the admin endpoints: `/admin/metrics.json` and `/admin/metrics/prometheus`. */
export { toFlatJson, toTreeJson, queryTree, type MetricsTree } from './json.js';
export { toPrometheus, escapeLabelValue, type PrometheusOptions } from './prometheus.js';
