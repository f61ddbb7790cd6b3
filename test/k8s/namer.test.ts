/** The io.l5d.k8s namer against the fake API server: answers, live updates, and the watch protocol. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { apiTarget } from '../../src/discovery/k8s/connection.js';
import { k8sNsNamer } from '../../src/discovery/k8s/plugins.js';
import { Addr } from '../../src/naming/addr.js';
import { BoundName } from '../../src/naming/namer.js';
import { Path } from '../../src/naming/path.js';
import { FakeClock, systemClock } from '../../src/time/clock.js';
import { recordingLog, until, value } from '../discovery/helpers.js';
import { FakeApiServer } from './fake-apiserver.js';
import { addrIs, answer, becomesNeg, bound, eventually, namerFor, observe, type TestNamer } from './harness.js';
import { endpointSlice, endpoints, service } from './objects.js';
import { selfSignedCert } from './tls.js';

const worldSlice = (ips: { ip: string; nodeName?: string; ready?: boolean }[], name = 'world-v1-abc') =>
  endpointSlice(name, 'world-v1', { ports: [{ name: 'http', port: 7778 }], endpoints: ips });

describe('io.l5d.k8s', () => {
  let fake: FakeApiServer;
  let t: TestNamer;
  const cleanups: (() => void | Promise<void>)[] = [];

  beforeEach(async () => {
    fake = await FakeApiServer.start();
    t = namerFor(fake);
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await t.namer.close();
    await fake.close();
  });

  test('a named port binds to the ready endpoints, with nodeName, keeping the residual', async () => {
    fake.apply('endpointslices', worldSlice([{ ip: '10.1.2.5', nodeName: 'node-b' }, { ip: '10.1.1.5', nodeName: 'node-a' }, { ip: '10.1.3.5', ready: false }]));
    const b = await bound(t.namer, '/Default/HTTP/World-V1/api/v1');
    assert.equal(b.id.show(), '/#/io.l5d.k8s/default/http/world-v1', 'the first three segments, lower-cased');
    assert.equal(b.residual.show(), '/api/v1');
    const addr = value(await until(b.addr, (s) => s.status === 'ok'));
    assert.deepEqual(addr.type === 'bound' && addr.addresses, [
      Addr.address('10.1.1.5', 7778, 1, { nodeName: 'node-a' }),
      Addr.address('10.1.2.5', 7778, 1, { nodeName: 'node-b' }),
    ]);
    const q = fake.requests.find((r) => r.path === '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices')!.query;
    assert.equal(q.get('labelSelector'), 'kubernetes.io/service-name=world-v1');
  });

  test('follows endpoint churn live; all endpoints gone is an empty set, not Neg', async () => {
    fake.apply('endpointslices', worldSlice([{ ip: '10.1.1.5' }]));
    const b = await bound(t.namer, '/default/http/world-v1');
    cleanups.push(observe(b.addr));
    await addrIs(b.addr, ['10.1.1.5:7778']);
    fake.apply('endpointslices', endpointSlice('world-v1-def', 'world-v1', { ports: [{ name: 'http', port: 7779 }], endpoints: [{ ip: '10.1.2.6' }] }));
    await addrIs(b.addr, ['10.1.1.5:7778', '10.1.2.6:7779']);
    fake.apply('endpointslices', worldSlice([{ ip: '10.1.1.5', ready: false }]));
    await addrIs(b.addr, ['10.1.2.6:7779']);
    fake.apply('endpointslices', endpointSlice('world-v1-def', 'world-v1', { ports: [{ name: 'http', port: 7779 }], endpoints: [] }));
    await addrIs(b.addr, []);
    assert.equal(value(t.namer.lookup(Path.read('/default/http/world-v1')).current()).kind, 'leaf', 'the port still exists');
    fake.remove('endpointslices', 'default', 'world-v1-abc');
    fake.remove('endpointslices', 'default', 'world-v1-def');
    await addrIs(b.addr, 'neg');
    await becomesNeg(t.namer, '/default/http/world-v1');
  });

  test('a missing service or port is Neg, and turns into a leaf when it appears', async () => {
    assert.equal((await answer(t.namer, '/default/http/world-v1')).kind, 'neg');
    fake.apply('endpointslices', worldSlice([{ ip: '10.1.1.5' }]));
    assert.equal((await answer(t.namer, '/default/grpc/world-v1')).kind, 'neg', 'no such port');
    const lookup = t.namer.lookup(Path.read('/default/http/world-v1'));
    await until(lookup, (s) => s.status === 'ok' && s.value.kind === 'leaf');
    for (const bad of ['/default/http', '/Bad_NS/http/world', '/default/http/world.v1', '/default/a-very-long-port-name/world', '/default/99999/world']) {
      assert.equal((await answer(t.namer, bad)).kind, 'neg', bad);
    }
  });

  test('a numbered port maps through the Service to a numeric or named target port', async () => {
    fake.apply('endpointslices', endpointSlice('world-v1-abc', 'world-v1', { ports: [{ name: 'http', port: 7778 }, { name: 'admin', port: 9990 }], endpoints: [{ ip: '10.1.1.5' }] }));
    assert.equal((await answer(t.namer, '/default/80/world-v1')).kind, 'neg', 'no Service yet');
    fake.apply('services', service('world-v1', [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'raw', port: 81, targetPort: 8081 }]));
    const named = await bound(t.namer, '/default/80/world-v1');
    assert.equal(named.id.show(), '/#/io.l5d.k8s/default/80/world-v1');
    cleanups.push(observe(named.addr));
    await addrIs(named.addr, ['10.1.1.5:7778']);
    const numeric = await bound(t.namer, '/default/81/world-v1');
    await addrIs(numeric.addr, ['10.1.1.5:8081']);
    assert.equal((await answer(t.namer, '/default/82/world-v1')).kind, 'neg', 'no such Service port');
    // The Service is edited: port 80 now targets the admin port.
    fake.apply('services', service('world-v1', [{ name: 'http', port: 80, targetPort: 'admin' }]));
    await addrIs(named.addr, ['10.1.1.5:9990']);
    const services = fake.requests.filter((r) => r.path === '/api/v1/namespaces/default/services');
    assert.ok(services.every((r) => r.query.get('fieldSelector') === 'metadata.name=world-v1'));
  });

  test('one watch per service, shared by every port and route; stopped a while after the last observer leaves', async () => {
    const clock = new FakeClock();
    await t.namer.close();
    t = namerFor(fake, { clock, lingerMs: 30_000 });
    fake.apply('endpointslices', endpointSlice('world-v1-abc', 'world-v1', { ports: [{ name: 'http', port: 7778 }, { name: 'admin', port: 9990 }], endpoints: [{ ip: '10.1.1.5' }] }));
    const a = await bound(t.namer, '/default/http/world-v1/one');
    const b = await bound(t.namer, '/default/http/world-v1/two');
    const c = await bound(t.namer, '/default/admin/world-v1');
    assert.equal(a.addr, b.addr, 'one address set per service port, whatever the residual');
    const stops = [observe(a.addr), observe(b.addr), observe(c.addr)];
    await fake.watching('endpointslices');
    assert.equal(fake.openWatches('endpointslices'), 1);
    assert.deepEqual(t.namer.boundNames(), ['/#/io.l5d.k8s/default/admin/world-v1', '/#/io.l5d.k8s/default/http/world-v1']);

    for (const stop of stops) stop();
    clock.advance(29_000);
    assert.equal(fake.openWatches('endpointslices'), 1, 'still warm');
    const again = observe(a.addr);
    clock.advance(60_000);
    assert.equal(fake.openWatches('endpointslices'), 1, 'a new observer keeps it');
    again();
    clock.advance(30_000);
    await eventually(() => fake.openWatches('endpointslices') === 0, 'the watch to close');
    assert.deepEqual(t.namer.boundNames(), []);
  });

  test('labelSelector: the label value is a fourth path segment and a selector on every call', async () => {
    await t.namer.close();
    t = namerFor(fake, { labelSelector: 'version' });
    fake.apply('endpointslices', endpointSlice('world-abc', 'world', { ports: [{ name: 'http', port: 7778 }], endpoints: [{ ip: '10.1.1.5' }], labels: { version: 'v1' } }));
    fake.apply('endpointslices', endpointSlice('world-def', 'world', { ports: [{ name: 'http', port: 7778 }], endpoints: [{ ip: '10.1.2.5' }], labels: { version: 'v2' } }));
    const v2 = await bound(t.namer, '/default/http/world/V2/rest');
    assert.equal(v2.id.show(), '/#/io.l5d.k8s/default/http/world/v2');
    assert.equal(v2.residual.show(), '/rest');
    await addrIs(v2.addr, ['10.1.2.5:7778']);
    assert.equal((await answer(t.namer, '/default/http/world')).kind, 'neg', 'the label value is required');
    assert.ok(fake.requests.some((r) => r.query.get('labelSelector') === 'kubernetes.io/service-name=world,version=v2'));
  });

  test('the legacy Endpoints API: one object per service, notReadyAddresses left out', async () => {
    await t.namer.close();
    t = namerFor(fake, { useEndpointSlices: false });
    fake.apply('endpoints', endpoints('world-v1', { ports: [{ name: 'http', port: 7778 }], ready: [{ ip: '10.1.1.5', nodeName: 'a' }], notReady: [{ ip: '10.1.1.6' }] }));
    const b = await bound(t.namer, '/default/http/world-v1');
    cleanups.push(observe(b.addr));
    await addrIs(b.addr, ['10.1.1.5:7778']);
    fake.apply('endpoints', endpoints('world-v1', { ports: [{ name: 'http', port: 7778 }], ready: [{ ip: '10.1.1.5' }, { ip: '10.1.1.6' }] }));
    await addrIs(b.addr, ['10.1.1.5:7778', '10.1.1.6:7778']);
    const r = fake.requests.find((x) => x.path === '/api/v1/namespaces/default/endpoints')!;
    assert.equal(r.query.get('fieldSelector'), 'metadata.name=world-v1');
    assert.equal(fake.requests.filter((x) => x.path.includes('endpointslices')).length, 0);
  });

  test('a watch that ends resumes from the last resourceVersion (bookmarks included), without listing again', async () => {
    fake.apply('endpointslices', worldSlice([{ ip: '10.1.1.5' }]));
    const b = await bound(t.namer, '/default/http/world-v1');
    cleanups.push(observe(b.addr));
    await fake.watching('endpointslices');
    fake.apply('services', service('unrelated', [{ name: 'http', port: 80 }]));
    fake.bookmark();
    const atBookmark = fake.resourceVersion;
    await eventually(() => stateOf(t).resourceVersion === atBookmark, 'the bookmark');
    fake.endWatches();
    await fake.watching('endpointslices', (q) => q.get('resourceVersion') === atBookmark);
    fake.apply('endpointslices', worldSlice([{ ip: '10.1.1.7' }]));
    await addrIs(b.addr, ['10.1.1.7:7778']);
    // The connection is cut: what changes meanwhile is replayed by the next watch.
    fake.breakWatches();
    fake.apply('endpointslices', worldSlice([{ ip: '10.1.1.8' }]));
    await addrIs(b.addr, ['10.1.1.8:7778']);
    assert.equal(lists(fake), 1);
    for (const w of fake.requests.filter((r) => r.query.get('watch') === '1')) {
      assert.equal(w.query.get('allowWatchBookmarks'), 'true');
      const timeout = Number(w.query.get('timeoutSeconds'));
      assert.ok(timeout >= 300 && timeout < 600, `timeoutSeconds ${timeout}`);
    }
  });

  for (const expiredWatch of ['event', 'status'] as const) {
    test(`an expired resourceVersion (410 as ${expiredWatch === 'event' ? 'an ERROR event' : 'the HTTP status'}) makes it list again`, async () => {
      await fake.close();
      fake = await FakeApiServer.start({ expiredWatch });
      await t.namer.close();
      t = namerFor(fake);
      fake.apply('endpointslices', worldSlice([{ ip: '10.1.1.5' }]));
      fake.apply('endpointslices', endpointSlice('world-v1-def', 'world-v1', { ports: [{ name: 'http', port: 7778 }], endpoints: [{ ip: '10.1.1.6' }] }));
      const b = await bound(t.namer, '/default/http/world-v1');
      cleanups.push(observe(b.addr));
      await fake.watching('endpointslices');
      // Between two watches a slice is deleted and history is compacted: only a new list shows it.
      fake.endWatches();
      fake.remove('endpointslices', 'default', 'world-v1-def');
      fake.apply('endpointslices', worldSlice([{ ip: '10.1.1.9' }]));
      fake.compact();
      await addrIs(b.addr, ['10.1.1.9:7778']);
      assert.equal(lists(fake), 2);
      assert.ok(t.log.lines.some((l) => l.level === 'info' && l.msg.includes('is too old; listing again')), JSON.stringify(t.log.lines));
    });
  }

  test('until the API answers, lookups fail with the reason; then it recovers by itself', async () => {
    await fake.close();
    fake = await FakeApiServer.start({ token: 'right' });
    await t.namer.close();
    t = namerFor(fake);
    fake.apply('endpointslices', worldSlice([{ ip: '10.1.1.5' }]));
    const failed = await until(t.namer.lookup(Path.read('/default/http/world-v1')), (s) => s.status === 'failed');
    assert.match((failed as { error: Error }).error.message, /endpointslices default\/world-v1: GET http:\/\/127\.0\.0\.1:\d+\/apis\/discovery\.k8s\.io\/v1\/namespaces\/default\/endpointslices\?labelSelector=.* answered 401 Unauthorized/);
    assert.ok(t.log.lines.some((l) => l.level === 'warn' && l.msg.includes('401')));
    fake.setToken(undefined); // whatever was wrong in front of the API is fixed
    await until(t.namer.lookup(Path.read('/default/http/world-v1')), (s) => s.status === 'ok' && s.value.kind === 'leaf');
  });

  test('retries back off exponentially (jittered), and start over once the watch streams again', async () => {
    await fake.close();
    fake = await FakeApiServer.start({ token: 'right' });
    await t.namer.close();
    const clock = new FakeClock();
    // No jitter drawn: the delays are the floor of each step, 10, 20, 40, 80 ms.
    t = namerFor(fake, { clock, random: () => 0 });
    fake.apply('endpointslices', worldSlice([{ ip: '10.1.1.5' }]));
    const stop = observe(t.namer.lookup(Path.read('/default/http/world-v1')));
    const attempts = () => fake.requests.length;
    const waiting = () => eventually(() => clock.pendingTimers === 1 && stateOf(t).phase === 'waiting', 'the next retry to be scheduled');
    for (const delay of [10, 20, 40]) {
      await waiting();
      const before = attempts();
      clock.advance(delay - 1);
      assert.equal(attempts(), before, `no retry before ${delay} ms`);
      clock.advance(1);
      await eventually(() => attempts() === before + 1, `a retry after ${delay} ms`);
    }
    fake.setToken(undefined);
    await waiting();
    clock.advance(80);
    await fake.watching('endpointslices');
    fake.apply('endpointslices', worldSlice([{ ip: '10.1.1.6' }]));
    await eventually(() => stateOf(t).events === 1, 'an event');
    // The watch streamed: the next failure waits the shortest delay again.
    fake.breakWatches();
    await waiting();
    const before = attempts();
    clock.advance(10);
    await eventually(() => attempts() === before + 1, 'a retry after 10 ms');
    stop();
  });

  test('state for the admin server', async () => {
    fake.apply('endpointslices', worldSlice([{ ip: '10.1.1.5' }]));
    const b = await bound(t.namer, '/default/http/world-v1');
    cleanups.push(observe(b.addr));
    await fake.watching('endpointslices');
    const s = t.namer.state() as any;
    assert.equal(s.api, `http://127.0.0.1:${fake.port}`);
    assert.equal(s.endpoints, 'discovery.k8s.io/v1 EndpointSlice');
    const w = s.services['default/world-v1'].endpoints;
    assert.equal(w.watch, 'endpointslices default/world-v1');
    assert.equal(w.phase, 'watching');
    assert.deepEqual(w.objects, ['world-v1-abc']);
    assert.equal(w.lists, 1);
    assert.ok(s.services['default/world-v1'].observers >= 1);
    assert.doesNotThrow(() => JSON.stringify(s), 'the admin server serves it as JSON');
  });
});

describe('io.l5d.k8s in-cluster: HTTPS, the service-account token and CA', () => {
  test('verifies the server, authenticates, and follows a rotated token', async () => {
    const cert = selfSignedCert();
    const fake = await FakeApiServer.start({ tls: cert, token: 'token-1' });
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-sa-'));
    writeFileSync(join(dir, 'token'), 'token-1\n');
    writeFileSync(join(dir, 'ca.crt'), cert.cert);
    const target = apiTarget('io.l5d.k8s', { inCluster: true, tokenFile: 'token', caFile: 'ca.crt' }, dir, { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(fake.port) });
    const t = namerFor(fake, { target });
    try {
      fake.apply('endpointslices', worldSlice([{ ip: '10.1.1.5' }]));
      const b = await bound(t.namer, '/default/http/world-v1');
      const stop = observe(b.addr);
      await addrIs(b.addr, ['10.1.1.5:7778']);
      assert.equal((t.namer.state() as { api: string }).api, `https://127.0.0.1:${fake.port}`);
      assert.ok(fake.requests.every((r) => r.authorization === 'Bearer token-1'));

      // The kubelet rotates the token; the old one stops working.
      writeFileSync(join(dir, 'token'), 'token-2\n');
      fake.setToken('token-2');
      fake.breakWatches();
      fake.apply('endpointslices', worldSlice([{ ip: '10.1.1.6' }]));
      await addrIs(b.addr, ['10.1.1.6:7778']);
      assert.equal(fake.requests.at(-1)?.authorization, 'Bearer token-2');
      stop();
    } finally {
      await t.namer.close();
      await fake.close();
      cert.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('io.l5d.k8s.ns', () => {
  test('the namespace comes from an environment variable; paths start at the port', async () => {
    const fake = await FakeApiServer.start();
    const saved = process.env.SWITCHYARD_TEST_NS;
    process.env.SWITCHYARD_TEST_NS = 'apps';
    const ctx = { clock: systemClock, log: recordingLog(), baseDir: '.' };
    const namer = k8sNsNamer.create(k8sNsNamer.schema.parse({ kind: 'io.l5d.k8s.ns', host: '127.0.0.1', port: fake.port, envVar: 'SWITCHYARD_TEST_NS' }), ctx, Path.read('/#/io.l5d.k8s.ns'));
    try {
      fake.apply('endpointslices', endpointSlice('hello-abc', 'hello', { namespace: 'apps', ports: [{ name: 'http', port: 7777 }], endpoints: [{ ip: '10.1.1.9' }] }));
      const tree = value(await until(namer.lookup(Path.read('/http/hello/x')), (s) => s.status === 'ok' && s.value.kind === 'leaf'));
      assert.ok(tree.kind === 'leaf' && tree.value instanceof BoundName);
      assert.equal(tree.value.id.show(), '/#/io.l5d.k8s.ns/http/hello');
      assert.equal(tree.value.residual.show(), '/x');
      await addrIs(tree.value.addr, ['10.1.1.9:7777']);
      delete process.env.SWITCHYARD_TEST_NS;
      assert.throws(() => k8sNsNamer.create(k8sNsNamer.schema.parse({ kind: 'io.l5d.k8s.ns', envVar: 'SWITCHYARD_TEST_NS' }), ctx, Path.read('/#/io.l5d.k8s.ns')),
        /io\.l5d\.k8s\.ns: the environment variable SWITCHYARD_TEST_NS is not set/);
    } finally {
      if (saved === undefined) delete process.env.SWITCHYARD_TEST_NS; else process.env.SWITCHYARD_TEST_NS = saved;
      await namer.close?.();
      await fake.close();
    }
  });
});

function lists(fake: FakeApiServer): number {
  return fake.requests.filter((r) => r.path.endsWith('/endpointslices') && r.query.get('watch') !== '1').length;
}

interface WatchState { resourceVersion: string; phase: string; events: number }

function stateOf(t: TestNamer): WatchState {
  const s = t.namer.state() as { services: Record<string, { endpoints: WatchState }> };
  return Object.values(s.services)[0]!.endpoints;
}
