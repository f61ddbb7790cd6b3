/**
 * The fake API server is only worth what it shares with the real one: these tests drive it with
 * the official client (@kubernetes/client-node) — typed reads, raw watches with bookmarks and
 * 410s, an informer that re-lists after compaction, and the in-cluster TLS + token setup.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, DiscoveryV1Api, KubeConfig, makeInformer, Watch, type V1Service } from '@kubernetes/client-node';
import { FakeApiServer } from './fake-apiserver.js';
import { endpointSlice, endpoints, service } from './objects.js';
import { selfSignedCert, type TestCert } from './tls.js';

function kubeConfig(server: string, opts: { caFile?: string; token?: string } = {}): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    // The client refuses plain HTTP unless TLS verification is explicitly off.
    clusters: [{ name: 'fake', server, skipTLSVerify: server.startsWith('http:'), ...(opts.caFile ? { caFile: opts.caFile } : {}) }],
    users: [{ name: 'switchyard', ...(opts.token ? { token: opts.token } : {}) }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'switchyard' }],
    currentContext: 'fake',
  });
  return kc;
}

interface Seen { type: string; object: any }

/** A raw watch through the client's Watch; resolves `ended` with the error (or null) it ended with. */
async function clientWatch(kc: KubeConfig, path: string, query: Record<string, string | boolean>) {
  const events: Seen[] = [];
  const waiters = new Set<{ n: number; resolve: () => void }>();
  let end!: (e: unknown) => void;
  const ended = new Promise<any>((resolve) => { end = resolve; });
  const controller = await new Watch(kc).watch(path, query, (type, object) => {
    events.push({ type, object });
    for (const w of [...waiters]) if (events.length >= w.n) { waiters.delete(w); w.resolve(); }
  }, (err) => end(err));
  return {
    events,
    ended,
    /** Resolves once `n` events have arrived. */
    count(n: number): Promise<void> {
      return events.length >= n ? Promise.resolve() : new Promise((resolve) => { waiters.add({ n, resolve }); });
    },
    abort: () => controller.abort(),
  };
}

describe('fake API server, read by @kubernetes/client-node', () => {
  let fake: FakeApiServer;
  let kc: KubeConfig;

  before(async () => {
    fake = await FakeApiServer.start();
    kc = kubeConfig(fake.url);
    fake.apply('services', service('world-v1', [{ name: 'http', port: 7778 }]));
    fake.apply('services', service('hello', [{ name: 'http', port: 7777 }], { namespace: 'apps' }));
    fake.apply('endpointslices', endpointSlice('world-v1-abc', 'world-v1', { ports: [{ name: 'http', port: 7778 }], endpoints: [{ ip: '10.1.1.5', nodeName: 'node-a' }, { ip: '10.1.2.5', nodeName: 'node-b', ready: false }] }));
    fake.apply('endpointslices', endpointSlice('hello-xyz', 'hello', { ports: [{ name: 'http', port: 7777 }], endpoints: [{ ip: '10.1.1.9' }] }));
    fake.apply('endpoints', endpoints('world-v1', { ports: [{ name: 'http', port: 7778 }], ready: [{ ip: '10.1.1.5', nodeName: 'node-a' }], notReady: [{ ip: '10.1.2.5' }] }));
    fake.apply('pods', { metadata: { name: 'world-v1-0', labels: { app: 'world' } }, spec: { nodeName: 'node-a', containers: [{ name: 'world', image: 'world:1' }] }, status: { podIP: '10.1.1.5' } });
  });
  after(() => fake.close());

  test('typed lists and reads: services, endpointslices by label, endpoints, pods', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const services = await core.listNamespacedService({ namespace: 'default' });
    assert.deepEqual(services.items.map((s) => s.metadata?.name), ['world-v1']);
    assert.equal(services.items[0]!.spec?.ports?.[0]?.port, 7778);
    assert.match(services.metadata?.resourceVersion ?? '', /^[0-9]+$/);
    const all = await core.listServiceForAllNamespaces();
    assert.deepEqual(all.items.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`).sort(), ['apps/hello', 'default/world-v1']);

    const one = await core.readNamespacedService({ name: 'world-v1', namespace: 'default' });
    assert.equal(one.kind, 'Service');
    assert.ok(one.metadata?.uid && one.metadata.creationTimestamp instanceof Date);
    await assert.rejects(core.readNamespacedService({ name: 'nope', namespace: 'default' }), (e: any) => e.code === 404);

    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const slices = await discovery.listNamespacedEndpointSlice({ namespace: 'default', labelSelector: 'kubernetes.io/service-name=world-v1' });
    assert.equal(slices.items.length, 1);
    const slice = slices.items[0]!;
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.endpoints.map((e) => [e.addresses[0], e.nodeName, e.conditions?.ready]), [['10.1.1.5', 'node-a', true], ['10.1.2.5', 'node-b', false]]);
    assert.deepEqual(slice.ports?.map((p) => [p.name, p.port, p.protocol]), [['http', 7778, 'TCP']]);
    const none = await discovery.listNamespacedEndpointSlice({ namespace: 'default', labelSelector: 'kubernetes.io/service-name in (nope, other)' });
    assert.equal(none.items.length, 0);

    const eps = await core.listNamespacedEndpoints({ namespace: 'default', fieldSelector: 'metadata.name=world-v1' });
    assert.deepEqual(eps.items[0]!.subsets?.[0]?.notReadyAddresses?.map((a) => a.ip), ['10.1.2.5']);
    const pods = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=world' });
    assert.equal(pods.items[0]!.status?.podIP, '10.1.1.5');
  });

  test('watch: changes, selector transitions, bookmarks, server-side end', async () => {
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const listed = await discovery.listNamespacedEndpointSlice({ namespace: 'default', labelSelector: 'kubernetes.io/service-name=world-v1' });
    const w = await clientWatch(kc, '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
      resourceVersion: listed.metadata!.resourceVersion!, allowWatchBookmarks: true, labelSelector: 'kubernetes.io/service-name=world-v1',
    });
    await fake.watching('endpointslices');

    fake.apply('endpointslices', endpointSlice('world-v1-abc', 'world-v1', { ports: [{ name: 'http', port: 7778 }], endpoints: [{ ip: '10.1.1.6' }] }));
    fake.apply('endpointslices', endpointSlice('hello-xyz', 'hello', { ports: [{ name: 'http', port: 7777 }], endpoints: [] })); // not selected
    const atBookmark = fake.resourceVersion;
    fake.bookmark();
    // Relabelled away from the selector: the watcher sees it go.
    fake.apply('endpointslices', endpointSlice('world-v1-abc', 'world-v2', { ports: [{ name: 'http', port: 7778 }], endpoints: [{ ip: '10.1.1.6' }] }));
    await w.count(3);
    assert.deepEqual(w.events.map((e) => e.type), ['MODIFIED', 'BOOKMARK', 'DELETED']);
    assert.equal(w.events[0]!.object.endpoints[0].addresses[0], '10.1.1.6');
    assert.equal(w.events[1]!.object.metadata.resourceVersion, atBookmark, 'a bookmark carries the version the watcher has caught up to');
    assert.equal(w.events[2]!.object.metadata.resourceVersion, fake.resourceVersion);
    assert.equal(w.events[2]!.object.metadata.labels['kubernetes.io/service-name'], 'world-v1', 'the last state that matched');

    fake.endWatches();
    assert.equal(await w.ended, null, 'a clean end, as after timeoutSeconds');
  });

  test('watch from a compacted resourceVersion: ERROR 410 event, or HTTP 410', async () => {
    const old = fake.resourceVersion;
    fake.apply('services', service('world-v2', [{ name: 'http', port: 7778 }]));
    fake.compact();
    const w = await clientWatch(kc, '/api/v1/namespaces/default/services', { resourceVersion: old });
    assert.equal(await w.ended, null);
    assert.deepEqual(w.events.map((e) => [e.type, e.object.code, e.object.reason]), [['ERROR', 410, 'Expired']]);

    const strict = await FakeApiServer.start({ expiredWatch: 'status' });
    try {
      strict.apply('services', service('a', [{ name: 'http', port: 80 }]));
      const before = strict.resourceVersion;
      strict.apply('services', service('b', [{ name: 'http', port: 80 }]));
      strict.compact();
      const s = await clientWatch(kubeConfig(strict.url), '/api/v1/namespaces/default/services', { resourceVersion: String(Number(before) - 1) });
      const err = await s.ended;
      assert.equal(err?.statusCode, 410);
    } finally {
      await strict.close();
    }
  });

  test('an informer lists, follows changes, and re-lists after its version was compacted away', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1Service>(kc, '/api/v1/namespaces/apps/services', () => core.listNamespacedService({ namespace: 'apps' }));
    const log: string[] = [];
    const waiters = new Set<{ test: () => boolean; resolve: () => void }>();
    const note = (what: string) => (s: V1Service) => {
      log.push(`${what} ${s.metadata?.name}`);
      for (const w of [...waiters]) if (w.test()) { waiters.delete(w); w.resolve(); }
    };
    const until = (entry: string) => log.includes(entry) ? Promise.resolve() : new Promise<void>((resolve) => waiters.add({ test: () => log.includes(entry), resolve }));
    informer.on('add', note('add'));
    informer.on('update', note('update'));
    informer.on('delete', note('delete'));
    await informer.start();
    try {
      await until('add hello');
      await fake.watching('services', (q) => q.get('resourceVersion') !== '');
      fake.apply('services', service('hello', [{ name: 'http', port: 7777 }, { name: 'admin', port: 9990 }], { namespace: 'apps' }));
      await until('update hello');

      // While the informer is between watches, things change and history is compacted:
      // its next watch gets 410, and only a new list can tell it that `hello` is gone.
      fake.endWatches();
      fake.remove('services', 'apps', 'hello');
      fake.apply('services', service('greeter', [{ name: 'http', port: 80 }], { namespace: 'apps' }));
      fake.compact();
      await until('delete hello');
      await until('add greeter');
      assert.deepEqual(informer.list().map((s) => s.metadata?.name), ['greeter']);
      const lists = fake.requests.filter((r) => r.path === '/api/v1/namespaces/apps/services' && !r.query.has('watch'));
      assert.equal(lists.length, 2, 'listed once at start and once after the 410');
    } finally {
      await informer.stop();
    }
  });
});

describe('fake API server over TLS with a bearer token (in-cluster), read by @kubernetes/client-node', () => {
  let cert: TestCert;
  let fake: FakeApiServer;

  before(async () => {
    cert = selfSignedCert();
    fake = await FakeApiServer.start({ tls: cert, token: 'token-1' });
    fake.apply('services', service('world-v1', [{ name: 'http', port: 7778 }]));
  });
  after(async () => {
    await fake.close();
    cert.remove();
  });

  test('the CA verifies the server and the token authenticates; a wrong token is 401', async () => {
    const ok = kubeConfig(fake.url, { caFile: cert.certFile, token: 'token-1' }).makeApiClient(CoreV1Api);
    const list = await ok.listNamespacedService({ namespace: 'default' });
    assert.deepEqual(list.items.map((s) => s.metadata?.name), ['world-v1']);
    assert.equal(fake.requests.at(-1)?.authorization, 'Bearer token-1');

    const wrong = kubeConfig(fake.url, { caFile: cert.certFile, token: 'stale' }).makeApiClient(CoreV1Api);
    await assert.rejects(wrong.listNamespacedService({ namespace: 'default' }), (e: any) => e.code === 401);

    const untrusting = kubeConfig(fake.url, { token: 'token-1' }).makeApiClient(CoreV1Api);
    await assert.rejects(untrusting.listNamespacedService({ namespace: 'default' }), /self[- ]signed|certificate/i);
  });
});
