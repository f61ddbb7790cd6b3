/**
 * Per-logical-name state: the service params of Linkerd's `service` block (classifier, retry
 * budget and backoff, total timeout) resolved once for the name, and its request stats.
 */
import type { Scope, Counter } from '../telemetry/metrics.js';
import { serviceParamsFor, type ServiceConfig } from '../resilience/config.js';
import { createResponseClassifier, type ResponseClassifier } from '../resilience/response-classifier.js';
import { RetryBudget } from '../resilience/retry-budget.js';
import { constantBackoff, createBackoff, type Backoff } from '../resilience/backoff.js';
import type { Clock } from '../time/clock.js';
import { RequestStats } from './stats.js';

export class ServiceState {
  readonly stats: RequestStats;
  readonly classifier: ResponseClassifier;
  readonly budget: RetryBudget;
  readonly backoff: Backoff;
  readonly totalTimeoutMs: number | undefined;
  readonly retriesTotal: Counter;
  readonly budgetExhausted: Counter;

  constructor(name: string, config: ServiceConfig | undefined, scope: Scope, clock: Clock, random: () => number) {
    const p = serviceParamsFor(config, name);
    this.stats = new RequestStats(scope);
    this.classifier = createResponseClassifier(p.responseClassifier);
    this.budget = new RetryBudget(p.retries?.budget ?? {}, clock);
    this.backoff = p.retries?.backoff ? createBackoff(p.retries.backoff, random) : constantBackoff(0);
    this.totalTimeoutMs = p.totalTimeoutMs;
    this.retriesTotal = scope.scope('retries').counter('total');
    this.budgetExhausted = scope.scope('retries').counter('budget_exhausted');
  }
}
