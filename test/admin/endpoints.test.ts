/**
 * The admin server of a running Switchyard, over HTTP, as Linkerd 1 users script against it:
 * every endpoint and its errors, the metrics after real traffic (exact counters, histogram
 * snapshots, bounded cardinality), the Prometheus text checked by promtool, the security
 * categories, and graceful shutdown.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { AdminServer } from '../../src/admin/server.js';
import { loadConfig } from '../../src/config/validate.js';
import { RouterInterpreter } from '../../src/interpreter/interpreter.js';
import { Linker } from '../../src/linker/linker.js';
import { ActivitySource } from '../../src/naming/activity.js';
import type { DelegateJson } from '../../src/naming/delegate-tree.js';
import { Dtab } from '../../src/naming/dtab.js';
import { globalNamer } from '../../src/naming/global-namer.js';
import type { Name, Namer } from '../../src/naming/namer.js';
import type { NameTree } from '../../src/naming/nametree.js';
import { Path } from '../../src/naming/path.js';
import { FakeClock } from '../../src/time/clock.js';
import { eventually, quietLog, send, startLinker, type Reply } from '../helpers/http.js';
import { startWorld, WORLD_V1_MS, WORLD_V2_MS, type World } from './world.js';

const SNAPSHOT_MS = 60_000;
const OUTGOING_DTAB = '/srv => /#/io.l5d.fs; /svc => /srv; /svc/world => /srv/world-v1';

function parse<T>(r: Reply): T {
  assert.match(String(r.headers['content-type']), /^application\/json/, r.body);
  return JSON.parse(r.body) as T;
}

/** Every node of an explanation tree, depth first. */
function nodes(tree: DelegateJson): DelegateJson[] {
  const kids = [tree.delegate, ...(tree.alt ?? []), ...(tree.union ?? []).map((u) => u.tree), tree.tree].filter((t): t is DelegateJson => t !== undefined);
  return [tree, ...kids.flatMap(nodes)];
}

function delegation(world: World, method: 'GET' | 'POST', req: { path?: string; dtab?: string; namespace?: string }): Promise<Reply> {
  if (method === 'POST') {
    return world.admin('/delegator.json', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req) });
  }
  const q = new URLSearchParams(Object.entries(req).filter((e): e is [string, string] => e[1] !== undefined));
  return world.admin(`/delegator.json?${q}`);
}

describe('endpoints', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
    for (let i = 0; i < 3; i++) assert.equal((await world.route('world')).body, 'world-v1');
    assert.equal((await world.route('anything', {}, 'incoming')).body, 'world-v2');
  });
  after(() => world.close());

  test('admin.ip and admin.port default to 127.0.0.1:9990; the server listens where configured', () => {
    const defaults = loadConfig('routers: [{protocol: http, servers: [{port: 0}]}]', 'defaults.yaml').admin;
    assert.equal(defaults.ip, '127.0.0.1');
    assert.equal(defaults.port, 9990);
    const bound = world.linker.admin!.server.address() as AddressInfo;
    assert.equal(bound.address, '127.0.0.1');
    assert.equal(bound.port, world.linker.adminPort);
  });

  test('/admin/ping answers pong', async () => {
    const r = await world.admin('/admin/ping');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'pong');
  });

  test('/admin and /admin/index.txt list every endpoint with its security category', async () => {
    for (const path of ['/admin', '/admin/index.txt']) {
      const r = await world.admin(path);
      assert.equal(r.status, 200);
      const listed = new Map(r.body.trim().split('\n').map((l) => l.split('\t') as [string, string]));
      for (const [endpoint, category] of [
        ['/', '(ui)'], ['/delegator', '(ui)'], ['/delegator.json', '(ui)'], ['/config.json', '(ui)'],
        ['/admin/metrics.json', '(ui)'], ['/admin/metrics/prometheus', '(diagnostics)'], ['/admin/ping', '(diagnostics)'],
        ['/client_state.json', '(diagnostics)'], ['/bound-names.json', '(diagnostics)'],
        ['/namer_state/<prefix>.json', '(diagnostics)'], ['/admin/shutdown', '(control)'],
      ]) assert.equal(listed.get(endpoint!), category, `${endpoint} in:\n${r.body}`);
    }
  });

  test('an unknown path is a 404 that points at the index', async () => {
    const r = await world.admin('/admin/nothing-here');
    assert.equal(r.status, 404);
    assert.match(r.body, /Not found: \/admin\/nothing-here\. See \/admin/);
    assert.equal((await world.admin('/files/../../package.json')).status, 404);
    assert.equal((await world.admin('/files/..%2f..%2fpackage.json')).status, 404);
  });

  test('the dashboard and the playground are HTML pages', async () => {
    for (const path of ['/', '/delegator']) {
      const r = await world.admin(path);
      assert.equal(r.status, 200);
      assert.match(String(r.headers['content-type']), /^text\/html/);
    }
  });

  test('/config.json is the parsed config', async () => {
    const config = parse<typeof world.linker.config>(await world.admin('/config.json'));
    assert.deepEqual(config, JSON.parse(JSON.stringify(world.linker.config)));
    assert.deepEqual(config.routers.map((r) => r.label), ['outgoing', 'incoming']);
    assert.equal(Dtab.read(config.routers[0]!.dtab).show(), Dtab.read(OUTGOING_DTAB).show());
    assert.deepEqual(config.telemetry, [{ kind: 'io.l5d.prometheus', path: '/admin/metrics/prometheus', prefix: '', naming: 'linkerd' }]);
  });

  test('/client_state.json lists every bound client with its state and addresses', async () => {
    assert.equal((await world.route('garbled')).status, 502);
    const states = parse<Record<string, { state: string; addresses: string[] }>>(await world.admin('/client_state.json'));
    assert.deepEqual(states['/#/io.l5d.fs/world-v1'], { state: 'bound', addresses: [`127.0.0.1:${world.upstreams.v1.port}`] });
    assert.deepEqual(states[`/$/inet/127.0.0.1/${world.upstreams.v2.port}`], { state: 'bound', addresses: [`127.0.0.1:${world.upstreams.v2.port}`] });
    const garbled = states['/#/io.l5d.fs/garbled'];
    assert.equal(garbled?.addresses.length, 0);
    assert.match(garbled?.state ?? '', /^failed: .*garbled:1: /);
  });

  test('/admin/clients.json gives the dashboard each client with its router and endpoints', async () => {
    const clients = parse<{ router: string; id: string; state: string; endpoints: { addr: string; status: string }[] }[]>(await world.admin('/admin/clients.json'));
    const v1 = clients.find((c) => c.id === '/#/io.l5d.fs/world-v1');
    assert.equal(v1?.router, 'outgoing');
    assert.deepEqual(v1?.endpoints.map((e) => [e.addr, e.status]), [[`127.0.0.1:${world.upstreams.v1.port}`, 'alive']]);
    assert.equal(clients.find((c) => c.id.startsWith('/$/inet/'))?.router, 'incoming');
  });

  test('/bound-names.json lists the concrete names the fs namer knows', async () => {
    const names = parse<string[]>(await world.admin('/bound-names.json'));
    assert.deepEqual(names, ['broken', 'dead', 'flaky', 'garbled', 'slow', 'world-v1', 'world-v2'].map((n) => `/#/io.l5d.fs/${n}`));
  });

  test('/namer_state/io.l5d.fs.json shows the watched directory and every file', async () => {
    const state = parse<{ rootDir: string; watching: boolean; files: Record<string, { addr: unknown; error?: string }> }>(
      await world.admin('/namer_state/io.l5d.fs.json'));
    assert.equal(state.rootDir, world.disco.dir);
    assert.equal(typeof state.watching, 'boolean');
    assert.deepEqual(state.files['world-v1']?.addr, { type: 'bound', addresses: [{ host: '127.0.0.1', port: world.upstreams.v1.port, weight: 1 }] });
    assert.match(state.files['garbled']?.error ?? '', /garbled:1: /);
    // The prefix may also be spelled with its `#/`.
    assert.deepEqual(parse(await world.admin('/namer_state/%23/io.l5d.fs.json')), state);
    const unknown = await world.admin('/namer_state/io.l5d.k8s.json');
    assert.equal(unknown.status, 404);
    assert.match(parse<{ error: string }>(unknown).error, /No namer at \/#\/io\.l5d\.k8s; known: \/#\/io\.l5d\.fs/);
  });

  describe('/delegator.json', () => {
    const override = `${OUTGOING_DTAB}; /svc/world => /srv/world-v2`;

    test('GET explains a name under the dtab given; the winning branch ends at the world-v2 leaf', async () => {
      const r = await delegation(world, 'GET', { namespace: 'outgoing', path: '/svc/world', dtab: override });
      assert.equal(r.status, 200, r.body);
      const tree = parse<DelegateJson>(r);
      assert.equal(tree.path, '/svc/world');
      assert.equal(tree.dentry, undefined, 'the root has no dentry');
      assert.equal(tree.primary, true);
      const leaves = nodes(tree).filter((n) => n.type === 'leaf');
      const primary = leaves.filter((n) => n.primary);
      assert.deepEqual(primary.map((n) => n.bound?.id), ['/#/io.l5d.fs/world-v2']);
      assert.deepEqual(primary[0]!.bound, {
        id: '/#/io.l5d.fs/world-v2', path: '/',
        addr: { type: 'bound', addrs: [{ ip: '127.0.0.1', port: world.upstreams.v2.port, meta: {} }], meta: {} },
      });
      // Every alternative is explained, not just the winner: world-v1 under the base dentry too.
      assert.ok(leaves.some((n) => n.bound?.id === '/#/io.l5d.fs/world-v1' && !n.primary), JSON.stringify(tree));
      assert.ok(nodes(tree).some((n) => n.dentry?.prefix === '/svc/world' && n.dentry.dst === '/srv/world-v2'));
    });

    test('POST with the same request as JSON gives the same tree', async () => {
      const req = { namespace: 'outgoing', path: '/svc/world', dtab: override };
      const get = await delegation(world, 'GET', req);
      const post = await delegation(world, 'POST', req);
      assert.equal(post.status, 200, post.body);
      assert.deepEqual(parse(post), parse(get));
    });

    test('a name no branch binds is a neg tree, not an error', async () => {
      const r = await delegation(world, 'GET', { namespace: 'outgoing', path: '/svc/nowhere', dtab: OUTGOING_DTAB });
      assert.equal(r.status, 200);
      const all = nodes(parse<DelegateJson>(r));
      assert.ok(all.some((n) => n.type === 'neg' && n.path === '/#/io.l5d.fs/nowhere'), JSON.stringify(all));
      assert.ok(all.every((n) => !n.primary));
    });

    test('the namespace picks the router whose namers explain the name', async () => {
      const r = await delegation(world, 'GET', { namespace: 'incoming', path: '/svc/hello', dtab: `/svc => /$/inet/127.0.0.1/${world.upstreams.v2.port}` });
      const leaf = nodes(parse<DelegateJson>(r)).find((n) => n.type === 'leaf');
      assert.equal(leaf?.bound?.id, `/$/inet/127.0.0.1/${world.upstreams.v2.port}`);
      assert.equal(leaf?.bound?.path, '/hello', 'the residual');
    });

    test('without a namespace only the /$/ namers are consulted (as Linkerd)', async () => {
      const fs = nodes(parse<DelegateJson>(await delegation(world, 'GET', { path: '/svc/world', dtab: '/svc => /#/io.l5d.fs' })));
      assert.ok(fs.some((n) => n.type === 'neg' && n.path === '/#/io.l5d.fs/world'), JSON.stringify(fs));
      const inet = nodes(parse<DelegateJson>(await delegation(world, 'GET', { path: '/svc/world', dtab: '/svc => /$/inet/127.0.0.1/8080' })));
      assert.equal(inet.find((n) => n.primary && n.type === 'leaf')?.bound?.id, '/$/inet/127.0.0.1/8080');
    });

    test('an unknown namespace has no interpreter that can delegate: 501', async () => {
      for (const method of ['GET', 'POST'] as const) {
        const r = await delegation(world, method, { namespace: 'nosuchrouter', path: '/svc/world', dtab: '' });
        assert.equal(r.status, 501);
        assert.match(r.body, /^Name Interpreter for nosuchrouter cannot show delegations \(.*routers: outgoing, incoming\)$/);
      }
    });

    test('a missing path is a 400', async () => {
      for (const method of ['GET', 'POST'] as const) {
        const r = await delegation(world, method, { namespace: 'outgoing', dtab: OUTGOING_DTAB });
        assert.equal(r.status, 400);
        assert.equal(r.body, 'Malformed delegation request: missing path');
      }
    });

    test('a dtab that does not parse is a 400 "Invalid dtab: …" with its column', async () => {
      for (const method of ['GET', 'POST'] as const) {
        const r = await delegation(world, method, { namespace: 'outgoing', path: '/svc/world', dtab: '/svc/world => /srv/world-v2; /svc/x /srv/y' });
        assert.equal(r.status, 400);
        assert.match(r.body, /^Invalid dtab: Invalid dtab at column 37: expected '=>'/);
      }
    });

    test('a path that does not parse is a 400 "Invalid path: …"', async () => {
      for (const path of ['svc/world', '/svc/world/', '/svc//world']) {
        const r = await delegation(world, 'GET', { namespace: 'outgoing', path, dtab: '' });
        assert.equal(r.status, 400, path);
        assert.match(r.body, /^Invalid path: Invalid path at column \d+: /, path);
      }
    });

    test('POST needs a JSON object: 415 for another content type, 400 for a body that is not one', async () => {
      const plain = await world.admin('/delegator.json', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"path": "/svc/world"}' });
      assert.equal(plain.status, 415);
      const none = await world.admin('/delegator.json', { method: 'POST', body: '{"path": "/svc/world"}' });
      assert.equal(none.status, 415);
      for (const body of ['{"path": "/svc/world"', 'null', '[]', '"/svc/world"']) {
        const r = await world.admin('/delegator.json', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        assert.equal(r.status, 400, body);
        assert.match(r.body, /^Malformed delegation request: /, body);
      }
      const huge = await world.admin('/delegator.json', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"path": "/${'a'.repeat(2 << 20)}"}` });
      assert.equal(huge.status, 413);
    });

    test('other methods are a 405', async () => {
      for (const method of ['PUT', 'DELETE', 'PATCH']) {
        assert.equal((await world.admin('/delegator.json', { method })).status, 405, method);
      }
    });
  });

  describe('/admin/metrics.json', () => {
    test('flat: one number per metric under its slash-separated name', async () => {
      const m = await world.metrics();
      assert.equal(m['rt/outgoing/service/svc/world/requests'], 3);
      assert.equal(m['rt/outgoing/client/#/io.l5d.fs/world-v1/requests'], 3);
      assert.equal(m[`rt/incoming/client/$/inet/127.0.0.1/${world.upstreams.v2.port}/success`], 1);
      assert.ok(Object.values(m).every((v) => typeof v === 'number'));
      assert.deepEqual(parse(await world.admin('/metrics.json')), m, '/metrics.json is the same document');
    });

    test('tree=1: nested scopes with {"counter": n} and {"gauge": n} leaves', async () => {
      type Tree = { [k: string]: Tree | number };
      const tree = parse<Tree>(await world.admin('/admin/metrics.json?tree=1'));
      const outgoing = (tree['rt'] as Tree)['outgoing'] as Tree;
      assert.deepEqual(((outgoing['service'] as Tree)['svc/world'] as Tree)['requests'], { counter: 3 });
      const server = Object.values(outgoing['server'] as Tree)[0] as Tree;
      assert.deepEqual(Object.keys(server['connections'] as Tree), ['gauge']);
    });

    test('q= narrows to one scope; names are relative to it', async () => {
      const flat = parse<Record<string, number>>(await world.admin('/admin/metrics.json?q=rt/outgoing/service/svc/world'));
      assert.equal(flat['requests'], 3);
      assert.equal(flat['status/200'], 3);
      assert.ok(Object.keys(flat).every((k) => !k.startsWith('rt/')));
      const client = parse<Record<string, number>>(await world.admin(`/admin/metrics.json?q=${encodeURIComponent('rt/outgoing/client/#/io.l5d.fs/world-v1')}`));
      assert.equal(client['success'], 3);
      const tree = parse<Record<string, unknown>>(await world.admin('/admin/metrics.json?q=rt/outgoing/service/svc/world&tree=1'));
      assert.deepEqual(tree['requests'], { counter: 3 });
    });

    test('q= naming no scope is a 404 with a JSON error', async () => {
      for (const q of ['rt/nosuchrouter', 'rt/outgoing/service/svc/nowhere', 'nope']) {
        for (const tree of ['', '&tree=1']) {
          const r = await world.admin(`/admin/metrics.json?q=${encodeURIComponent(q)}${tree}`);
          assert.equal(r.status, 404, q);
          assert.deepEqual(parse(r), { error: `No such subtree: ${q}` });
        }
      }
    });

    test('pretty=true: indented, keys sorted', async () => {
      const r = await world.admin('/admin/metrics.json?pretty=true');
      assert.equal(r.status, 200);
      assert.match(r.body, /^\{\n {2}"/);
      const keys = Object.keys(JSON.parse(r.body) as object);
      assert.deepEqual(keys, [...keys].sort());
    });
  });

  test('the Prometheus endpoint is absent unless the telemeter is configured', async () => {
    const plain = await startWorld({ telemetry: '[]' });
    try {
      assert.equal((await plain.admin('/admin/metrics/prometheus')).status, 404);
      assert.equal((await plain.admin('/admin')).body.includes('/admin/metrics/prometheus'), false);
    } finally {
      await plain.close();
    }
  });
});

describe('metrics after traffic', () => {
  let world: World;
  let server: string;
  before(async () => {
    world = await startWorld();
    server = `rt/outgoing/server/127.0.0.1/${world.routerPort('outgoing')}`;
    for (let i = 0; i < 3; i++) assert.equal((await world.route('world')).status, 200);
    assert.equal((await world.route('hello', { 'l5d-dtab': '/svc/hello => /srv/world-v2' })).body, 'world-v2');
    for (let i = 0; i < 2; i++) assert.equal((await world.route('broken')).status, 500);
    assert.equal((await world.route('nope')).status, 502);
    assert.equal((await world.route('dead')).status, 502);
    assert.equal((await world.route('world', { 'l5d-dtab': '/svc => ' })).status, 400);
    assert.equal((await world.route('flaky')).status, 200, 'the 500 is retried');
  });
  after(() => world.close());

  /** The metrics under `scope`, relative to it, that match `only` (counters and gauges of interest). */
  async function under(scope: string, only: RegExp): Promise<Record<string, number>> {
    const m = await world.metrics();
    return Object.fromEntries(Object.entries(m)
      .filter(([k]) => k.startsWith(`${scope}/`) && only.test(k.slice(scope.length + 1)))
      .map(([k, v]) => [k.slice(scope.length + 1), v]));
  }
  const COUNTS = /^(requests|success|failures(\/.*)?|status\/.*|retries\/(total|requeues))$/;

  test('server scope: every request the server accepted, by status and failure cause', async () => {
    assert.deepEqual(await under(server, COUNTS), {
      requests: 10, success: 5, failures: 5,
      'failures/no_route': 1, 'failures/connect': 1, 'failures/bad_dtab': 1,
      'status/200': 5, 'status/2XX': 5, 'status/400': 1, 'status/4XX': 1,
      'status/500': 2, 'status/502': 2, 'status/5XX': 4,
    });
  });

  test('service scope: per logical name, a 502 counted as a failure with its cause', async () => {
    const svc = (name: string) => under(`rt/outgoing/service/svc/${name}`, COUNTS);
    assert.deepEqual(await svc('world'), { requests: 3, success: 3, failures: 0, 'status/200': 3, 'status/2XX': 3, 'retries/total': 0 });
    assert.deepEqual(await svc('hello'), { requests: 1, success: 1, failures: 0, 'status/200': 1, 'status/2XX': 1, 'retries/total': 0 });
    assert.deepEqual(await svc('broken'), { requests: 2, success: 0, failures: 2, 'status/500': 2, 'status/5XX': 2, 'retries/total': 0 });
    assert.deepEqual(await svc('nope'), { requests: 1, success: 0, failures: 1, 'failures/no_route': 1, 'status/502': 1, 'status/5XX': 1, 'retries/total': 0 });
    assert.deepEqual(await svc('dead'), { requests: 1, success: 0, failures: 1, 'failures/connect': 1, 'status/502': 1, 'status/5XX': 1, 'retries/total': 0 });
    assert.deepEqual(await svc('flaky'), { requests: 1, success: 1, failures: 0, 'status/200': 1, 'status/2XX': 1, 'retries/total': 1 });
  });

  test('client scope: per bound name, every attempt', async () => {
    const client = (name: string) => under(`rt/outgoing/client/#/io.l5d.fs/${name}`, COUNTS);
    assert.deepEqual(await client('world-v1'), { requests: 3, success: 3, failures: 0, 'status/200': 3, 'status/2XX': 3, 'retries/requeues': 0 });
    assert.deepEqual(await client('world-v2'), { requests: 1, success: 1, failures: 0, 'status/200': 1, 'status/2XX': 1, 'retries/requeues': 0 });
    assert.deepEqual(await client('broken'), { requests: 2, success: 0, failures: 2, 'status/500': 2, 'status/5XX': 2, 'retries/requeues': 0 });
    assert.deepEqual(await client('flaky'), { requests: 2, success: 1, failures: 1, 'status/200': 1, 'status/2XX': 1, 'status/500': 1, 'status/5XX': 1, 'retries/requeues': 0 });
    // A refused connection is requeued within the budget; every attempt is counted.
    const dead = await client('dead');
    assert.ok(dead['retries/requeues']! >= 1, JSON.stringify(dead));
    const attempts = dead['retries/requeues']! + 1;
    assert.deepEqual(dead, { requests: attempts, success: 0, failures: attempts, 'failures/connect': attempts, 'retries/requeues': attempts - 1 });
    const m = await world.metrics();
    assert.equal(m['rt/outgoing/client/#/io.l5d.fs/world-v1/loadbalancer/size'], 1);
    assert.equal(m['rt/outgoing/client/#/io.l5d.fs/world-v1/loadbalancer/available'], 1);
  });

  test('histograms: absent before the first snapshot, then every field of the last minute', async () => {
    const before = await world.metrics();
    assert.deepEqual(Object.keys(before).filter((k) => k.includes('request_latency_ms')), [], 'nothing until a window has ended');

    world.clock.advance(SNAPSHOT_MS);
    const m = await world.metrics();
    const fields = ['count', 'max', 'min', 'p50', 'p90', 'p95', 'p99', 'p9990', 'p9999', 'sum', 'avg'];
    const stat = (scope: string) => Object.fromEntries(fields.map((f) => [f, m[`${scope}/request_latency_ms.${f}`]]));
    const every = (count: number, ms: number) => ({ count, max: ms, min: ms, p50: ms, p90: ms, p95: ms, p99: ms, p9990: ms, p9999: ms, sum: count * ms, avg: ms });
    assert.deepEqual(stat('rt/outgoing/service/svc/world'), every(3, WORLD_V1_MS));
    assert.deepEqual(stat('rt/outgoing/client/#/io.l5d.fs/world-v1'), every(3, WORLD_V1_MS));
    assert.deepEqual(stat('rt/outgoing/service/svc/hello'), every(1, WORLD_V2_MS));
    // The server saw 25 ms (×3), 40 ms and six requests that took no time on this clock.
    const s = stat(server);
    assert.deepEqual([s.count, s.min, s.max, s.sum], [10, 0, WORLD_V2_MS, 3 * WORLD_V1_MS + WORLD_V2_MS]);
    assert.equal(s.avg, s.sum! / 10);
    assert.equal(s.p50, 0);
    assert.equal(s.p99, WORLD_V2_MS);

    world.clock.advance(SNAPSHOT_MS);
    const idle = await world.metrics();
    assert.equal(idle['rt/outgoing/service/svc/world/request_latency_ms.count'], 0, 'a minute without requests');
    assert.equal(idle['rt/outgoing/service/svc/world/request_latency_ms.p50'], undefined, 'no percentiles of nothing');
    assert.equal(idle['rt/outgoing/service/svc/world/requests'], 3, 'counters are never reset');
  });

  test('connections and pending follow the requests in flight', async () => {
    await eventually('earlier connections to close', async () => (await world.metrics())[`${server}/connections`] === 0);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const inFlight = new Promise<number>((resolve, reject) => {
        httpRequest({ host: '127.0.0.1', port: world.routerPort('outgoing'), headers: { host: 'slow' }, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        }).on('error', reject).end();
      });
      await eventually('the slow upstream to hold the request', () => world.upstreams.slow.seen.length === 1);
      let m = await world.metrics();
      assert.equal(m[`${server}/pending`], 1);
      assert.equal(m[`${server}/connections`], 1);
      assert.equal(m['rt/outgoing/client/#/io.l5d.fs/slow/loadbalancer/load'], 1);
      world.releaseSlow();
      assert.equal(await inFlight, 200);
      m = await world.metrics();
      assert.equal(m[`${server}/pending`], 0);
      assert.equal(m[`${server}/connections`], 1, 'the kept-alive connection stays open');
    } finally {
      agent.destroy();
    }
    await eventually('the closed connection to leave the gauge', async () => (await world.metrics())[`${server}/connections`] === 0);
  });
});

describe('label cardinality', () => {
  test('20,000 distinct Host headers and overrides to 500 concrete names keep the metrics bounded', async () => {
    const maxChildren = 200;
    const concreteNames = 500;
    const world = await startWorld({
      maxChildren,
      files: (ports) => Object.fromEntries(Array.from({ length: concreteNames }, (_, n) => [`c${n}`, [ports.broken]])),
    });
    const pool = new Pool(`http://127.0.0.1:${world.routerPort('outgoing')}`, { connections: 8 });
    try {
      let sent = 0;
      /**
       * Every request names a new logical name (Host `h<i>`), which nothing routes: 502. Every
       * tenth carries an override that sends it to one of the `c<n>` files instead (each a
       * distinct client; all on the broken upstream, so 500).
       */
      const flood = async (until: number): Promise<void> => {
        const worker = async (): Promise<void> => {
          while (sent < until) {
            const i = sent++;
            const headers: Record<string, string> = { host: `h${i}` };
            if (i % 10 === 0) headers['l5d-dtab'] = `/svc/h${i} => /#/io.l5d.fs/c${(i / 10) % concreteNames}`;
            const r = await pool.request({ path: '/', method: 'GET', headers });
            await r.body.dump();
            assert.equal(r.statusCode, i % 10 === 0 ? 500 : 502);
          }
        };
        await Promise.all(Array.from({ length: 16 }, worker));
      };
      /** Distinct ids exported under `rt/outgoing/<kind>/`, and the most metrics any one of them has. */
      const scopes = (m: Record<string, number>, kind: 'service' | 'client', idSegments: number) => {
        const perId = new Map<string, number>();
        for (const k of Object.keys(m)) {
          if (!k.startsWith(`rt/outgoing/${kind}/`)) continue;
          const id = k.split('/').slice(3, 3 + idSegments).join('/');
          perId.set(id, (perId.get(id) ?? 0) + 1);
        }
        return { ids: perId.size, widest: Math.max(...perId.values()) };
      };

      await flood(2_000);
      world.clock.advance(SNAPSHOT_MS);
      const early = await world.metrics();

      await flood(20_000);
      world.clock.advance(SNAPSHOT_MS);
      const late = await world.metrics();
      const services = scopes(late, 'service', 2);
      const clients = scopes(late, 'client', 3);
      assert.equal(services.ids, maxChildren, 'services exported');
      assert.equal(clients.ids, maxChildren, 'clients exported');
      assert.equal(late['rt/outgoing/service_evicted'], 20_000 - maxChildren);
      assert.equal(late['rt/outgoing/client_evicted'], concreteNames - maxChildren);
      // Each scope has a fixed vocabulary of metrics, so the whole export is bounded by the caps.
      assert.ok(services.widest <= 30 && clients.widest <= 30, `${services.widest} and ${clients.widest} metrics per scope`);
      const others = Object.keys(late).filter((k) => !/^rt\/outgoing\/(service|client)\//.test(k)).length;
      assert.ok(Object.keys(late).length <= others + maxChildren * (services.widest + clients.widest));
      assert.ok(Object.keys(late).length <= Object.keys(early).length * 1.1,
        `${Object.keys(early).length} metrics after 2,000 names, ${Object.keys(late).length} after 20,000`);
      // The routing caches are bounded too, and every override shares the one endpoint's pool.
      const sizes = world.linker.router('outgoing')!.router.sizes;
      assert.ok(sizes.logical <= 1000 && sizes.dtabs <= 1000 && sizes.services <= 1000 && sizes.concrete <= 1000, JSON.stringify(sizes));
      assert.equal(sizes.endpoints, 1);
    } finally {
      await pool.close();
      await world.close();
    }
  });
});

/** Runs `promtool check metrics` on `text`. */
function promtool(text: string): { status: number | null; output: string } {
  const r = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error !== undefined) assert.fail(`promtool could not be run (${r.error.message}); run scripts/system-deps.sh (Debian package "prometheus")`);
  return { status: r.status, output: r.stderr + r.stdout };
}

describe('/admin/metrics/prometheus', () => {
  /** Real traffic of every kind, then a histogram window ends so summaries are written too. */
  async function withTraffic(world: World): Promise<string> {
    for (const host of ['world', 'world', 'broken', 'nope', 'dead', 'flaky']) await world.route(host);
    await world.route('hello', { 'l5d-dtab': '/svc/hello => /srv/world-v2' });
    await world.route('we"ird\\name', {});
    await world.route('anything', {}, 'incoming');
    world.clock.advance(SNAPSHOT_MS);
    const r = await world.admin('/admin/metrics/prometheus');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    return r.body;
  }

  test('Linkerd naming: ids become labels; promtool parses it and only lints the names Linkerd chose', async () => {
    const world = await startWorld();
    try {
      const text = await withTraffic(world);
      const port = world.routerPort('outgoing');
      for (const line of [
        'rt:service:requests{rt="outgoing", service="svc/world"} 2',
        'rt:client:requests{rt="outgoing", client="#/io.l5d.fs/world-v1"} 2',
        `rt:server:requests{rt="outgoing", server="127.0.0.1/${port}"} 8`,
        'rt:service:failures{rt="outgoing", service="svc/nope", exception="no_route"} 1',
        'rt:service:status:502{rt="outgoing", service="svc/dead"} 1',
        'rt:service:retries:total{rt="outgoing", service="svc/flaky"} 1',
        `rt:server:connections{rt="outgoing", server="127.0.0.1/${port}"} 0`,
        'rt:service:request_latency_ms_count{rt="outgoing", service="svc/world"} 2',
        `rt:service:request_latency_ms{rt="outgoing", service="svc/world", quantile="0.5"} ${WORLD_V1_MS}`,
        `rt:client:request_latency_ms{rt="outgoing", client="#/io.l5d.fs/world-v2", quantile="0.99"} ${WORLD_V2_MS}`,
        '# TYPE rt:service:request_latency_ms summary',
        // A label Finagle shows hex-escaped (`\x77\x65…`), its backslashes escaped again in the label value.
        `rt:service:requests{rt="outgoing", service="svc/${[...Buffer.from('we"ird\\name')].map((b) => `\\\\x${b.toString(16).padStart(2, '0')}`).join('')}"} 1`,
      ]) assert.ok(text.includes(`${line}\n`), `missing: ${line}\n${text}`);

      const r = promtool(text);
      assert.doesNotMatch(r.output, /error while linting|parse error|invalid/i, r.output);
      const inherent = [`metric names should not contain ':'`, `counter metrics should have "_total" suffix`, 'metric names should not contain abbreviated units'];
      for (const c of r.output.split('\n').filter((l) => l !== '')) assert.ok(inherent.some((i) => c.endsWith(i)), `unexpected complaint: ${c}`);
      assert.equal(r.status, 3, 'promtool signals lint findings (not parse errors) with status 3');
    } finally {
      await world.close();
    }
  });

  test('Prometheus naming passes promtool with no complaints', async () => {
    const world = await startWorld({ telemetry: '[{kind: io.l5d.prometheus, naming: prometheus, prefix: switchyard_}]' });
    try {
      const text = await withTraffic(world);
      for (const line of [
        'switchyard_rt_service_requests_total{rt="outgoing", service="svc/world"} 2',
        `switchyard_rt_service_request_latency_seconds{rt="outgoing", service="svc/world", quantile="0.5"} ${WORLD_V1_MS / 1000}`,
      ]) assert.ok(text.includes(`${line}\n`), `missing: ${line}\n${text}`);
      const r = promtool(text);
      assert.equal(r.output, '', text);
      assert.equal(r.status, 0);
    } finally {
      await world.close();
    }
  });
});

describe('security', () => {
  const ROUTER = 'routers: [{protocol: http, label: web, dtab: "/svc => /$/inet/127.0.0.1/1", servers: [{port: 0}]}]';
  const UI = ['/', '/services', '/delegator', '/delegator.json?path=/svc/a', '/config.json', '/admin/metrics.json', '/metrics.json', '/admin/clients.json'];
  const DIAGNOSTICS = ['/admin', '/admin/ping', '/client_state.json', '/bound-names.json', '/admin/metrics/prometheus'];

  /** The status of each path on a linker with this `security:` block (as YAML flow text). */
  async function statuses(security: string, paths: readonly string[], method = 'GET'): Promise<Record<string, number>> {
    const linker = await startLinker(`admin: {port: 0, security: ${security}}\ntelemetry: [{kind: io.l5d.prometheus}]\n${ROUTER}\n`);
    try {
      const out: Record<string, number> = {};
      for (const p of paths) out[p] = (await send(linker.adminPort, { path: p, method })).status;
      return out;
    } finally {
      await linker.close(0);
    }
  }
  const all = (paths: readonly string[], status: number) => Object.fromEntries(paths.map((p) => [p, status]));

  test('everything is served when no category is disabled', async () => {
    assert.deepEqual(await statuses('{}', [...UI, ...DIAGNOSTICS]), all([...UI, ...DIAGNOSTICS], 200));
  });

  test('uiEnabled: false hides the pages, the delegator and metrics.json, not Prometheus scraping', async () => {
    assert.deepEqual(await statuses('{uiEnabled: false}', [...UI, ...DIAGNOSTICS]), { ...all(UI, 404), ...all(DIAGNOSTICS, 200) });
  });

  test('diagnosticsEnabled: false hides the state dumps, ping and Prometheus, not the UI', async () => {
    assert.deepEqual(await statuses('{diagnosticsEnabled: false}', [...UI, ...DIAGNOSTICS]), { ...all(UI, 200), ...all(DIAGNOSTICS, 404) });
  });

  test('controlEnabled: false refuses shutdown, and the linker keeps running', async () => {
    const linker = await startLinker(`admin: {port: 0, security: {controlEnabled: false}}\n${ROUTER}\n`);
    try {
      assert.equal((await send(linker.adminPort, { path: '/admin/shutdown', method: 'POST' })).status, 404);
      assert.equal((await send(linker.adminPort, { path: '/admin/ping' })).status, 200);
    } finally {
      await linker.close(0);
    }
  });

  test('pathWhitelist re-allows paths of a disabled category', async () => {
    assert.deepEqual(await statuses(`{diagnosticsEnabled: false, pathWhitelist: ['/admin/ping', '/admin/metrics/.*']}`, DIAGNOSTICS), {
      '/admin': 404, '/admin/ping': 200, '/client_state.json': 404, '/bound-names.json': 404, '/admin/metrics/prometheus': 200,
    });
  });

  test('pathBlacklist wins over an enabled category and over the whitelist; the query is not part of the path', async () => {
    assert.deepEqual(await statuses(`{pathWhitelist: ['/admin/ping'], pathBlacklist: ['/admin/.*', '/config[.]json']}`,
      ['/admin/ping', '/admin/metrics.json?q=rt', '/config.json', '/delegator.json?path=/svc/a', '/client_state.json']), {
      '/admin/ping': 404, '/admin/metrics.json?q=rt': 404, '/config.json': 404, '/delegator.json?path=/svc/a': 200, '/client_state.json': 200,
    });
    assert.deepEqual(await statuses(`{diagnosticsEnabled: false, pathWhitelist: ['/admin/ping'], pathBlacklist: ['/admin/ping']}`, ['/admin/ping']), { '/admin/ping': 404 });
  });

  test('a pattern that is not a regular expression stops start-up with the key that holds it', async () => {
    await assert.rejects(startLinker(`admin: {port: 0, security: {pathBlacklist: ['/ok', '/admin/(']}}\n${ROUTER}\n`),
      /admin\.security\.pathBlacklist\[1\]: "\/admin\/\(" is not a regular expression/);
  });
});

describe('/admin/shutdown', () => {
  test('GET is refused with 405; POST shuts the linker down gracefully', async () => {
    const world = await startWorld();
    try {
      assert.equal((await world.route('world')).status, 200);
      const get = await world.admin('/admin/shutdown');
      assert.equal(get.status, 405);
      assert.equal((await world.admin('/admin/ping')).status, 200, 'still running after a GET');

      const post = await world.admin('/admin/shutdown', { method: 'POST' });
      assert.equal(post.status, 200);
      await world.linker.closed;
      await assert.rejects(world.route('world'), /ECONNREFUSED/, 'the router has stopped listening');
      await assert.rejects(world.admin('/admin/ping'), /ECONNREFUSED/, 'so has the admin server');
    } finally {
      await world.close();
    }
  });
});

describe('a delegation whose namer never answers', () => {
  test('is a 503 "Request timed out." after two seconds', async () => {
    const clock = new FakeClock();
    const linker = Linker.create(loadConfig('admin: {port: 0}\nrouters: [{protocol: http, label: web, servers: [{port: 0}]}]\n', 'stuck.yaml'), { clock, log: quietLog });
    // A namer whose answer never comes (a registry that never replies, say).
    const silent: Namer = { lookup: () => new ActivitySource<NameTree<Name>>() };
    const web = linker.routers[0]!;
    linker.routers.push({ ...web, label: 'stuck', interpreter: new RouterInterpreter(Dtab.empty, [{ prefix: Path.read('/#/silent'), namer: silent }], globalNamer()) });
    const admin = new AdminServer(linker, () => {});
    const port = await admin.listen();
    try {
      const timersBefore = clock.pendingTimers;
      const answer = send(port, { path: `/delegator.json?namespace=stuck&path=/svc/a&dtab=${encodeURIComponent('/svc => /#/silent')}` });
      await eventually('the delegation to start waiting', () => clock.pendingTimers > timersBefore);
      clock.advance(1999);
      assert.equal(clock.pendingTimers > timersBefore, true, 'still waiting just before two seconds');
      clock.advance(1);
      const r = await answer;
      assert.equal(r.status, 503);
      assert.equal(r.body, 'Request timed out.');
    } finally {
      await admin.close();
      await linker.close(0);
    }
  });
});
