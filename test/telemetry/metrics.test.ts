import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metrics } from '../../src/telemetry/metrics.js';
import { toFlatJson } from '../../src/telemetry/exposition.js';
import { FakeClock } from '../../src/time/clock.js';

test('counters are objects the caller holds; the same name gives the same counter', () => {
  const m = new Metrics();
  const c = m.scope('rt', 'outgoing').counter('requests');
  c.incr();
  c.incr(4);
  assert.equal(c.value, 5);
  assert.equal(m.scope('rt', 'outgoing').counter('requests'), c);
  assert.deepEqual(toFlatJson(m), { 'rt/outgoing/requests': 5 });
});

test('scopes are cached by their segments; empty segments are ignored', () => {
  const m = new Metrics();
  const s = m.scope('rt', 'outgoing', 'bindcache');
  assert.equal(m.scope('rt').scope('outgoing').scope('bindcache'), s);
  assert.equal(m.scope('rt', '', 'outgoing', 'bindcache'), s);
  assert.equal(s.path, 'rt/outgoing/bindcache');
  assert.equal(m.root.path, '');
});

test('gauges are read at export; re-registering replaces, remove() drops, a broken gauge is left out', () => {
  const m = new Metrics();
  const s = m.scope('rt', 'outgoing');
  let pending = 2;
  const g = s.gauge('pending', () => pending);
  s.gauge('broken', () => { throw new Error('pool closed'); });
  s.gauge('nan', () => Number.NaN);
  assert.deepEqual(toFlatJson(m), { 'rt/outgoing/pending': 2 });
  pending = 7;
  assert.equal(g.read(), 7);
  assert.equal(s.gauge('pending', () => 11), g);
  assert.deepEqual(toFlatJson(m), { 'rt/outgoing/pending': 11 });
  g.remove();
  assert.deepEqual(toFlatJson(m), {});
});

test('one name cannot be two kinds of metric, and names must not be empty', () => {
  const m = new Metrics();
  const s = m.scope('rt', 'outgoing');
  s.counter('requests');
  assert.throws(() => s.stat('requests'), {
    name: 'TypeError',
    message: 'metric "rt/outgoing/requests" is already a counter; it cannot also be a stat',
  });
  assert.throws(() => s.counter(''), { name: 'RangeError', message: /must not be empty \(in scope "rt\/outgoing"\)/ });
});

test('options are validated with the offending value in the message', () => {
  assert.throws(() => new Metrics({ snapshotIntervalMs: 0 }), /snapshotIntervalMs must be a positive number of milliseconds, got 0/);
  assert.throws(() => new Metrics({ maxChildren: 0.5 }), /maxChildren must be an integer ≥ 1, got 0.5/);
});

test('histograms export the last completed window and restart every interval, as in Linkerd', () => {
  const clock = new FakeClock(5_000);
  const m = new Metrics({ clock });
  const latency = m.scope('foo', 'bar').stat('bas');

  latency.add(1);
  assert.equal(latency.snapshot(), undefined, 'nothing before the first window ends');
  assert.deepEqual(toFlatJson(m), {});

  clock.advance(60_000);
  assert.deepEqual(toFlatJson(m), {
    'foo/bar/bas.count': 1, 'foo/bar/bas.max': 1, 'foo/bar/bas.min': 1, 'foo/bar/bas.p50': 1,
    'foo/bar/bas.p90': 1, 'foo/bar/bas.p95': 1, 'foo/bar/bas.p99': 1, 'foo/bar/bas.p9990': 1,
    'foo/bar/bas.p9999': 1, 'foo/bar/bas.sum': 1, 'foo/bar/bas.avg': 1,
  });

  latency.add(2);
  assert.equal(latency.snapshot()?.max, 1, 'the served value reflects the previous window only');

  clock.advance(60_000);
  assert.deepEqual(latency.snapshot(), {
    count: 1, sum: 2, min: 2, max: 2, avg: 2, p50: 2, p90: 2, p95: 2, p99: 2, p9990: 2, p9999: 2,
  });

  clock.advance(60_000);
  assert.deepEqual(toFlatJson(m), { 'foo/bar/bas.count': 0 }, 'an idle window reports count 0 only');
});

test('samples from a window older than the last completed one are not reported as recent', () => {
  const clock = new FakeClock();
  const m = new Metrics({ clock });
  const s = m.scope('x').stat('latency');
  s.add(9);
  clock.advance(150_000); // windows [0,60s) and [60s,120s) have ended; the latter saw nothing
  assert.equal(s.snapshot()?.count, 0);
});

test('all histograms of a registry roll over at the same boundaries', () => {
  const clock = new FakeClock();
  const m = new Metrics({ clock, snapshotIntervalMs: 1_000 });
  const early = m.scope('a').stat('early');
  clock.advance(900);
  const late = m.scope('a').stat('late'); // created late in the first window
  early.add(1);
  late.add(1);
  clock.advance(100);
  assert.equal(early.snapshot()?.count, 1);
  assert.equal(late.snapshot()?.count, 1);
});

test('add() accepts the clock reading the caller already holds', () => {
  const clock = new FakeClock();
  const m = new Metrics({ clock });
  const s = m.scope('rt').stat('request_latency_ms');
  const start = clock.now();
  clock.advance(60_000);
  const end = clock.now();
  s.add(end - start, end); // lands in the new window
  assert.equal(s.snapshot()?.count, 0);
  clock.advance(60_000);
  assert.equal(s.snapshot()?.max, 60_000);
});

test('remove() drops a scope from the export; asking again gives a fresh scope', () => {
  const m = new Metrics();
  const client = m.scope('rt', 'outgoing', 'client', 'old');
  const nested = client.scope('connections');
  client.counter('requests').incr();
  m.scope('rt', 'outgoing').counter('requests').incr();
  client.remove();
  assert.equal(client.removed, true);
  assert.equal(nested.removed, true);
  assert.deepEqual(toFlatJson(m), { 'rt/outgoing/requests': 1 });
  assert.notEqual(m.scope('rt', 'outgoing', 'client', 'old'), client);
  m.root.remove(); // the root has nowhere to be removed from
  assert.equal(m.root.removed, false);
});

test('find() resolves flat names, including ids that contain "/"', () => {
  const m = new Metrics();
  const rt = m.scope('rt', 'outgoing');
  const client = rt.child('client', '/#/io.l5d.fs/world-v1');
  const server = rt.child('server', '127.0.0.1/4140');
  assert.equal(m.find('rt/outgoing'), rt);
  assert.equal(m.find('/rt/outgoing/'), rt);
  assert.equal(m.find('rt/outgoing/client/#/io.l5d.fs/world-v1'), client);
  assert.equal(m.find('rt/outgoing/server/127.0.0.1/4140'), server);
  assert.equal(m.find(''), m.root);
  assert.equal(m.find('rt/incoming'), undefined);
  assert.equal(m.find('rt/outgoing/client/#/io.l5d.fs'), undefined);
});
