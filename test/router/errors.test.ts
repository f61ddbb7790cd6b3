/**
 * Responses Switchyard makes itself (linkerd1-reference §3.6): status, a URL-encoded `l5d-err`
 * naming the problem, a text/plain body with the same message; application errors untouched.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Linker } from '../../src/linker/linker.js';
import { ActivitySource, constant } from '../../src/naming/activity.js';
import { Addr } from '../../src/naming/addr.js';
import { BoundName, type Name } from '../../src/naming/namer.js';
import { NameTree } from '../../src/naming/nametree.js';
import { Path } from '../../src/naming/path.js';
import { FakeClock } from '../../src/time/clock.js';
import { closedPort, decodeL5dErr, discoDir, eventually, routerPort, send, startLinker, startUpstream, type DiscoDir, type Reply, type Upstream } from '../helpers/http.js';
import { rawExchange, type RawReply } from '../helpers/raw.js';
import { assembleRouter, type AssembledRouter } from '../helpers/router.js';

/** A router-made error: status, text/plain, and l5d-err carrying the body's message. */
function assertRouterError(r: Reply | RawReply, status: number, body: RegExp): string {
  const text = Buffer.isBuffer(r.body) ? r.body.toString() : r.body;
  const get = (n: string) => ('header' in r ? r.header(n) : (r.headers[n] as string | undefined));
  assert.equal(r.status, status, text);
  assert.match(String(get('content-type')), /^text\/plain/);
  const err = get('l5d-err');
  assert.ok(err, 'l5d-err is set');
  assert.doesNotMatch(err, /[\s,;]/, 'l5d-err is URL-encoded');
  assert.equal(decodeL5dErr(err), text);
  assert.match(text, body);
  return text;
}

describe('router-made error responses', () => {
  let linker: Linker;
  let disco: DiscoDir;
  let v1: Upstream, app: Upstream;
  let port = 0, closed = 0;

  before(async () => {
    v1 = await startUpstream('world-v1');
    app = await startUpstream('app', (req, res) => {
      req.resume();
      if (req.url === '/404') { res.writeHead(404, { 'content-type': 'application/json' }); res.end('{"missing":true}'); return; }
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '7' });
      res.end('busy');
    });
    closed = await closedPort();
    disco = discoDir({ 'world-v1': [v1.port], app: [app.port] });
    linker = await startLinker(`
admin: {port: 0}
namers: [{kind: io.l5d.fs, rootDir: ${disco.dir}}]
routers:
- protocol: http
  label: r
  dtab: |
    /srv => /#/io.l5d.fs;
    /svc => /srv;
    /svc/closed => /$/inet/127.0.0.1/${closed};
  servers: [{port: 0, maxCallDepth: 2}]
`);
    port = routerPort(linker, 'r');
    await eventually('world-v1 routable', async () => (await send(port, { headers: { host: 'world-v1' } })).status === 200);
  });

  after(async () => {
    await linker.close(0);
    await Promise.all([v1.close(), app.close()]);
    disco.remove();
  });

  it('400 for an HTTP/1.0 request without Host (unidentified)', async () => {
    const r = await rawExchange(port, 'GET /a HTTP/1.0\r\n\r\n');
    assertRouterError(r, 400, /^Unknown destination: GET \/a \/ .*Host/);
  });

  it('400 with l5d-err for an HTTP/1.1 request without Host (unidentified, not a bare parser error)', async () => {
    const r = await rawExchange(port, 'GET /a HTTP/1.1\r\nConnection: close\r\n\r\n');
    assertRouterError(r, 400, /^Unknown destination: GET \/a \/ .*Host/);
  });

  it('400 for an l5d-dtab that does not parse, naming the header and column', async () => {
    const r = await send(port, { headers: { host: 'world-v1', 'l5d-dtab': '/svc/world >> /srv/world-v2' } });
    assertRouterError(r, 400, /Invalid dtab in l5d-dtab header at column 12/);
  });

  it('400 for an l5d-ctx-dtab that does not parse', async () => {
    const r = await send(port, { headers: { host: 'world-v1', 'l5d-ctx-dtab': '/svc/world => ' } });
    assertRouterError(r, 400, /Invalid dtab in l5d-ctx-dtab header at column \d+/);
  });

  it('400 past the maximum call depth', async () => {
    const r = await send(port, { headers: { host: 'world-v1', via: '1.1 a, 1.1 b, 1.1 c' } });
    assertRouterError(r, 400, /^Maximum number of calls \(2\) has been exceeded\. Please check for proxy loops\.$/);
  });

  it('502 when no route exists, listing the service name, the base dtab and the override dtab', async () => {
    const r = await send(port, { headers: { host: 'nowhere', 'l5d-dtab': '/svc/other => /srv/world-v1' } });
    const body = assertRouterError(r, 502, /^Unable to route request!/);
    assert.match(body, /service name: \/svc\/nowhere/);
    const base = body.indexOf('base dtab:'), override = body.indexOf('override dtab:');
    assert.ok(base > 0 && override > base, body);
    const baseText = body.slice(base, override), overrideText = body.slice(override);
    for (const entry of [/\/srv\s*=>\s*\/#\/io\.l5d\.fs/, /\/svc\s*=>\s*\/srv/, /\/svc\/closed\s*=>\s*\/\$\/inet\/127\.0\.0\.1\/\d+/]) assert.match(baseText, entry);
    assert.match(overrideText, /\/svc\/other\s*=>\s*\/srv\/world-v1/);
    assert.doesNotMatch(overrideText, /io\.l5d\.fs/);
  });

  it('502 when the endpoint refuses connections', async () => {
    const r = await send(port, { headers: { host: 'closed' } });
    const body = assertRouterError(r, 502, new RegExp(`^Unable to establish connection to 127\\.0\\.0\\.1:${closed}\\.`));
    assert.match(body, /service name: \/svc\/closed/);
  });

  it('passes application 4xx and 5xx responses through unchanged, without l5d-err', async () => {
    const notFound = await send(port, { path: '/404', headers: { host: 'app' } });
    assert.equal(notFound.status, 404);
    assert.equal(notFound.body, '{"missing":true}');
    assert.equal(notFound.headers['content-type'], 'application/json');
    assert.equal(notFound.headers['l5d-err'], undefined);
    const busy = await send(port, { path: '/503', headers: { host: 'app' } });
    assert.equal(busy.status, 503);
    assert.equal(busy.body, 'busy');
    assert.equal(busy.headers['retry-after'], '7');
    assert.equal(busy.headers['l5d-err'], undefined);
  });
});

describe('binding timeout', () => {
  const clock = new FakeClock();
  /** Names whose namer answer never comes, and names bound to an address set that never comes. */
  const pendingTree = new ActivitySource<NameTree<Name>>();
  const silentAddr = new ActivitySource<Addr>();
  let upstream: Upstream;
  let r: AssembledRouter;

  before(async () => {
    upstream = await startUpstream('late');
    r = await assembleRouter({
      dtab: '/svc => /#/test',
      clock,
      bindingTimeoutMs: 250,
      namers: {
        test: {
          lookup: (path: Path) => path.labels[0] === 'silent'
            ? constant(NameTree.leaf(new BoundName(Path.read('/#/test/silent'), silentAddr, Path.empty)))
            : pendingTree,
        },
      },
    });
  });

  after(async () => {
    await r.close();
    await upstream.close();
  });

  /** Sends a request, waits until the router holds it, then moves the clock past the binding timeout. */
  async function timedOut(host: string): Promise<Reply> {
    const reply = send(r.port, { headers: { host } });
    await eventually('the request to reach the router', () => r.listener.pending === 1);
    clock.advance(250);
    return reply;
  }

  it('503 when the name stays unbound past bindingTimeoutMs', async () => {
    const reply = await timedOut('pending');
    assertRouterError(reply, 503, /^Exceeded 250ms binding timeout while resolving name: \/svc\/pending$/);
  });

  it('503 when the bound name has no address set yet past bindingTimeoutMs', async () => {
    const reply = await timedOut('silent');
    assertRouterError(reply, 503, /binding timeout while resolving name: \/svc\/silent/);
  });

  it('leaves no request accounted in flight after a timeout', async () => {
    await timedOut('pending');
    await eventually('the listener to drain', () => r.listener.pending === 0);
    for (const [key, b] of r.router.bindings()) assert.equal(b.active, 0, `binding ${key} still counts a request in flight`);
  });

  it('retains nothing of the requests that timed out while the name stays unbound', async (t) => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const batch = async () => {
      const replies = Array.from({ length: 100 }, () => send(r.port, { headers: { host: 'pending' } }));
      await eventually('the batch to reach the router', () => r.listener.pending === 100);
      clock.advance(250);
      for (const reply of await Promise.all(replies)) assert.equal(reply.status, 503);
    };
    await batch();
    await eventually('the listener to drain', () => r.listener.pending === 0);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 20; i++) await batch();
    await eventually('the listener to drain', () => r.listener.pending === 0);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    t.diagnostic(`heap grew by ${(grown / 1024).toFixed(0)} kB over 2,000 timed-out requests`);
    assert.ok(grown < 2 * 2 ** 20, `heap grew by ${(grown / 2 ** 20).toFixed(1)} MB over 2,000 timed-out requests`);
  });

  it('serves requests once a late name and address set arrive', async () => {
    await timedOut('pending');
    pendingTree.update(NameTree.leaf(new BoundName(Path.read('/#/test/late'), constant(Addr.bound([Addr.address('127.0.0.1', upstream.port)])), Path.empty)));
    const reply = await send(r.port, { headers: { host: 'pending' } });
    assert.equal(reply.status, 200);
    assert.equal(reply.body, 'late');
    const waiting = send(r.port, { headers: { host: 'silent' } });
    await eventually('the request to reach the router', () => r.listener.pending === 1);
    silentAddr.update(Addr.bound([Addr.address('127.0.0.1', upstream.port)]));
    assert.equal((await waiting).status, 200);
  });
});
