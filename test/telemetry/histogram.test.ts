import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EMPTY_SUMMARY, Histogram, type StatSummary } from '../../src/telemetry/histogram.js';

/** The r-th smallest sample for r = ceil(q·n), the rank definition the histogram approximates. */
function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length - 1e-9)) - 1]!;
}

const QUANTILES: [keyof StatSummary, number][] = [
  ['p50', 0.5], ['p90', 0.9], ['p95', 0.95], ['p99', 0.99], ['p9990', 0.999], ['p9999', 0.9999],
];

test('an empty histogram summarises to count 0', () => {
  assert.deepEqual(new Histogram().summary(), EMPTY_SUMMARY);
});

test('a single sample is reported exactly at every quantile', () => {
  const h = new Histogram();
  h.record(37.25);
  assert.deepEqual(h.summary(), {
    count: 1, sum: 37.25, min: 37.25, max: 37.25, avg: 37.25,
    p50: 37.25, p90: 37.25, p95: 37.25, p99: 37.25, p9990: 37.25, p9999: 37.25,
  });
});

test('count, sum, min, max and avg are exact; quantiles follow ranks', () => {
  const h = new Histogram();
  for (let v = 1; v <= 100; v++) h.record(v);
  const s = h.summary();
  assert.equal(s.count, 100);
  assert.equal(s.sum, 5050);
  assert.equal(s.min, 1);
  assert.equal(s.max, 100);
  assert.equal(s.avg, 50.5);
  for (const [field, expected] of [['p50', 50], ['p90', 90], ['p95', 95], ['p99', 99], ['p9990', 100]] as const) {
    assert.ok(Math.abs(s[field] - expected) <= expected * 0.01, `${field} = ${s[field]}, want ≈ ${expected}`);
  }
});

test('quantiles are within 1% of the exact rank statistic, over twelve orders of magnitude', () => {
  fc.assert(fc.property(
    fc.array(fc.double({ min: 1e-5, max: 1e12, noNaN: true }), { minLength: 1, maxLength: 400 }),
    (values) => {
      const h = new Histogram();
      for (const v of values) h.record(v);
      const s = h.summary();
      const sorted = [...values].sort((a, b) => a - b);
      for (const [field, q] of QUANTILES) {
        const exact = exactQuantile(sorted, q);
        assert.ok(Math.abs(s[field] - exact) <= exact * 0.01, `${field}: ${s[field]} vs ${exact}`);
      }
      assert.equal(s.min, sorted[0]);
      assert.equal(s.max, sorted[sorted.length - 1]);
    },
  ), { numRuns: 300 });
});

test('zero, negative, NaN and infinite samples', () => {
  const h = new Histogram();
  h.record(0);
  h.record(-5); // a clock that went backwards: counted as 0 rather than lost
  h.record(Number.NaN);
  h.record(Infinity);
  h.record(4);
  const s = h.summary();
  assert.equal(s.count, 3);
  assert.equal(s.min, 0);
  assert.equal(s.max, 4);
  assert.equal(s.p50, 0);
  assert.ok(Math.abs(s.p90 - 4) <= 0.04);
});

test('values beyond the top octave share its bucket and are reported as the exact max', () => {
  const h = new Histogram();
  h.record(1e300);
  h.record(1);
  const s = h.summary();
  assert.equal(s.p9999, 1e300);
  assert.equal(s.max, 1e300);
});

test('memory is bounded by the octaves in use and released once they go quiet', () => {
  const h = new Histogram();
  // 100,000 latencies between 10 µs and 10 s (in ms) touch at most 20 octaves.
  let x = 12345;
  for (let i = 0; i < 100_000; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    h.record(0.01 * 10 ** (6 * (x / 2 ** 31)));
  }
  assert.equal(h.size, 100_000);
  assert.ok(h.allocatedOctaves <= 21, `octaves: ${h.allocatedOctaves}`);
  h.reset();
  assert.equal(h.size, 0);
  assert.deepEqual(h.summary(), EMPTY_SUMMARY);
  h.record(5); // one octave stays busy
  h.reset(); // the rest saw nothing during that window
  assert.equal(h.allocatedOctaves, 1);
});
