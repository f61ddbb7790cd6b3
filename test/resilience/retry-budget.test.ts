import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/time/clock.js';
import { RetryBudget, retryBudgetConfigSchema } from '../../src/resilience/retry-budget.js';

function drain(b: RetryBudget): number {
  let n = 0;
  while (b.tryWithdraw()) n++;
  return n;
}

test('retry budget: a quiet client gets the reserve of minRetriesPerSec × ttl', () => {
  const b = new RetryBudget({}, new FakeClock());
  assert.equal(b.balance, 100);
  assert.equal(drain(b), 100);
  assert.equal(b.balance, 0);
});

test('retry budget: every request adds percentCanRetry of a retry', () => {
  const clock = new FakeClock();
  const b = new RetryBudget({ ttlSecs: 10, minRetriesPerSec: 10, percentCanRetry: 0.2 }, clock);
  for (let i = 0; i < 1_000; i++) b.deposit();
  assert.equal(b.balance, 300);
  assert.equal(drain(b), 300);
});

test('retry budget: spent retries and old deposits expire after the ttl', () => {
  const clock = new FakeClock();
  const b = new RetryBudget({ ttlSecs: 2, minRetriesPerSec: 5, percentCanRetry: 0.5 }, clock);
  for (let i = 0; i < 100; i++) b.deposit();
  assert.equal(b.balance, 10 + 50);
  clock.advance(1_000);
  assert.equal(drain(b), 60);
  clock.advance(1_000);
  // The deposits are gone; the withdrawals made a second later are still counted.
  assert.equal(b.balance, Math.trunc((10 * 2000 - 60 * 2000) / 2000));
  clock.advance(1_000);
  assert.equal(b.balance, 10, 'back to the reserve');
});

test('retry budget: a deposit made with an earlier reading of the clock expires from that reading', () => {
  const clock = new FakeClock();
  const b = new RetryBudget({ ttlSecs: 2, minRetriesPerSec: 0, percentCanRetry: 1 }, clock);
  clock.advance(5_000);
  b.deposit(3_500);
  b.deposit();
  assert.equal(b.balance, 2);
  clock.advance(1_000); // 6,000: the deposit read at 3,500 is older than the ttl
  assert.equal(b.balance, 1);
});

test('retry budget: a steady stream of requests sustains its share of retries', () => {
  const clock = new FakeClock();
  const b = new RetryBudget({ ttlSecs: 10, minRetriesPerSec: 0, percentCanRetry: 0.1 }, clock);
  let retries = 0;
  // 100 requests/s for a minute, each failing and wanting a retry.
  for (let s = 0; s < 60; s++) {
    for (let i = 0; i < 100; i++) { b.deposit(); if (b.tryWithdraw()) retries++; clock.advance(10); }
  }
  assert.ok(retries >= 590 && retries <= 610, `${retries} retries for 6000 requests`);
});

test('retry budget: no reserve and no percentage allows nothing; only a reserve costs one each', () => {
  assert.equal(new RetryBudget({ minRetriesPerSec: 0, percentCanRetry: 0 }, new FakeClock()).tryWithdraw(), false);
  const onlyReserve = new RetryBudget({ minRetriesPerSec: 2, ttlSecs: 3, percentCanRetry: 0 }, new FakeClock());
  onlyReserve.deposit();
  assert.equal(drain(onlyReserve), 6);
});

test('retry budget config: Linkerd bounds', () => {
  assert.ok(retryBudgetConfigSchema.safeParse({ ttlSecs: 60, minRetriesPerSec: 0, percentCanRetry: 1000 }).success);
  for (const bad of [{ ttlSecs: 0 }, { ttlSecs: 61 }, { minRetriesPerSec: -1 }, { percentCanRetry: 1001 }, { percentCanRetry: -0.1 }, { ttl: 5 }]) {
    assert.equal(retryBudgetConfigSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
  assert.throws(() => new RetryBudget({ ttlSecs: 0 }, new FakeClock()), /ttlSecs/);
});
