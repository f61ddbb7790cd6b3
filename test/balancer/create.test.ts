import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/time/clock.js';
import { balancerSchemas, createBalancer, loadBalancerConfigSchema } from '../../src/balancer/create.js';
import { ApertureBalancer } from '../../src/balancer/aperture.js';
import { PeakEwmaBalancer } from '../../src/balancer/ewma.js';
import { LeastLoadedBalancer } from '../../src/balancer/least-loaded.js';
import { P2CBalancer } from '../../src/balancer/p2c.js';
import { RoundRobinBalancer } from '../../src/balancer/round-robin.js';
import { nodes, seededRandom, TestNode } from './support.js';

const deps = { clock: new FakeClock(), random: seededRandom(1) };

test('createBalancer: p2c by default, and each kind by its config', () => {
  assert.ok(createBalancer(undefined, deps) instanceof P2CBalancer);
  assert.ok(createBalancer({ kind: 'ewma', decayTimeMs: 500 }, deps) instanceof PeakEwmaBalancer);
  assert.ok(createBalancer({ kind: 'roundRobin' }, deps) instanceof RoundRobinBalancer);
  assert.ok(createBalancer({ kind: 'heap' }, deps) instanceof LeastLoadedBalancer);
  const a = createBalancer<TestNode>({ kind: 'aperture', minAperture: 3 }, deps);
  assert.ok(a instanceof ApertureBalancer);
  a.update(nodes('a', 'b', 'c', 'd'));
  assert.equal(a.apertureSize, 3);
});

test('loadBalancer schemas: Linkerd keys are accepted, unknown keys and bad values rejected', () => {
  const ok = [
    { kind: 'p2c', maxEffort: 3 },
    { kind: 'ewma', maxEffort: 5, decayTimeMs: 10000 },
    { kind: 'roundRobin', maxEffort: 2 },
    { kind: 'aperture', maxEffort: 5, smoothWindowMs: 5000, lowLoad: 0.5, highLoad: 2, minAperture: 1 },
    { kind: 'heap' },
  ];
  for (const c of ok) assert.ok(loadBalancerConfigSchema.safeParse(c).success, JSON.stringify(c));
  const bad = [
    { kind: 'p2c', decayTimeMs: 1 },
    { kind: 'heap', maxEffort: 1 },
    { kind: 'ewma', decayTimeMs: 0 },
    { kind: 'p2c', maxEffort: 0 },
    { kind: 'aperture', lowLoad: 3 },
    { kind: 'random' },
  ];
  for (const c of bad) assert.equal(loadBalancerConfigSchema.safeParse(c).success, false, JSON.stringify(c));
  assert.deepEqual(Object.keys(balancerSchemas).sort(), ['aperture', 'ewma', 'heap', 'p2c', 'roundRobin']);
});
