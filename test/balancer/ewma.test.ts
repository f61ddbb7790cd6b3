import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/time/clock.js';
import { PeakEwmaBalancer } from '../../src/balancer/ewma.js';
import { nodes, seededRandom, tally, TestNode } from './support.js';

/** Sends `n` requests one at a time; each node answers in its own latency. */
function drive(b: PeakEwmaBalancer<TestNode>, clock: FakeClock, latency: Record<string, number>, n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const node = b.pick()!;
    counts.set(node.key, (counts.get(node.key) ?? 0) + 1);
    clock.advance(latency[node.key]!);
    b.observe(node, latency[node.key]!, true);
  }
  return counts;
}

test('ewma: steers traffic away from a slow node', () => {
  const clock = new FakeClock();
  const b = new PeakEwmaBalancer<TestNode>(5, 10_000, seededRandom(1), clock);
  b.update(nodes('fast1', 'fast2', 'slow'));
  const counts = drive(b, clock, { fast1: 5, fast2: 5, slow: 500 }, 3_000);
  assert.ok((counts.get('slow') ?? 0) < 100, JSON.stringify([...counts]));
});

test('ewma: a latency peak counts at once, then decays back with decayTimeMs', () => {
  const clock = new FakeClock();
  const b = new PeakEwmaBalancer<TestNode>(5, 1_000, seededRandom(2), clock);
  const [a, c] = nodes('a', 'c');
  b.update([a!, c!]);
  b.observe(a!, 10, true);
  b.observe(c!, 10, true);
  b.observe(a!, 1_000, true); // one slow answer
  assert.equal(b.pick(), c);
  // Many decay times later, a's cost is back below one fresh 10 ms sample.
  clock.advance(10_000);
  b.observe(c!, 10, true);
  assert.equal(b.pick(), a);
});

test('ewma: a node with requests in flight but no history is penalised', () => {
  const clock = new FakeClock();
  const b = new PeakEwmaBalancer<TestNode>(5, 10_000, seededRandom(3), clock);
  const [known, fresh] = nodes('known', 'fresh');
  b.update([known!, fresh!]);
  b.observe(known!, 800, true);
  fresh!.pending = 1;
  assert.equal(b.pick(), known);
  fresh!.pending = 0; // with nothing in flight a fresh node costs nothing and gets tried
  assert.equal(b.pick(), fresh);
});

test('ewma: latency history survives an update, by node key', () => {
  const clock = new FakeClock();
  const b = new PeakEwmaBalancer<TestNode>(5, 10_000, seededRandom(4), clock);
  const [slow, fast] = nodes('slow', 'fast');
  b.update([slow!, fast!]);
  b.observe(slow!, 900, true);
  b.observe(fast!, 1, true);
  // A new address set: new node objects for the same endpoints, plus one more.
  const next = nodes('fast', 'slow', 'extra');
  next[2]!.pending = 1; // in flight with no history: penalised
  b.update(next);
  const counts = tally(() => b.pick(), 300);
  // 'slow' is only ever picked when drawn together with the penalised newcomer.
  assert.ok(counts.get('fast')! > 150, JSON.stringify([...counts]));
  assert.equal(counts.get('extra') ?? 0, 0);
  b.observe(next[1]!, 900, true);
  b.update(next.slice(0, 2));
  assert.deepEqual([...tally(() => b.pick(), 100)], [['fast', 100]]);
});
