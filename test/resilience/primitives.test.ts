import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/time/clock.js';
import { Ema } from '../../src/resilience/ema.js';
import { WindowedCounter } from '../../src/resilience/windowed-counter.js';

test('Ema: the first sample is the average; later ones weigh by elapsed time', () => {
  const e = new Ema(100);
  assert.equal(e.update(0, 10), 10);
  assert.equal(e.update(0, 1000), 10, 'a zero-length interval moves nothing');
  const w = Math.exp(-1);
  assert.ok(Math.abs(e.update(100, 0) - 10 * w) < 1e-12);
  assert.ok(Math.abs(e.decayed(200) - 10 * w * w) < 1e-12);
  assert.ok(Math.abs(e.last - 10 * w) < 1e-12, 'decayed() records nothing');
  e.reset();
  assert.equal(e.decayed(300), 0);
  assert.equal(e.update(300, 7), 7);
});

test('WindowedCounter: sums the last range of time, in slices', () => {
  const clock = new FakeClock();
  const c = new WindowedCounter(1_000, 10, clock);
  c.add(5);
  clock.advance(500);
  c.add(3);
  assert.equal(c.sum(), 8);
  clock.advance(450); // 950: the first slice is still inside the window
  assert.equal(c.sum(), 8);
  clock.advance(100); // 1050: the first slice has expired
  assert.equal(c.sum(), 3);
  clock.advance(10_000);
  assert.equal(c.sum(), 0);
  c.add(1);
  c.reset();
  assert.equal(c.sum(), 0);
  assert.throws(() => new WindowedCounter(0, 10, clock), /range/);
});

test('WindowedCounter: a sample added with a reading the caller already has counts from that time', () => {
  const clock = new FakeClock();
  const c = new WindowedCounter(1_000, 10, clock);
  clock.advance(2_000);
  c.add(4, 1_500); // read at 1,500, added at 2,000: the window has half a second left for it
  c.add(1);
  assert.equal(c.sum(), 5);
  clock.advance(600); // 2,600: the sample read at 1,500 has expired, the one added at 2,000 has not
  assert.equal(c.sum(), 1);
  assert.throws(() => new WindowedCounter(10, 1, clock), /slices/);
});
