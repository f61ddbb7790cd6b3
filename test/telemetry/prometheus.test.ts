import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Metrics } from '../../src/telemetry/metrics.js';
import { escapeLabelValue, toPrometheus, type PrometheusOptions } from '../../src/telemetry/exposition.js';
import { FakeClock } from '../../src/time/clock.js';

/** The sample lines, without HELP/TYPE comments (Linkerd wrote none, so its tests compare these). */
function samples(m: Metrics, opts?: PrometheusOptions): string {
  return toPrometheus(m, opts).split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => `${l}\n`).join('');
}

// Expected outputs follow Linkerd's PrometheusTelemeterTest, with label values escaped correctly.

test('counters and gauges', () => {
  const m = new Metrics();
  const c = m.scope('foo', 'bar').counter('bas');
  c.incr();
  assert.equal(samples(m), 'foo:bar:bas 1\n');
  c.incr();
  assert.equal(samples(m), 'foo:bar:bas 2\n');
  m.scope('foo', 'bar').gauge('gauge', () => 2.5);
  assert.equal(samples(m), 'foo:bar:bas 2\nfoo:bar:gauge 2.5\n');
});

test('a prefix is prepended to every name', () => {
  const m = new Metrics();
  m.scope('foo', 'bar').counter('bas').incr();
  assert.equal(samples(m, { prefix: 'linkerd_' }), 'linkerd_foo:bar:bas 1\n');
});

test('histograms become summaries once their window holds samples', () => {
  const clock = new FakeClock();
  const m = new Metrics({ clock });
  const stat = m.scope('foo', 'bar').stat('bas');
  stat.add(1);
  assert.equal(toPrometheus(m), '', 'no data before the first window ends');
  clock.advance(60_000);
  assert.equal(toPrometheus(m, { prefix: 'linkerd_' }), [
    '# HELP linkerd_foo:bar:bas stat foo/bar/bas, last completed window',
    '# TYPE linkerd_foo:bar:bas summary',
    'linkerd_foo:bar:bas_count 1',
    'linkerd_foo:bar:bas_sum 1',
    'linkerd_foo:bar:bas{quantile="0"} 1',
    'linkerd_foo:bar:bas{quantile="0.5"} 1',
    'linkerd_foo:bar:bas{quantile="0.9"} 1',
    'linkerd_foo:bar:bas{quantile="0.95"} 1',
    'linkerd_foo:bar:bas{quantile="0.99"} 1',
    'linkerd_foo:bar:bas{quantile="0.999"} 1',
    'linkerd_foo:bar:bas{quantile="0.9999"} 1',
    'linkerd_foo:bar:bas{quantile="1"} 1',
    '# HELP linkerd_foo:bar:bas_avg average of stat foo/bar/bas, last completed window',
    '# TYPE linkerd_foo:bar:bas_avg gauge',
    'linkerd_foo:bar:bas_avg 1',
    '',
  ].join('\n'));
  clock.advance(60_000);
  assert.equal(toPrometheus(m), '', 'empty windows are not printed');
});

test('router, service, client and server ids become labels', () => {
  const m = new Metrics();
  const rt = m.scope('rt', 'incoming');
  rt.child('service', '/svc/foo').counter('requests').incr();
  rt.child('client', '/#/bar').counter('requests').incr();
  rt.child('client', '/#/bar').child('service', '/svc/foo').counter('requests').incr();
  rt.child('server', '127.0.0.1/4141').counter('requests').incr();
  rt.counter('bindcache_misses').incr();
  assert.equal(samples(m), [
    'rt:service_evicted{rt="incoming"} 0',
    'rt:client_evicted{rt="incoming"} 0',
    'rt:server_evicted{rt="incoming"} 0',
    'rt:bindcache_misses{rt="incoming"} 1',
    'rt:service:requests{rt="incoming", service="svc/foo"} 1',
    'rt:client:requests{rt="incoming", client="#/bar"} 1',
    'rt:client:service_evicted{rt="incoming", client="#/bar"} 0',
    'rt:client:service:requests{rt="incoming", client="#/bar", service="svc/foo"} 1',
    'rt:server:requests{rt="incoming", server="127.0.0.1/4141"} 1',
    '',
  ].join('\n'));
});

test('exception scopes become an exception label; nested exceptions are joined by ":"', () => {
  const m = new Metrics();
  const client = m.scope('rt', 'incoming', 'client', '127.0.0.1/4141');
  client.counter('failures').incr(2);
  client.scope('failures').counter('foo').incr(2);
  client.scope('failures', 'foo').counter('bar').incr(2);
  client.scope('exn').counter('java.io.IOException').incr();
  assert.equal(samples(m), [
    'rt:client:failures{rt="incoming", client="127.0.0.1/4141"} 2',
    'rt:client:failures{rt="incoming", client="127.0.0.1/4141", exception="foo"} 2',
    'rt:client:failures{rt="incoming", client="127.0.0.1/4141", exception="foo:bar"} 2',
    'rt:client:exceptions{rt="incoming", client="127.0.0.1/4141", exception="java.io.IOException"} 1',
    '',
  ].join('\n'));
});

test('label values from request data are escaped: backslash, quote, newline', () => {
  assert.equal(escapeLabelValue('a\\b"c\nd\re'), 'a\\\\b\\"c\\nd\re');
  const m = new Metrics();
  m.scope('rt', 'incoming').child('service', '/svc/\\x5b"un\nesc').counter('requests').incr();
  assert.equal(
    samples(m).split('\n')[1],
    'rt:service:requests{rt="incoming", service="svc/\\\\x5b\\"un\\nesc"} 1',
  );
});

test('each family is written once, with HELP and TYPE, however many scopes feed it', () => {
  const m = new Metrics();
  const rt = m.scope('rt', 'outgoing');
  for (const id of ['a', 'b', 'c']) {
    const client = rt.child('client', `/#/${id}`);
    client.counter('requests').incr();
    client.gauge('connections', () => 1);
  }
  const text = toPrometheus(m);
  const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
  assert.deepEqual(types, [
    '# TYPE rt:client_evicted counter',
    '# TYPE rt:client:requests counter',
    '# TYPE rt:client:connections gauge',
  ]);
  assert.match(text, /# HELP rt:client:requests counter rt\/\{rt\}\/client\/\{client\}\/requests\n# TYPE rt:client:requests counter\n(rt:client:requests\{[^\n]*\n){3}/);
});

test('families fed by metrics of different kinds stay valid', () => {
  const clock = new FakeClock();
  const m = new Metrics({ clock });
  const rt = m.scope('rt', 'outgoing');
  rt.child('client', '/#/a').counter('load').incr();
  rt.child('client', '/#/b').gauge('load', () => 3);
  rt.child('client', '/#/a').stat('latency').add(1);
  rt.child('client', '/#/b').counter('latency').incr();
  rt.child('client', '/#/b').counter('latency_count').incr();
  clock.advance(60_000);
  const text = toPrometheus(m);
  assert.match(text, /# TYPE rt:client:load untyped\nrt:client:load\{[^}]*\} 1\nrt:client:load\{[^}]*\} 3\n/);
  assert.match(text, /# TYPE rt:client:latency summary\n/);
  assert.match(text, /\n# skipped series whose name is taken by a metric of another type: rt:client:latency rt:client:latency_count\n$/);
});

test('prometheus naming: snake_case, _total counters, base units', () => {
  const clock = new FakeClock();
  const m = new Metrics({ clock });
  const svc = m.scope('rt', 'outgoing').child('service', '/svc/world');
  svc.counter('requests').incr(3);
  svc.counter('retries_total').incr();
  svc.gauge('pendingRequests', () => 2);
  svc.gauge('body_kb', () => 2);
  svc.scope('status').counter('5XX').incr();
  svc.stat('request_latency_ms').add(250);
  clock.advance(60_000);
  const text = toPrometheus(m, { naming: 'prometheus', prefix: 'switchyard_' });
  for (const line of [
    'switchyard_rt_service_requests_total{rt="outgoing", service="svc/world"} 3',
    'switchyard_rt_service_retries_total{rt="outgoing", service="svc/world"} 1',
    'switchyard_rt_service_pending_requests{rt="outgoing", service="svc/world"} 2',
    'switchyard_rt_service_body_bytes{rt="outgoing", service="svc/world"} 2048',
    'switchyard_rt_service_status_5xx_total{rt="outgoing", service="svc/world"} 1',
    'switchyard_rt_service_request_latency_seconds_sum{rt="outgoing", service="svc/world"} 0.25',
    'switchyard_rt_service_request_latency_seconds{rt="outgoing", service="svc/world", quantile="1"} 0.25',
    'switchyard_rt_service_request_latency_seconds_avg{rt="outgoing", service="svc/world"} 0.25',
    '# TYPE switchyard_rt_service_request_latency_seconds summary',
  ]) assert.ok(text.includes(`${line}\n`), `missing: ${line}\n${text}`);
});

/** A tree like a busy router's, with hostile ids, for promtool. */
function busyRouter(): Metrics {
  const clock = new FakeClock();
  const m = new Metrics({ clock });
  for (const label of ['outgoing', 'incoming']) {
    const rt = m.scope('rt', label);
    rt.gauge('pending', () => 1);
    const server = rt.child('server', '0.0.0.0/4140');
    server.counter('requests').incr(10);
    server.gauge('connections', () => 4);
    for (const host of ['world', 'hello.world:8080', 'we"ird\\host\nname', 'ünïcödé\r\t']) {
      const svc = rt.child('service', `/svc/${host}`);
      svc.counter('requests').incr();
      svc.counter('success').incr();
      svc.scope('status').counter('200').incr();
      svc.scope('status').counter('2XX').incr();
      svc.stat('request_latency_ms').add(1.25);
      const client = rt.child('client', `/#/io.l5d.fs/${host}`);
      client.counter('requests').incr();
      client.counter('failures').incr();
      client.scope('failures', 'com.twitter.finagle.ChannelClosedException').counter('java.io.IOException').incr();
      client.scope('exn').counter('java.net.ConnectException').incr();
      client.scope('retries').counter('total').incr();
      client.scope('retries').stat('per_request').add(0);
      client.stat('request_latency_ms').add(3);
      client.child('service', `/svc/${host}`).counter('requests').incr();
    }
  }
  m.scope('namer', '#/io.l5d.fs').counter('lookups').incr();
  clock.advance(60_000);
  return m;
}

function promtool(text: string): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error !== undefined) {
    assert.fail(`promtool could not be run (${r.error.message}); run scripts/system-deps.sh to install it (Debian package "prometheus")`);
  }
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

test('promtool accepts the prometheus naming with no lint complaints', () => {
  const text = toPrometheus(busyRouter(), { naming: 'prometheus' });
  const r = promtool(text);
  assert.equal(r.stderr + r.stdout, '', text);
  assert.equal(r.status, 0);
});

test('promtool parses the linkerd naming; its only complaints are the names Linkerd chose', () => {
  const text = toPrometheus(busyRouter(), { prefix: 'linkerd_' });
  const r = promtool(text);
  assert.doesNotMatch(r.stderr, /error while linting/, r.stderr);
  // Inherent to Linkerd's names, kept so its dashboards and alerts keep working.
  const inherent = [
    `metric names should not contain ':'`,
    `counter metrics should have "_total" suffix`,
    'metric names should not contain abbreviated units',
  ];
  const complaints = r.stderr.split('\n').filter((l) => l !== '');
  assert.ok(complaints.length > 0);
  for (const c of complaints) assert.ok(inherent.some((i) => c.endsWith(i)), `unexpected complaint: ${c}`);
  assert.equal(r.status, 3, 'promtool signals lint findings (not parse errors) with status 3');
});
