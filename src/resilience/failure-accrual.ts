/**
 * Failure accrual: per-endpoint health from the outcomes of the requests sent to it, as
 * Finagle's FailureAccrualFactory keeps it and Linkerd's `client.failureAccrual` configures it.
 *
 * A policy watches outcomes and says when an endpoint should be marked dead. A dead endpoint is
 * skipped by the load balancer for the next delay of its backoff; then it is *probing*: it is
 * available again until one request is dispatched to it, after which it takes no more traffic
 * until that probe completes. A successful probe revives it (and restarts its backoff); a failed
 * probe marks it dead for the next, usually longer, delay.
 *
 * The dead → probing transition happens on the clock when state is next read, so an endpoint
 * costs no timer while it is dead.
 */
import { z } from 'zod';
import type { Clock } from '../time/clock.js';
import { backoffConfigSchema, createBackoff, equalJitteredBackoff, type Backoff, type BackoffSequence, type Random } from './backoff.js';
import { Ema } from './ema.js';
import { WindowedCounter } from './windowed-counter.js';

/** Decides from request outcomes when an endpoint should be marked dead. */
export interface FailureAccrualPolicy {
  recordSuccess(): void;
  /** Records a failure; true when the endpoint should now be marked dead. */
  recordFailure(): boolean;
  /** The endpoint came back (a probe succeeded): forget the history that condemned it. */
  revived(): void;
}

/** Dead after `failures` failures in a row (Linkerd's default: 5). */
export function consecutiveFailuresPolicy(failures: number): FailureAccrualPolicy {
  if (!Number.isInteger(failures) || failures < 1) throw new RangeError(`consecutiveFailures: failures must be an integer >= 1, got ${failures}`);
  let run = 0;
  return {
    recordSuccess() { run = 0; },
    recordFailure() { return ++run >= failures; },
    revived() { run = 0; },
  };
}

/** The success-rate core shared by both success-rate policies: an EMA of outcomes (1 / 0). */
abstract class SuccessRatePolicy implements FailureAccrualPolicy {
  private readonly rate: Ema;

  constructor(private readonly required: number, protected readonly window: number) {
    if (!(required >= 0 && required <= 1)) throw new RangeError(`successRate must be in [0, 1], got ${required}`);
    if (!(window > 0)) throw new RangeError(`success-rate window must be > 0, got ${window}`);
    this.rate = new Ema(window);
  }

  recordSuccess(): void { this.rate.update(this.stamp(), 1); }

  recordFailure(): boolean {
    const stamp = this.stamp();
    const sr = this.rate.update(stamp, 0);
    // Judge only once a whole window has been observed, so a single early failure cannot condemn.
    return stamp >= this.window && sr < this.required && this.enoughRequests();
  }

  revived(): void {
    this.rate.reset();
    this.restart();
  }

  /** Where the EMA is: requests seen, or ms elapsed, since start or revival. */
  protected abstract stamp(): number;
  protected abstract restart(): void;
  protected abstract enoughRequests(): boolean;
}

/** Success rate over the last requests: the EMA's clock counts requests. */
class RequestSuccessRate extends SuccessRatePolicy {
  private seen = 0;
  protected stamp(): number { return ++this.seen; }
  protected restart(): void { this.seen = 0; }
  protected enoughRequests(): boolean { return true; }
}

/**
 * Dead when the success rate, averaged over roughly the last `requests` requests, falls below
 * `successRate` (and at least `requests` requests have been seen).
 */
export function successRatePolicy(successRate: number, requests: number): FailureAccrualPolicy {
  if (!Number.isInteger(requests) || requests < 1) throw new RangeError(`successRate: requests must be an integer >= 1, got ${requests}`);
  return new RequestSuccessRate(successRate, requests);
}

/** Finagle's floor on requests in the window before a windowed success rate may condemn. */
export const WINDOWED_MIN_REQUESTS = 5;

/** Success rate over the last stretch of time: the EMA's clock is ms since start or revival. */
class WindowedSuccessRate extends SuccessRatePolicy {
  private readonly requests: WindowedCounter;
  private startedAt: number;

  constructor(successRate: number, windowMs: number, private readonly clock: Clock) {
    super(successRate, windowMs);
    this.requests = new WindowedCounter(windowMs, 5, clock);
    this.startedAt = clock.now();
  }

  override recordSuccess(): void { this.requests.add(1); super.recordSuccess(); }
  override recordFailure(): boolean { this.requests.add(1); return super.recordFailure(); }
  protected stamp(): number { return this.clock.now() - this.startedAt; }
  protected restart(): void { this.startedAt = this.clock.now(); this.requests.reset(); }
  protected enoughRequests(): boolean { return this.requests.sum() >= WINDOWED_MIN_REQUESTS; }
}

/**
 * Dead when the success rate averaged over the last `windowMs` falls below `successRate`, once
 * a whole window has passed since start (or revival) and it saw at least 5 requests.
 * Outcomes recorded in the same millisecond as the previous one do not move the average (as in
 * Finagle, whose EMA ignores zero-length intervals).
 */
export function successRateWindowedPolicy(successRate: number, windowMs: number, clock: Clock): FailureAccrualPolicy {
  return new WindowedSuccessRate(successRate, windowMs, clock);
}

/** Never marks an endpoint dead (`kind: none`). */
export const neverDeadPolicy: FailureAccrualPolicy = {
  recordSuccess() {},
  recordFailure() { return false; },
  revived() {},
};

export type FailureAccrualState = 'alive' | 'dead' | 'probing';

const enum Phase { Alive, Dead, ProbeOpen, ProbeClosed }

/** One endpoint's failure-accrual state machine. */
export class FailureAccrual {
  private phase = Phase.Alive;
  private deadUntil = 0;
  private delays: BackoffSequence;
  /** Times the endpoint went from alive to dead (failed probes are not counted again). */
  removals = 0;
  /** Times a probe succeeded and the endpoint came back. */
  revivals = 0;
  /** Probe requests let through while probing. */
  probes = 0;
  /** Total ms the endpoint has been marked dead for. */
  removedForMs = 0;

  constructor(private readonly policy: FailureAccrualPolicy, private readonly backoff: Backoff, private readonly clock: Clock) {
    this.delays = backoff.start();
  }

  /** Whether the balancer may send this endpoint a request now. */
  available(): boolean {
    const p = this.current();
    return p === Phase.Alive || p === Phase.ProbeOpen;
  }

  get state(): FailureAccrualState {
    const p = this.current();
    return p === Phase.Alive ? 'alive' : p === Phase.Dead ? 'dead' : 'probing';
  }

  /** Ms until a dead endpoint starts probing; 0 when it is not dead. */
  get deadForMs(): number {
    return this.current() === Phase.Dead ? this.deadUntil - this.clock.now() : 0;
  }

  /**
   * A request is being dispatched to the endpoint. While probing, the first one is the probe:
   * the endpoint takes nothing else until it completes.
   */
  recordDispatch(): void {
    if (this.current() === Phase.ProbeOpen) {
      this.phase = Phase.ProbeClosed;
      this.probes++;
    }
  }

  recordSuccess(): void {
    if (this.current() === Phase.ProbeClosed) {
      this.revivals++;
      this.policy.revived();
      this.delays = this.backoff.start();
      this.phase = Phase.Alive;
    }
    this.policy.recordSuccess();
  }

  recordFailure(): void {
    const p = this.current();
    // Outcomes of requests sent before the endpoint was marked dead do not extend its sentence.
    if (p !== Phase.Alive && p !== Phase.ProbeClosed) return;
    if (this.policy.recordFailure()) this.markDead();
    // The policy is not convinced either way: probe again rather than stay closed forever.
    else if (p === Phase.ProbeClosed) this.phase = Phase.ProbeOpen;
  }

  /**
   * A request ended with no verdict (cancelled by the caller, say). A probe that ends this way
   * reopens probing so the endpoint is not stuck waiting for an outcome that never comes.
   */
  recordIgnorable(): void {
    if (this.current() === Phase.ProbeClosed) this.phase = Phase.ProbeOpen;
  }

  private markDead(): void {
    if (this.phase === Phase.Alive) this.removals++;
    const ms = this.delays.next();
    this.phase = Phase.Dead;
    this.deadUntil = this.clock.now() + ms;
    this.removedForMs += ms;
  }

  private current(): Phase {
    if (this.phase === Phase.Dead && this.clock.now() >= this.deadUntil) this.phase = Phase.ProbeOpen;
    return this.phase;
  }
}

/** Linkerd's default backoff between probes of a dead endpoint: equal jitter, 5 s to 300 s. */
export const DEFAULT_ACCRUAL_BACKOFF = { minMs: 5_000, maxMs: 300_000 } as const;
export const DEFAULT_CONSECUTIVE_FAILURES = 5;

const backoffKey = { backoff: backoffConfigSchema.optional() };

/** `client.failureAccrual` (Linkerd's four kinds); every kind takes an optional `backoff`. */
export const failureAccrualConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('io.l5d.consecutiveFailures'),
    failures: z.number().int().min(1).optional(),
    ...backoffKey,
  }),
  z.strictObject({
    kind: z.literal('io.l5d.successRate'),
    successRate: z.number().min(0).max(1),
    requests: z.number().int().min(1),
    ...backoffKey,
  }),
  z.strictObject({
    kind: z.literal('io.l5d.successRateWindowed'),
    successRate: z.number().min(0).max(1),
    /** Seconds. */
    window: z.number().int().min(1),
    ...backoffKey,
  }),
  z.strictObject({ kind: z.literal('none'), ...backoffKey }),
]);
export type FailureAccrualConfig = z.infer<typeof failureAccrualConfigSchema>;

export interface FailureAccrualDeps { clock: Clock; random: Random }

/**
 * A factory of per-endpoint state machines for one `failureAccrual` block (the default when
 * absent: 5 consecutive failures, equal-jittered 5 s – 300 s). Each endpoint gets its own policy
 * and backoff sequence, as each Finagle endpoint stack gets its own policy instance.
 */
export function failureAccrualFactory(config: FailureAccrualConfig | undefined, deps: FailureAccrualDeps): () => FailureAccrual {
  const { clock, random } = deps;
  const backoff = config?.backoff
    ? createBackoff(config.backoff, random)
    : equalJitteredBackoff(DEFAULT_ACCRUAL_BACKOFF.minMs, DEFAULT_ACCRUAL_BACKOFF.maxMs, random);
  const policy = (): FailureAccrualPolicy => {
    switch (config?.kind) {
      case undefined: return consecutiveFailuresPolicy(DEFAULT_CONSECUTIVE_FAILURES);
      case 'io.l5d.consecutiveFailures': return consecutiveFailuresPolicy(config.failures ?? DEFAULT_CONSECUTIVE_FAILURES);
      case 'io.l5d.successRate': return successRatePolicy(config.successRate, config.requests);
      case 'io.l5d.successRateWindowed': return successRateWindowedPolicy(config.successRate, config.window * 1000, clock);
      case 'none': return neverDeadPolicy;
    }
  };
  return () => new FailureAccrual(policy(), backoff, clock);
}
