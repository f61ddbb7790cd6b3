/**
 * Backoffs: the delays between attempts, as Linkerd's `backoff` config blocks describe them.
 *
 * A `Backoff` is a recipe; `start()` begins an independent sequence (one per retried request,
 * or one per endpoint between revivals), so a recipe can be shared while sequences are not.
 * Sequences never run out: the jittered ones settle on their maximum.
 */
import { z } from 'zod';

/** One run of delays. */
export interface BackoffSequence {
  /** The delay before the next attempt, in ms. */
  next(): number;
}

export interface Backoff {
  start(): BackoffSequence;
}

/** The random source: uniform in [0, 1), like Math.random, injectable for deterministic tests. */
export type Random = () => number;

/** The same delay every time. */
export function constantBackoff(ms: number): Backoff {
  checkDelay('constant backoff', ms);
  const seq: BackoffSequence = { next: () => ms };
  return { start: () => seq };
}

/**
 * Equal jitter (Finagle `Backoff.equalJittered`): `minMs` first, then for attempt n a delay in
 * [h, 2h) with h = minMs·2^(n-1), capped at `maxMs`, where it stays. Half of each delay is the
 * exponential floor, so the sequence grows reliably while the other half spreads out endpoints
 * that failed together. Linkerd's default failure-accrual backoff (5 s to 300 s).
 */
export function equalJitteredBackoff(minMs: number, maxMs: number, random: Random): Backoff {
  checkRange('equal-jittered backoff', minMs, maxMs);
  if (minMs === maxMs) return constantBackoff(minMs);
  return {
    start() {
      let attempt = 0;
      let capped = false;
      return {
        next() {
          if (capped) return maxMs;
          if (attempt === 0) { attempt = 1; return minMs; }
          // Past 2^52 the product saturates to maxMs anyway; the cap keeps the shift exact.
          const half = Math.min(maxMs, minMs * 2 ** Math.min(attempt - 1, 52));
          attempt++;
          const jitter = Math.floor(random() * half);
          if (half === maxMs || half >= maxMs - jitter) { capped = true; return maxMs; }
          return half + jitter;
        },
      };
    },
  };
}

/**
 * Decorrelated jitter (Finagle `Backoff.decorrelatedJittered`, what Linkerd's `kind: jittered`
 * builds): `minMs` first, then each delay is drawn from [previous, 3·previous), capped at
 * `maxMs`. Each delay depends on the last rather than on the attempt count, which spreads retries
 * of many clients apart even when they started together.
 */
export function decorrelatedJitteredBackoff(minMs: number, maxMs: number, random: Random): Backoff {
  checkRange('jittered backoff', minMs, maxMs);
  if (minMs === maxMs) return constantBackoff(minMs);
  return {
    start() {
      let current = 0;
      return {
        next() {
          if (current === 0) { current = minMs; return current; }
          const upper = current >= maxMs / 3 ? maxMs : current * 3;
          current += Math.floor(random() * (upper - current));
          return current;
        },
      };
    },
  };
}

function checkDelay(what: string, ms: number): void {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`${what}: delay must be a finite number >= 0 ms, got ${ms}`);
}

function checkRange(what: string, minMs: number, maxMs: number): void {
  if (!(minMs > 0) || !Number.isFinite(minMs)) throw new RangeError(`${what}: minMs must be > 0, got ${minMs}`);
  if (!(maxMs >= minMs) || !Number.isFinite(maxMs)) throw new RangeError(`${what}: maxMs must be >= minMs (${minMs}), got ${maxMs}`);
}

/** `backoff:` as Linkerd's BackoffConfig reads it: `constant` (ms defaults to 0) or `jittered`. */
export const backoffConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('constant'),
    ms: z.number().int().min(0).optional(),
  }),
  z.strictObject({
    kind: z.literal('jittered'),
    minMs: z.number().int().positive(),
    maxMs: z.number().int().positive(),
  }).refine((c) => c.minMs <= c.maxMs, { message: 'maxMs must be >= minMs', path: ['maxMs'] }),
]);
export type BackoffConfig = z.infer<typeof backoffConfigSchema>;

/**
 * The backoff a config block describes. `kind: jittered` is decorrelated jitter wherever it
 * appears (retries and failure accrual alike), exactly as Linkerd's BackoffConfig builds it.
 */
export function createBackoff(config: BackoffConfig, random: Random): Backoff {
  return config.kind === 'constant'
    ? constantBackoff(config.ms ?? 0)
    : decorrelatedJitteredBackoff(config.minMs, config.maxMs, random);
}
