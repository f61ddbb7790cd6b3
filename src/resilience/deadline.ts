/**
 * Request deadlines across hops: the `l5d-ctx-deadline` header (`"<timestampNs> <deadlineNs>"`,
 * wall-clock nanoseconds since the epoch: when the deadline was set, and when it expires), as
 * Linkerd's LinkerdHeaders.Ctx.Deadline reads and writes it. A request may carry several values;
 * the strictest combination wins and unreadable values are ignored. Nanoseconds are kept as
 * bigint so a value read from the wire is written back unchanged.
 */
import type { Clock } from '../time/clock.js';

export const DEADLINE_HEADER = 'l5d-ctx-deadline';

export interface Deadline {
  /** When the deadline was set, ns since the epoch. */
  readonly timestampNs: bigint;
  /** When it expires, ns since the epoch. */
  readonly deadlineNs: bigint;
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const INTEGER = /^[+-]?\d+$/;

/**
 * One header value, or undefined when it is not two space-separated 64-bit integers. Like
 * Linkerd (which splits on single spaces and reads the first two fields), text after the
 * second field is ignored.
 */
export function parseDeadline(value: string): Deadline | undefined {
  const fields = value.split(' ', 2);
  if (fields.length < 2) return undefined;
  const timestampNs = parseLong(fields[0]!);
  const deadlineNs = parseLong(fields[1]!);
  return timestampNs === undefined || deadlineNs === undefined ? undefined : { timestampNs, deadlineNs };
}

/**
 * The strictest deadline among all values of the header: values may be repeated (an array, as
 * Node's `headersDistinct` gives them) or comma-joined into one string (as Node's `headers`
 * joins repeats). Unreadable values are skipped; undefined when none is readable.
 */
export function readDeadlineHeader(values: string | readonly string[] | undefined): Deadline | undefined {
  if (values === undefined) return undefined;
  let strictest: Deadline | undefined;
  for (const joined of typeof values === 'string' ? [values] : values) {
    for (const part of joined.split(',')) {
      const d = parseDeadline(part.trim());
      if (d) strictest = strictest ? combineDeadlines(strictest, d) : d;
    }
  }
  return strictest;
}

export function formatDeadline(d: Deadline): string {
  return `${d.timestampNs} ${d.deadlineNs}`;
}

/** Finagle's Deadline.combined: the later start and the earlier expiry. */
export function combineDeadlines(a: Deadline, b: Deadline): Deadline {
  return {
    timestampNs: a.timestampNs > b.timestampNs ? a.timestampNs : b.timestampNs,
    deadlineNs: a.deadlineNs < b.deadlineNs ? a.deadlineNs : b.deadlineNs,
  };
}

/** A deadline `timeoutMs` from `wallNowMs` (wall-clock ms since the epoch). */
export function deadlineFromTimeout(wallNowMs: number, timeoutMs: number): Deadline {
  const timestampNs = msToNs(wallNowMs);
  return { timestampNs, deadlineNs: timestampNs + msToNs(timeoutMs) };
}

/** Ms from `wallNowMs` until the deadline expires (negative once it has). */
export function deadlineRemainingMs(d: Deadline, wallNowMs: number): number {
  return Number(d.deadlineNs - msToNs(wallNowMs)) / 1e6;
}

export interface EffectiveDeadline {
  /** The deadline to send downstream as `l5d-ctx-deadline`; undefined when there is none. */
  readonly deadline: Deadline | undefined;
  /**
   * Ms left for the whole request (all attempts), never negative: the stricter of
   * `totalTimeoutMs` and the inbound deadline; undefined when neither applies.
   */
  readonly remainingMs: number | undefined;
}

/**
 * The time budget of one request: the service's `totalTimeoutMs` starting now, combined with
 * the deadline the request arrived with, as Finagle's timeout filter combines its own timeout
 * with `Deadline.current` before propagating it. Linkerd treats the inbound deadline as advisory:
 * it propagates it, and whether to also enforce `remainingMs` is the caller's choice.
 */
export function effectiveDeadline(totalTimeoutMs: number | undefined, inbound: Deadline | undefined, clock: Clock): EffectiveDeadline {
  const now = clock.wallNow();
  const own = totalTimeoutMs === undefined ? undefined : deadlineFromTimeout(now, totalTimeoutMs);
  const deadline = own && inbound ? combineDeadlines(own, inbound) : own ?? inbound;
  return { deadline, remainingMs: deadline && Math.max(0, deadlineRemainingMs(deadline, now)) };
}

function parseLong(s: string): bigint | undefined {
  if (!INTEGER.test(s)) return undefined;
  const n = BigInt(s);
  return n < LONG_MIN || n > LONG_MAX ? undefined : n;
}

/** Wall-clock ms (possibly fractional) to ns, at microsecond precision. */
function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1000)) * 1000n;
}
