import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoundRobinBalancer } from '../../src/balancer/round-robin.js';
import { nodes, seededRandom, TestNode } from './support.js';

const keys = (b: RoundRobinBalancer<TestNode>, n: number) => Array.from({ length: n }, () => b.pick()!.key);

test('roundRobin: cycles through equal nodes in order', () => {
  const b = new RoundRobinBalancer<TestNode>(5, () => 0);
  b.update(nodes('a', 'b', 'c'));
  assert.deepEqual(keys(b, 7), ['a', 'b', 'c', 'a', 'b', 'c', 'a']);
});

test('roundRobin: starts at a random place in the rotation', () => {
  const b = new RoundRobinBalancer<TestNode>(5, () => 0.5);
  b.update(nodes('a', 'b', 'c', 'd'));
  assert.deepEqual(keys(b, 4), ['c', 'd', 'a', 'b']);
});

test('roundRobin: weights give exact proportions, interleaved', () => {
  const b = new RoundRobinBalancer<TestNode>(5, () => 0);
  b.update(nodes(['a', 3], ['b', 1]));
  assert.deepEqual(keys(b, 8), ['a', 'a', 'a', 'b', 'a', 'a', 'a', 'b']);
  b.update(nodes(['x', 0.5], ['y', 1], ['z', 0]));
  const seq = keys(b, 30);
  assert.equal(seq.filter((k) => k === 'y').length, 20);
  assert.equal(seq.filter((k) => k === 'x').length, 10);
  assert.ok(!seq.includes('z'));
});

test('roundRobin: skips unavailable nodes and keeps rotating over the rest', () => {
  const ns = nodes('a', 'b', 'c');
  ns[1]!.up = false;
  const b = new RoundRobinBalancer<TestNode>(5, () => 0);
  b.update(ns);
  assert.deepEqual(keys(b, 4), ['a', 'c', 'a', 'c']);
  for (const n of ns) n.up = false;
  assert.equal(keys(b, 3).length, 3); // all down: still answers
});

test('roundRobin: an empty balancer picks nothing', () => {
  const b = new RoundRobinBalancer<TestNode>(5, seededRandom(1));
  b.update([]);
  assert.equal(b.pick(), undefined);
});
