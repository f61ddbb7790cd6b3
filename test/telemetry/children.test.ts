import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metrics, Scope } from '../../src/telemetry/metrics.js';
import { toFlatJson, toPrometheus } from '../../src/telemetry/exposition.js';
import { FakeClock } from '../../src/time/clock.js';

function countScopes(s: Scope): number {
  let n = 1;
  for (const c of s.children.values()) n += countScopes(c);
  return n;
}

test('children are named by their id without the leading "/", as Linkerd prints them', () => {
  const m = new Metrics();
  const rt = m.scope('rt', 'outgoing');
  const svc = rt.child('service', '/svc/world');
  svc.counter('requests').incr();
  rt.child('client', '/#/io.l5d.fs/world-v1').counter('requests').incr();
  rt.child('server', '127.0.0.1/4140').counter('requests').incr();
  assert.equal(rt.child('service', '/svc/world'), svc);
  assert.equal(rt.child('service', 'svc/world'), svc);
  assert.equal(svc.path, 'rt/outgoing/service/svc/world');
  assert.deepEqual(toFlatJson(m), {
    'rt/outgoing/service_evicted': 0,
    'rt/outgoing/client_evicted': 0,
    'rt/outgoing/server_evicted': 0,
    'rt/outgoing/service/svc/world/requests': 1,
    'rt/outgoing/client/#/io.l5d.fs/world-v1/requests': 1,
    'rt/outgoing/server/127.0.0.1/4140/requests': 1,
  });
});

test('beyond maxChildren the least recently looked-up child is evicted and counted', () => {
  const m = new Metrics({ maxChildren: 3 });
  const rt = m.scope('rt', 'outgoing');
  const a = rt.child('service', '/svc/a');
  const b = rt.child('service', '/svc/b');
  rt.child('service', '/svc/c');
  rt.child('service', '/svc/a'); // a is used again, so b is now the least recent
  rt.child('service', '/svc/d');
  assert.deepEqual([...m.find('rt/outgoing/service')!.children.keys()].sort(), ['svc/a', 'svc/c', 'svc/d']);
  assert.equal(b.removed, true);
  assert.equal(a.removed, false);
  assert.equal(rt.counter('service_evicted').value, 1);
  assert.notEqual(rt.child('service', '/svc/b'), b, 'an evicted child comes back empty');
});

test('a child that is counted into stays, even if nobody looks it up again', () => {
  // The router holds the scopes of hot services and only increments their counters.
  const m = new Metrics({ maxChildren: 3, clock: new FakeClock() });
  const rt = m.scope('rt', 'outgoing');
  const requests = rt.child('service', '/svc/hot').counter('requests');
  const latency = rt.child('service', '/svc/timed').stat('request_latency_ms');
  rt.child('service', '/svc/idle');
  requests.incr();
  latency.add(3);
  rt.child('service', '/svc/new');
  assert.deepEqual([...m.find('rt/outgoing/service')!.children.keys()].sort(), ['svc/hot', 'svc/new', 'svc/timed']);
});

test('caps are per kind and per parent', () => {
  const m = new Metrics({ maxChildren: 2 });
  const rt = m.scope('rt', 'outgoing');
  for (const id of ['a', 'b', 'c']) rt.child('client', `/#/${id}`).child('service', `/svc/${id}`);
  for (const id of ['x', 'y']) rt.child('service', `/svc/${id}`);
  assert.equal(rt.counter('client_evicted').value, 1);
  assert.equal(rt.counter('service_evicted').value, 0);
  const c = rt.child('client', '/#/c');
  for (const id of ['p', 'q', 'r']) c.child('service', `/svc/${id}`);
  assert.equal(c.counter('service_evicted').value, 2);
  assert.equal(m.find('rt/outgoing/client/#/c/service')!.children.size, 2);
});

test('100,000 distinct ids keep the tree and its exports bounded', () => {
  const clock = new FakeClock();
  const m = new Metrics({ clock });
  const rt = m.scope('rt', 'outgoing');
  // Ten real services share the traffic; the router holds their scopes and only counts.
  const hot = Array.from({ length: 10 }, (_, i) => rt.child('service', `/svc/www${i}.hello.world`));
  const hotRequests = hot.map((s) => s.counter('requests'));
  const sizes: { scopes: number; json: number; prom: number }[] = [];
  for (let i = 0; i < 100_000; i++) {
    // A flood of distinct Host headers, each seen once, while the real services keep serving.
    const svc = rt.child('service', `/svc/flood-${i}.example.com`);
    svc.counter('requests').incr();
    svc.stat('request_latency_ms').add(1);
    hotRequests[i % 10]!.incr();
    if (i === 9_999 || i === 99_999) {
      clock.advance(60_000);
      sizes.push({
        scopes: countScopes(m.root),
        json: JSON.stringify(toFlatJson(m)).length,
        prom: toPrometheus(m).length,
      });
    }
  }
  const group = m.find('rt/outgoing/service')!;
  assert.equal(group.children.size, 1000);
  assert.deepEqual(hot.map((s) => s.removed), Array(10).fill(false), 'the busy services survived the flood');
  assert.deepEqual(hotRequests.map((c) => c.value), Array(10).fill(10_000));
  assert.equal(rt.counter('service_evicted').value, 100_010 - 1000);
  const [at10k, at100k] = sizes as [typeof sizes[0], typeof sizes[0]];
  assert.equal(at100k.scopes, at10k.scopes);
  assert.ok(at100k.scopes <= 1000 + 4, `scopes: ${at100k.scopes}`);
  // Ids grow from 4 to 5 digits, so allow for that, but nothing proportional to the flood.
  assert.ok(at100k.json < at10k.json * 1.1, `json ${at10k.json} → ${at100k.json}`);
  assert.ok(at100k.prom < at10k.prom * 1.1, `prometheus ${at10k.prom} → ${at100k.prom}`);
  assert.ok(at100k.json < 1000 * 1000, `json bytes: ${at100k.json}`);
});
