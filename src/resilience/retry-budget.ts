/**
 * Retry budgets (Finagle's RetryBudget, Linkerd's `retries.budget` and `client.requeueBudget`):
 * a token bucket in which every request deposits and every retry withdraws, so retries stay a
 * bounded fraction of traffic and a failing service is not hammered by its own retries.
 *
 * Over any `ttlSecs` window, roughly `minRetriesPerSec × ttlSecs + percentCanRetry × requests`
 * retries are allowed: the first term is a standing reserve so that quiet clients can still
 * retry; deposits and withdrawals expire after the ttl.
 */
import { z } from 'zod';
import type { Clock } from '../time/clock.js';
import { WindowedCounter } from './windowed-counter.js';

export const DEFAULT_RETRY_BUDGET = { ttlSecs: 10, minRetriesPerSec: 10, percentCanRetry: 0.2 } as const;

/** Tokens per deposit; a withdrawal costs SCALE / percentCanRetry, keeping the arithmetic integral. */
const SCALE = 1000;
/** Finagle's leaky bucket divides its ttl into 10 slices. */
const SLICES = 10;

export const retryBudgetConfigSchema = z.strictObject({
  ttlSecs: z.number().int().min(1).max(60).optional(),
  minRetriesPerSec: z.number().int().min(0).optional(),
  percentCanRetry: z.number().min(0).max(SCALE).optional(),
});
export type RetryBudgetConfig = z.infer<typeof retryBudgetConfigSchema>;

export class RetryBudget {
  private readonly bucket: WindowedCounter;
  private readonly depositAmount: number;
  private readonly withdrawalAmount: number;
  private readonly reserve: number;

  constructor(config: RetryBudgetConfig, clock: Clock) {
    const ttlSecs = config.ttlSecs ?? DEFAULT_RETRY_BUDGET.ttlSecs;
    const minRetriesPerSec = config.minRetriesPerSec ?? DEFAULT_RETRY_BUDGET.minRetriesPerSec;
    const percentCanRetry = config.percentCanRetry ?? DEFAULT_RETRY_BUDGET.percentCanRetry;
    const parsed = retryBudgetConfigSchema.safeParse({ ttlSecs, minRetriesPerSec, percentCanRetry });
    if (!parsed.success) throw new RangeError(`invalid retry budget: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    // With no percentage, requests earn nothing and each retry costs one token of the reserve.
    this.depositAmount = percentCanRetry === 0 ? 0 : SCALE;
    this.withdrawalAmount = percentCanRetry === 0 ? 1 : Math.trunc(SCALE / percentCanRetry);
    this.reserve = minRetriesPerSec * ttlSecs * this.withdrawalAmount;
    this.bucket = new WindowedCounter(ttlSecs * 1000, SLICES, clock);
  }

  /** Every request (not retry) calls this once; `now` is a reading of the budget's clock, when the caller has one. */
  deposit(now?: number): void {
    if (this.depositAmount > 0) this.bucket.add(this.depositAmount, now);
  }

  /** Takes the cost of one retry if the budget allows it. */
  tryWithdraw(): boolean {
    if (this.tokens() < this.withdrawalAmount) return false;
    this.bucket.add(-this.withdrawalAmount);
    return true;
  }

  /** Retries the budget would allow right now. */
  get balance(): number {
    return Math.trunc(this.tokens() / this.withdrawalAmount);
  }

  private tokens(): number { return this.bucket.sum() + this.reserve; }
}
