import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/time/clock.js';
import { constantBackoff, decorrelatedJitteredBackoff } from '../../src/resilience/backoff.js';
import {
  consecutiveFailuresPolicy, FailureAccrual, failureAccrualConfigSchema, failureAccrualFactory,
  neverDeadPolicy, successRatePolicy, successRateWindowedPolicy,
} from '../../src/resilience/failure-accrual.js';
import { seededRandom } from '../balancer/support.js';

function fail(fa: FailureAccrual, n: number): void {
  for (let i = 0; i < n; i++) { fa.recordDispatch(); fa.recordFailure(); }
}

test('consecutive failures: dead after N in a row, a success resets the run', () => {
  const clock = new FakeClock();
  const fa = new FailureAccrual(consecutiveFailuresPolicy(3), constantBackoff(1_000), clock);
  fail(fa, 2);
  fa.recordSuccess();
  fail(fa, 2);
  assert.equal(fa.state, 'alive');
  fail(fa, 1);
  assert.equal(fa.state, 'dead');
  assert.equal(fa.available(), false);
  assert.equal(fa.removals, 1);
  assert.equal(fa.deadForMs, 1_000);
});

test('dead → probing after the backoff → one probe → alive on success', () => {
  const clock = new FakeClock();
  const fa = new FailureAccrual(consecutiveFailuresPolicy(1), constantBackoff(1_000), clock);
  fail(fa, 1);
  clock.advance(999);
  assert.equal(fa.state, 'dead');
  clock.advance(1);
  assert.equal(fa.state, 'probing');
  assert.equal(fa.available(), true);
  fa.recordDispatch(); // the probe
  assert.equal(fa.available(), false, 'nothing else while the probe is out');
  assert.equal(fa.probes, 1);
  fa.recordSuccess();
  assert.equal(fa.state, 'alive');
  assert.equal(fa.revivals, 1);
  assert.equal(clock.pendingTimers, 0, 'no timers are needed');
});

test('a failed probe marks dead again for the next, longer delay; revival restarts the backoff', () => {
  const clock = new FakeClock();
  const fa = new FailureAccrual(consecutiveFailuresPolicy(2), decorrelatedJitteredBackoff(100, 100_000, () => 0.999), clock);
  fail(fa, 2);
  const delays = [fa.deadForMs];
  for (let i = 0; i < 3; i++) {
    clock.advance(fa.deadForMs);
    assert.equal(fa.state, 'probing');
    fail(fa, 1);
    assert.equal(fa.state, 'dead');
    delays.push(fa.deadForMs);
  }
  assert.deepEqual(delays, [100, 299, 896, 2686]);
  assert.equal(fa.removals, 1, 'failed probes are not new removals');
  assert.equal(fa.removedForMs, 100 + 299 + 896 + 2686);
  clock.advance(fa.deadForMs);
  fa.recordDispatch();
  fa.recordSuccess();
  fail(fa, 2);
  assert.equal(fa.deadForMs, 100);
  assert.equal(fa.removals, 2);
});

test('outcomes of requests sent before death do not extend it; an ignorable probe reopens probing', () => {
  const clock = new FakeClock();
  const fa = new FailureAccrual(consecutiveFailuresPolicy(1), constantBackoff(1_000), clock);
  fail(fa, 1);
  fa.recordFailure();
  fa.recordSuccess();
  assert.equal(fa.state, 'dead');
  assert.equal(fa.deadForMs, 1_000);
  clock.advance(1_000);
  fa.recordDispatch();
  assert.equal(fa.available(), false);
  fa.recordIgnorable();
  assert.equal(fa.available(), true);
  assert.equal(fa.state, 'probing');
});

test('a failed probe the policy does not condemn reopens probing', () => {
  const clock = new FakeClock();
  // A policy that has not seen enough to judge (a success-rate window still filling, say).
  let condemn = true;
  const policy = { recordSuccess() {}, recordFailure: () => condemn, revived() {} };
  const fa = new FailureAccrual(policy, constantBackoff(10), clock);
  fail(fa, 1);
  clock.advance(10);
  condemn = false;
  fail(fa, 1);
  assert.equal(fa.state, 'probing');
  assert.equal(fa.available(), true);
});

test('success rate (requests): judged after a full window, dead below the required rate', () => {
  const p = successRatePolicy(0.8, 10);
  for (let i = 0; i < 5; i++) assert.equal(p.recordFailure(), false, `request ${i + 1} is inside the first window`);
  const q = successRatePolicy(0.8, 10);
  for (let i = 0; i < 20; i++) q.recordSuccess();
  // The EMA needs a few failures in a row to fall below 0.8 (each weighs 1 - e^(-1/10) ≈ 0.095).
  const verdicts = Array.from({ length: 4 }, () => q.recordFailure());
  assert.deepEqual(verdicts, [false, false, true, true]);
  q.revived();
  assert.equal(q.recordFailure(), false, 'revival starts a new window');
});

test('success rate (windowed): needs a whole window since start and 5 requests within it', () => {
  const clock = new FakeClock();
  const p = successRateWindowedPolicy(0.9, 10_000, clock);
  for (let i = 0; i < 10; i++) {
    clock.advance(100);
    assert.equal(p.recordFailure(), false, 'the first window is still filling');
  }
  clock.advance(10_000);
  assert.equal(p.recordFailure(), false, 'the early failures have left the window: one request in it');
  for (let i = 0; i < 3; i++) {
    clock.advance(100);
    assert.equal(p.recordFailure(), false);
  }
  clock.advance(100);
  assert.equal(p.recordFailure(), true, 'five failing requests in the window');
  p.revived();
  clock.advance(100);
  assert.equal(p.recordFailure(), false, 'revival restarts the window');
});

test('none never marks dead', () => {
  const fa = new FailureAccrual(neverDeadPolicy, constantBackoff(1), new FakeClock());
  fail(fa, 100);
  assert.equal(fa.state, 'alive');
});

test('failureAccrual config: kinds, defaults and validation', () => {
  const clock = new FakeClock();
  const deps = { clock, random: seededRandom(1) };
  // Default: 5 consecutive failures, equal jitter from 5 s.
  const def = failureAccrualFactory(undefined, deps)();
  fail(def, 4);
  assert.equal(def.state, 'alive');
  fail(def, 1);
  assert.equal(def.deadForMs, 5_000);
  clock.advance(5_000);
  fail(def, 1);
  assert.ok(def.deadForMs >= 5_000 && def.deadForMs < 10_000, `${def.deadForMs}`);

  const cfg = failureAccrualConfigSchema.parse({ kind: 'io.l5d.consecutiveFailures', failures: 2, backoff: { kind: 'constant', ms: 42 } });
  const make = failureAccrualFactory(cfg, deps);
  const a = make();
  const b = make();
  fail(a, 2);
  assert.equal(a.deadForMs, 42);
  assert.equal(b.state, 'alive', 'each endpoint has its own state');

  for (const ok of [
    { kind: 'io.l5d.successRate', successRate: 0.9, requests: 20 },
    { kind: 'io.l5d.successRateWindowed', successRate: 0.9, window: 30, backoff: { kind: 'jittered', minMs: 10, maxMs: 100 } },
    { kind: 'none' },
  ]) {
    const parsed = failureAccrualConfigSchema.parse(ok);
    assert.ok(failureAccrualFactory(parsed, deps)() instanceof FailureAccrual);
  }
  for (const bad of [
    { kind: 'io.l5d.successRate', successRate: 1.5, requests: 20 },
    { kind: 'io.l5d.successRate', successRate: 0.9 },
    { kind: 'io.l5d.successRateWindowed', successRate: 0.9, window: 0 },
    { kind: 'io.l5d.consecutiveFailures', failures: 0 },
    { kind: 'io.l5d.consecutiveFailures', failures: 5, window: 3 },
    { kind: 'io.l5d.other' },
  ]) assert.equal(failureAccrualConfigSchema.safeParse(bad).success, false, JSON.stringify(bad));
});
