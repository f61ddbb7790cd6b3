import { test } from 'node:test';
import assert from 'node:assert/strict';
import { P2CBalancer } from '../../src/balancer/p2c.js';
import { nodes, seededRandom, tally, TestNode } from './support.js';

test('p2c: an empty balancer picks nothing, a single node is always picked', () => {
  const b = new P2CBalancer<TestNode>(5, seededRandom(1));
  assert.equal(b.pick(), undefined);
  const [only] = nodes('a');
  only!.up = false;
  b.update([only!]);
  assert.equal(b.size, 1);
  assert.equal(b.pick(), only);
});

test('p2c: weight 3 gets about three times the traffic of weight 1 under equal load', () => {
  const b = new P2CBalancer<TestNode>(5, seededRandom(42));
  b.update(nodes(['heavy', 3], ['light', 1]));
  const counts = tally(() => b.pick(), 20_000);
  const ratio = counts.get('heavy')! / counts.get('light')!;
  assert.ok(ratio > 2.7 && ratio < 3.3, `ratio ${ratio}`);
});

test('p2c: weights hold when requests stay outstanding (load = pending / weight)', () => {
  const ns = nodes(['heavy', 3], ['light', 1], ['other', 1]);
  const b = new P2CBalancer<TestNode>(5, seededRandom(7));
  b.update(ns);
  // Every pick stays in flight; at equilibrium pending is proportional to weight.
  for (let i = 0; i < 5_000; i++) b.pick()!.pending++;
  const [heavy, light, other] = ns.map((n) => n.pending);
  assert.ok(heavy! / light! > 2.5 && heavy! / light! < 3.5, `${heavy} vs ${light}`);
  assert.ok(Math.abs(light! - other!) < 200, `${light} vs ${other}`);
});

test('p2c: prefers the less loaded of its two choices', () => {
  const ns = nodes('busy', 'idle');
  ns[0]!.pending = 10;
  const b = new P2CBalancer<TestNode>(5, seededRandom(3));
  b.update(ns);
  // With two nodes the two choices are always both nodes.
  for (let i = 0; i < 100; i++) assert.equal(b.pick()!.key, 'idle');
});

test('p2c: skips unavailable nodes, and still finds the one available node among many', () => {
  const ns = nodes(...Array.from({ length: 20 }, (_, i) => `n${i}`));
  for (const n of ns) n.up = false;
  ns[13]!.up = true;
  const b = new P2CBalancer<TestNode>(1, seededRandom(5));
  b.update(ns);
  for (let i = 0; i < 200; i++) assert.equal(b.pick()!.key, 'n13');
});

test('p2c: when every node is unavailable it still picks one', () => {
  const ns = nodes('a', 'b', 'c');
  for (const n of ns) n.up = false;
  const b = new P2CBalancer<TestNode>(5, seededRandom(9));
  b.update(ns);
  const counts = tally(() => b.pick(), 300);
  assert.equal([...counts.values()].reduce((x, y) => x + y, 0), 300);
});

test('p2c: zero and invalid weights get no traffic unless every weight is zero', () => {
  const b = new P2CBalancer<TestNode>(5, seededRandom(11));
  b.update(nodes(['a', 1], ['zero', 0], ['neg', -2], ['nan', Number.NaN]));
  assert.deepEqual([...tally(() => b.pick(), 500).keys()], ['a']);
  b.update(nodes(['x', 0], ['y', 0]));
  const counts = tally(() => b.pick(), 2_000);
  assert.ok(counts.get('x')! > 800 && counts.get('y')! > 800, JSON.stringify([...counts]));
});

test('p2c: rejects a max effort below one', () => {
  assert.throws(() => new P2CBalancer(0, Math.random), /maxEffort/);
});
