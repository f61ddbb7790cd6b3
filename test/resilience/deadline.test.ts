import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/time/clock.js';
import {
  combineDeadlines, deadlineFromTimeout, effectiveDeadline, formatDeadline, parseDeadline, readDeadlineHeader,
} from '../../src/resilience/deadline.js';

test('parse / format round-trip exactly, at full 64-bit precision', () => {
  const v = '1700000000123456789 1700000001987654321';
  const d = parseDeadline(v)!;
  assert.equal(d.timestampNs, 1700000000123456789n);
  assert.equal(d.deadlineNs, 1700000001987654321n);
  assert.equal(formatDeadline(d), v);
});

test('invalid values are rejected as Linkerd rejects them', () => {
  for (const bad of ['', '123', 'abc 456', '1.5 2', '1 2x', ' 1 2', '1  2', '1 9223372036854775808', '0x10 20']) {
    assert.equal(parseDeadline(bad), undefined, JSON.stringify(bad));
  }
  // Only the first two fields are read.
  assert.deepEqual(parseDeadline('1 2 3'), { timestampNs: 1n, deadlineNs: 2n });
  assert.deepEqual(parseDeadline('-5 +7'), { timestampNs: -5n, deadlineNs: 7n });
  assert.deepEqual(parseDeadline('1 9223372036854775807')?.deadlineNs, 9223372036854775807n);
});

test('several values: the strictest combination wins, invalid ones are ignored', () => {
  const strictest = { timestampNs: 300n, deadlineNs: 900n };
  assert.deepEqual(readDeadlineHeader(['100 1000', 'garbage', '300 2000', '200 900']), strictest);
  assert.deepEqual(readDeadlineHeader('100 1000, garbage,300 2000 , 200 900'), strictest);
  assert.deepEqual(readDeadlineHeader(['100 1000, 200 900', '300 2000']), strictest);
  assert.equal(readDeadlineHeader(['nope', '']), undefined);
  assert.equal(readDeadlineHeader(undefined), undefined);
  assert.deepEqual(combineDeadlines({ timestampNs: 1n, deadlineNs: 5n }, { timestampNs: 2n, deadlineNs: 9n }), { timestampNs: 2n, deadlineNs: 5n });
});

test('effective deadline: totalTimeoutMs from now, combined with the inbound deadline', () => {
  const clock = new FakeClock(0, 1_700_000_000_000);
  const nowNs = 1_700_000_000_000n * 1_000_000n;
  assert.deepEqual(effectiveDeadline(undefined, undefined, clock), { deadline: undefined, remainingMs: undefined });

  const own = effectiveDeadline(500, undefined, clock);
  assert.deepEqual(own.deadline, { timestampNs: nowNs, deadlineNs: nowNs + 500_000_000n });
  assert.equal(own.remainingMs, 500);

  // The inbound deadline is stricter: it wins, and is propagated.
  const inbound = { timestampNs: nowNs - 1_000_000_000n, deadlineNs: nowNs + 200_000_000n };
  const tight = effectiveDeadline(500, inbound, clock);
  assert.deepEqual(tight.deadline, { timestampNs: nowNs, deadlineNs: nowNs + 200_000_000n });
  assert.equal(tight.remainingMs, 200);

  // Only an inbound deadline: it is carried as is.
  assert.deepEqual(effectiveDeadline(undefined, inbound, clock).deadline, inbound);

  // An expired inbound deadline leaves nothing (never a negative time).
  const expired = { timestampNs: 0n, deadlineNs: nowNs - 1n };
  assert.equal(effectiveDeadline(1_000, expired, clock).remainingMs, 0);

  clock.advance(100);
  assert.equal(effectiveDeadline(undefined, inbound, clock).remainingMs, 100);
  assert.deepEqual(deadlineFromTimeout(1.5, 1), { timestampNs: 1_500_000n, deadlineNs: 2_500_000n });
});
