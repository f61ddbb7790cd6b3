import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeastLoadedBalancer } from '../../src/balancer/least-loaded.js';
import { nodes, seededRandom, tally, TestNode } from './support.js';

test('heap: always the available node with the least load per weight', () => {
  const ns = nodes(['a', 1], ['b', 4], ['c', 1]);
  ns[0]!.pending = 2;
  ns[1]!.pending = 4; // 1 per unit of weight
  ns[2]!.pending = 0;
  const b = new LeastLoadedBalancer<TestNode>(seededRandom(1));
  b.update(ns);
  assert.equal(b.pick()!.key, 'c');
  ns[2]!.up = false;
  assert.equal(b.pick()!.key, 'b');
  for (const n of ns) n.up = false;
  assert.equal(b.pick()!.key, 'c'); // all down: the least loaded anyway
});

test('heap: ties are broken in proportion to weight', () => {
  const b = new LeastLoadedBalancer<TestNode>(seededRandom(2));
  b.update(nodes(['heavy', 3], ['light', 1]));
  const counts = tally(() => b.pick(), 8_000);
  const ratio = counts.get('heavy')! / counts.get('light')!;
  assert.ok(ratio > 2.7 && ratio < 3.3, `ratio ${ratio}`);
});

test('heap: spreads outstanding requests evenly', () => {
  const ns = nodes('a', 'b', 'c', 'd');
  const b = new LeastLoadedBalancer<TestNode>(seededRandom(3));
  b.update(ns);
  for (let i = 0; i < 40; i++) b.pick()!.pending++;
  assert.deepEqual(ns.map((n) => n.pending), [10, 10, 10, 10]);
});
