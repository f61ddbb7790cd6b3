import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metrics } from '../../src/telemetry/metrics.js';
import { queryTree, toFlatJson, toTreeJson } from '../../src/telemetry/exposition.js';
import { FakeClock } from '../../src/time/clock.js';

// The shapes below are those of Linkerd's AdminMetricsExportTelemeterTest.

test('flat form: counters and gauges are live', () => {
  const m = new Metrics();
  const c = m.scope('foo', 'bar').counter('bas');
  c.incr();
  assert.equal(JSON.stringify(toFlatJson(m)), '{"foo/bar/bas":1}');
  c.incr();
  assert.equal(JSON.stringify(toFlatJson(m)), '{"foo/bar/bas":2}');
  let v = 1.5;
  m.scope('foo', 'bar').gauge('load', () => v);
  v = 2.5;
  assert.equal(JSON.stringify(toFlatJson(m)), '{"foo/bar/bas":2,"foo/bar/load":2.5}');
});

test('tree form: nested objects with counter, gauge and stat leaves', () => {
  const clock = new FakeClock();
  const m = new Metrics({ clock });
  m.scope('foo', 'bar').counter('bas').incr();
  assert.equal(JSON.stringify(toTreeJson(m)), '{"foo":{"bar":{"bas":{"counter":1}}}}');

  m.scope('foo').gauge('up', () => 1);
  const stat = m.scope('foo').stat('latency');
  assert.deepEqual(toTreeJson(m.find('foo')!), { bar: { bas: { counter: 1 } }, up: { gauge: 1 }, latency: {} });
  stat.add(4);
  clock.advance(60_000);
  assert.deepEqual(toTreeJson(m.find('foo')!).latency, {
    'stat.count': 1, 'stat.max': 4, 'stat.min': 4, 'stat.p50': 4, 'stat.p90': 4, 'stat.p95': 4,
    'stat.p99': 4, 'stat.p9990': 4, 'stat.p9999': 4, 'stat.sum': 4, 'stat.avg': 4,
  });
});

test('a name that is both a metric and a scope carries both in the tree', () => {
  const m = new Metrics();
  const svc = m.scope('rt', 'outgoing').child('service', '/svc/world');
  svc.counter('failures').incr(2);
  svc.scope('failures').counter('com.twitter.finagle.ChannelWriteException').incr(2);
  assert.deepEqual(toTreeJson(m.find('rt/outgoing/service/svc/world')!), {
    failures: { counter: 2, 'com.twitter.finagle.ChannelWriteException': { counter: 2 } },
  });
  assert.deepEqual(toFlatJson(svc), {
    failures: 2,
    'failures/com.twitter.finagle.ChannelWriteException': 2,
  });
});

test('subtree selection (q=): names are relative; absent subtrees are undefined', () => {
  const m = new Metrics();
  m.scope('foo', 'bar').counter('bas').incr();
  m.scope('foo', 'bar').counter('bass').incr();
  m.scope('x', 'y').counter('z').incr();
  assert.deepEqual(toFlatJson(m.find('foo/bar')!), { bas: 1, bass: 1 });
  assert.deepEqual(toTreeJson(m.find('foo/bar')!), { bas: { counter: 1 }, bass: { counter: 1 } });
  assert.equal(m.find('foo/baz'), undefined);
});

test('q= reaches into ids that contain "/"', () => {
  const m = new Metrics();
  m.scope('rt', 'outgoing').child('client', '/#/io.l5d.fs/world-v1').counter('requests').incr(3);
  assert.deepEqual(toFlatJson(m.find('rt/outgoing/client/#/io.l5d.fs/world-v1')!), { requests: 3 });
  assert.deepEqual(toTreeJson(m.find('rt/outgoing/client')!), { '#/io.l5d.fs/world-v1': { requests: { counter: 3 } } });
});

test('queryTree cuts a tree document the same way', () => {
  const m = new Metrics();
  const client = m.scope('rt', 'outgoing').child('client', '/#/io.l5d.fs/world-v1');
  client.counter('requests').incr(3);
  client.counter('failures').incr();
  client.scope('failures').counter('java.io.IOException').incr();
  const tree = toTreeJson(m);
  assert.deepEqual(queryTree(tree, 'rt/outgoing/client/#/io.l5d.fs/world-v1/failures'), {
    counter: 1, 'java.io.IOException': { counter: 1 },
  });
  assert.equal(queryTree(tree, ''), tree);
  assert.equal(queryTree(tree, 'rt/outgoing/client/#/io.l5d.fs/world-v1/requests/counter'), undefined, 'a value is not a subtree');
  assert.equal(queryTree(tree, 'rt/incoming'), undefined);
  assert.equal(queryTree(tree, 'rt/toString'), undefined, 'inherited properties are not children');
});

test('names taken from requests cannot reach object prototypes', () => {
  const m = new Metrics();
  m.scope('rt', 'outgoing').child('service', '__proto__').counter('requests').incr();
  m.scope('x').counter('__proto__').incr();
  const flat = toFlatJson(m);
  assert.equal(Object.getPrototypeOf(flat), Object.prototype);
  assert.equal(flat['x/__proto__'], 1);
  const tree = toTreeJson(m);
  assert.equal(Object.getPrototypeOf(tree), Object.prototype);
  assert.deepEqual(Object.keys((tree.rt as any).outgoing.service), ['__proto__']);
  assert.equal(JSON.stringify((tree.x as any)), '{"__proto__":{"counter":1}}');
});
