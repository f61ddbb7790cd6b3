import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffConfigSchema, constantBackoff, createBackoff, decorrelatedJitteredBackoff, equalJitteredBackoff } from '../../src/resilience/backoff.js';
import { seededRandom } from '../balancer/support.js';

const take = (seq: { next(): number }, n: number) => Array.from({ length: n }, () => seq.next());

test('constant backoff repeats its delay', () => {
  assert.deepEqual(take(constantBackoff(250).start(), 3), [250, 250, 250]);
  assert.throws(() => constantBackoff(-1), /delay must be/);
});

test('equal jitter: min first, then [h, 2h) with h doubling, settling on max', () => {
  const delays = take(equalJitteredBackoff(5_000, 300_000, seededRandom(1)).start(), 12);
  assert.equal(delays[0], 5_000);
  for (let n = 1; n < delays.length && delays[n]! < 300_000; n++) {
    const h = 5_000 * 2 ** (n - 1);
    assert.ok(delays[n]! >= h && delays[n]! < 2 * h, `delay ${n} = ${delays[n]}`);
  }
  assert.deepEqual(delays.slice(-3), [300_000, 300_000, 300_000]);
  // Extreme jitter either way stays within bounds.
  assert.deepEqual(take(equalJitteredBackoff(10, 100, () => 0).start(), 6), [10, 10, 20, 40, 80, 100]);
  assert.deepEqual(take(equalJitteredBackoff(10, 100, () => 0.999).start(), 5), [10, 19, 39, 79, 100]);
});

test('decorrelated jitter: each delay in [previous, 3 × previous), capped at max', () => {
  const delays = take(decorrelatedJitteredBackoff(100, 10_000, seededRandom(2)).start(), 30);
  assert.equal(delays[0], 100);
  for (let i = 1; i < delays.length; i++) {
    assert.ok(delays[i]! >= delays[i - 1]! && delays[i]! <= Math.min(10_000, 3 * delays[i - 1]!), `${delays[i - 1]} -> ${delays[i]}`);
  }
  assert.ok(delays.at(-1)! > 9_000);
});

test('each start() is an independent sequence; min = max is constant', () => {
  const b = equalJitteredBackoff(10, 1_000, seededRandom(3));
  const s1 = b.start();
  take(s1, 5);
  assert.equal(b.start().next(), 10);
  assert.deepEqual(take(decorrelatedJitteredBackoff(7, 7, Math.random).start(), 3), [7, 7, 7]);
  assert.throws(() => equalJitteredBackoff(0, 10, Math.random), /minMs must be > 0/);
  assert.throws(() => decorrelatedJitteredBackoff(10, 5, Math.random), /maxMs must be >= minMs/);
});

test('backoff config: constant (ms defaults to 0) and jittered (both bounds required)', () => {
  assert.equal(createBackoff(backoffConfigSchema.parse({ kind: 'constant' }), Math.random).start().next(), 0);
  const j = createBackoff(backoffConfigSchema.parse({ kind: 'jittered', minMs: 10, maxMs: 20 }), () => 0.5).start();
  assert.deepEqual(take(j, 3), [10, 15, 17]);
  for (const bad of [
    { kind: 'jittered', minMs: 10 },
    { kind: 'jittered', minMs: 30, maxMs: 20 },
    { kind: 'constant', ms: -1 },
    { kind: 'constant', ms: 5, extra: 1 },
    { kind: 'exponential' },
  ]) assert.equal(backoffConfigSchema.safeParse(bad).success, false, JSON.stringify(bad));
});
