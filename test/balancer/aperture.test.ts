import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/time/clock.js';
import { ApertureBalancer, DEFAULT_APERTURE, type ApertureOptions } from '../../src/balancer/aperture.js';
import { nodes, seededRandom, tally, TestNode } from './support.js';

function aperture(clock: FakeClock, seed: number, overrides: Partial<ApertureOptions> = {}) {
  return new ApertureBalancer<TestNode>({ maxEffort: 5, ...DEFAULT_APERTURE, ...overrides }, seededRandom(seed), clock);
}

test('aperture: under light load all traffic goes to a window of minAperture nodes', () => {
  const clock = new FakeClock();
  const b = aperture(clock, 1, { minAperture: 2 });
  b.update(nodes('a', 'b', 'c', 'd', 'e', 'f'));
  const counts = tally(() => { clock.advance(10); return b.pick(); }, 600);
  assert.equal(b.apertureSize, 2);
  assert.equal(counts.size, 2);
});

test('aperture: widens as outstanding load grows and narrows when it falls', () => {
  const clock = new FakeClock();
  const ns = nodes('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
  const b = aperture(clock, 2, { smoothWindowMs: 100 });
  b.update(ns);
  assert.equal(b.apertureSize, 1);
  // Requests pile up: each pick stays outstanding.
  for (let i = 0; i < 200; i++) { clock.advance(10); b.pick()!.pending++; }
  const wide = b.apertureSize;
  assert.ok(wide >= 4, `aperture ${wide}`);
  // Everything completes; requests now finish before the next starts, the load average falls
  // and the window shrinks back.
  for (const n of ns) { n.pending = 0; b.observe(); }
  for (let i = 0; i < 200; i++) {
    clock.advance(10);
    const n = b.pick()!;
    n.pending++;
    clock.advance(10);
    n.pending--;
    b.observe();
  }
  assert.equal(b.apertureSize, 1);
});

test('aperture: the window skips unavailable nodes', () => {
  const clock = new FakeClock();
  const ns = nodes('a', 'b', 'c', 'd');
  const b = aperture(clock, 3);
  b.update(ns);
  clock.advance(10);
  const first = b.pick()!;
  first.up = false;
  const counts = tally(() => { clock.advance(10); return b.pick(); }, 50);
  assert.equal(counts.get(first.key), undefined);
  assert.equal(counts.size, 1);
  for (const n of ns) n.up = false;
  assert.ok(b.pick()); // all down: still answers
});

test('aperture: a node keeps its place in the order across updates', () => {
  const clock = new FakeClock();
  const ns = nodes('a', 'b', 'c', 'd', 'e');
  const b = aperture(clock, 4);
  b.update(ns);
  clock.advance(10);
  const chosen = b.pick()!;
  b.update([...ns.filter((n) => n !== chosen), ...nodes('f', 'g'), chosen].reverse());
  clock.advance(10);
  // 'f' or 'g' might draw ahead of it, but the old nodes keep their relative order.
  const next = b.pick()!;
  assert.ok(next === chosen || next.key === 'f' || next.key === 'g', next.key);
});

test('aperture: heavier nodes tend to lead the order', () => {
  let heavyFirst = 0;
  for (let seed = 0; seed < 400; seed++) {
    const clock = new FakeClock();
    const b = aperture(clock, seed);
    b.update(nodes(['heavy', 3], ['light', 1]));
    clock.advance(10);
    if (b.pick()!.key === 'heavy') heavyFirst++;
  }
  // P(heavy first) = 3/4 for a weighted permutation.
  assert.ok(heavyFirst > 260 && heavyFirst < 340, `${heavyFirst}`);
});
