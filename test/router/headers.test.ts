/**
 * The per-request header contract (linkerd1-reference §3.2, §3.3, §3.5) over real sockets:
 * client → Switchyard → recording upstreams world-v1 / world-v2.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Dtab } from '../../src/naming/dtab.js';
import type { Linker } from '../../src/linker/linker.js';
import { discoDir, eventually, routerPort, send, startLinker, startUpstream, type DiscoDir, type Upstream } from '../helpers/http.js';
import { rawExchange } from '../helpers/raw.js';

describe('HTTP header contract', () => {
  let linker: Linker;
  let disco: DiscoDir;
  let v1: Upstream, v2: Upstream, hop: Upstream, failing: Upstream;
  let port = 0;

  before(async () => {
    v1 = await startUpstream('world-v1');
    v2 = await startUpstream('world-v2');
    // Answers with every hop-by-hop header a response can carry, plus one named in Connection.
    hop = await startUpstream('hop', (req, res) => {
      req.resume();
      res.writeHead(200, [
        'Content-Type', 'text/plain', 'Connection', 'X-Secret-Rsp', 'X-Secret-Rsp', 'internal',
        'Keep-Alive', 'timeout=99, max=7', 'Proxy-Authenticate', 'Basic realm="inside"',
        'Trailer', 'X-Checksum', 'Upgrade', 'h2c', 'Via', '1.0 app', 'X-Kept', 'yes',
      ]);
      res.end('hop');
    });
    failing = await startUpstream('failing', (req, res) => { req.resume(); res.writeHead(500, { 'content-type': 'text/plain' }); res.end('broken'); });
    disco = discoDir({ 'world-v1': [v1.port], 'world-v2': [v2.port], hop: [hop.port], failing: [failing.port] });
    linker = await startLinker(`
admin: {port: 0}
namers: [{kind: io.l5d.fs, rootDir: ${disco.dir}}]
routers:
- protocol: http
  label: r
  dtab: |
    /srv => /#/io.l5d.fs;
    /svc => /srv;
    /svc/world => /srv/world-v1;
    /svc/extra => /$/inet/127.0.0.1/${v1.port}/extra;
  servers: [{port: 0, maxCallDepth: 3}]
`);
    port = routerPort(linker, 'r');
  });

  after(async () => {
    await linker.close(0);
    await Promise.all([v1, v2, hop, failing].map((u) => u.close()));
    disco.remove();
  });

  /** Sends a request for Host `world` and returns the reply with the request the upstream saw. */
  async function world(headers: Record<string, string> | [string, string][] = {}) {
    const before1 = v1.seen.length, before2 = v2.seen.length;
    const pairs: [string, string][] = Array.isArray(headers) ? headers : Object.entries(headers);
    const reply = await send(port, { headers: [['host', 'world'], ...pairs] });
    assert.equal(reply.status, 200, reply.body);
    const seen = v1.seen.length > before1 ? v1.seen.at(-1)! : v2.seen.length > before2 ? v2.seen.at(-1)! : undefined;
    assert.ok(seen, 'an upstream saw the request');
    return { reply, seen, by: reply.body };
  }

  const count = (raw: string[], name: string) => raw.filter((_, i) => i % 2 === 0 && raw[i]!.toLowerCase() === name).length;

  it('routes with the base dtab and sends no l5d-ctx-dtab when there is no override', async () => {
    const { by, seen } = await world();
    assert.equal(by, 'world-v1');
    assert.equal(seen.headers['l5d-ctx-dtab'], undefined);
    assert.equal(seen.headers['l5d-dtab'], undefined);
    // An empty override is no override.
    const empty = await world([['l5d-dtab', ''], ['l5d-ctx-dtab', '']]);
    assert.equal(empty.by, 'world-v1');
    assert.equal(empty.seen.headers['l5d-ctx-dtab'], undefined);
  });

  it('applies l5d-dtab, removes it, and re-emits the local dtab (never the base) as l5d-ctx-dtab', async () => {
    const { by, seen } = await world({ 'l5d-dtab': '/svc/world => /srv/world-v2' });
    assert.equal(by, 'world-v2');
    assert.equal(seen.headers['l5d-dtab'], undefined);
    const ctx = seen.headers['l5d-ctx-dtab'] as string;
    assert.ok(ctx, 'l5d-ctx-dtab is forwarded');
    assert.equal(Dtab.read(ctx).show(), Dtab.read('/svc/world => /srv/world-v2').show());
    assert.ok(!ctx.includes('#/io.l5d.fs') && !ctx.includes('/extra'), `base dtab leaked: ${ctx}`);
  });

  it('reads l5d-ctx-dtab first and l5d-dtab after it, so l5d-dtab wins whatever the header order', async () => {
    const ctxV2 = ['l5d-ctx-dtab', '/svc/world => /srv/world-v2'] as [string, string];
    const userV1 = ['l5d-dtab', '/svc/world => /srv/world-v1'] as [string, string];
    assert.equal((await world([ctxV2, userV1])).by, 'world-v1');
    const { by, seen } = await world([userV1, ctxV2]);
    assert.equal(by, 'world-v1');
    // The carried dtab is ctx ++ dtab, in that order.
    assert.equal(Dtab.read(seen.headers['l5d-ctx-dtab'] as string).show(), Dtab.read('/svc/world => /srv/world-v2; /svc/world => /srv/world-v1').show());
    assert.equal((await world([['l5d-ctx-dtab', '/svc/world => /srv/world-v1'], ['l5d-dtab', '/svc/world => /srv/world-v2']])).by, 'world-v2');
  });

  it('reads every l5d-dtab value, later entries winning', async () => {
    const { by } = await world([['l5d-dtab', '/svc/world => /srv/world-v2'], ['l5d-dtab', '/svc/world => /srv/world-v1; /svc/world => /srv/world-v2']]);
    assert.equal(by, 'world-v2');
  });

  it('falls back to the base dtab when the override binds to nothing (Neg)', async () => {
    const { by } = await world({ 'l5d-dtab': '/svc/world => /srv/no-such-service' });
    assert.equal(by, 'world-v1');
  });

  it('passes dtab-local, other l5d-ctx-* and other l5d-* headers through, and ignores dtab-local for routing', async () => {
    const { by, seen } = await world({ 'dtab-local': '/svc/world => /srv/world-v2', 'l5d-ctx-thing': 'thing', 'l5d-custom': 'custom' });
    assert.equal(by, 'world-v1');
    assert.equal(seen.headers['dtab-local'], '/svc/world => /srv/world-v2');
    assert.equal(seen.headers['l5d-ctx-thing'], 'thing');
    assert.equal(seen.headers['l5d-custom'], 'custom');
  });

  it('sets l5d-dst-service, l5d-dst-client and l5d-reqid, and no l5d-dst-residual without a residual', async () => {
    const { seen } = await world();
    assert.equal(seen.headers['l5d-dst-service'], '/svc/world');
    assert.equal(seen.headers['l5d-dst-client'], '/#/io.l5d.fs/world-v1');
    assert.equal(seen.headers['l5d-dst-residual'], undefined);
    assert.match(String(seen.headers['l5d-reqid']), /^[0-9a-f]{16}$/);
  });

  it('sets l5d-dst-residual when binding leaves a residual path', async () => {
    const before = v1.seen.length;
    const r = await send(port, { headers: { host: 'extra' } });
    assert.equal(r.status, 200, r.body);
    const seen = v1.seen.slice(before).at(-1)!;
    assert.equal(seen.headers['l5d-dst-service'], '/svc/extra');
    assert.equal(seen.headers['l5d-dst-client'], `/$/inet/127.0.0.1/${v1.port}`);
    assert.equal(seen.headers['l5d-dst-residual'], '/extra');
  });

  it('overwrites inbound l5d-dst-*, l5d-reqid values instead of forwarding them', async () => {
    const { seen } = await world({ 'l5d-dst-service': '/evil', 'l5d-dst-client': '/evil', 'l5d-dst-residual': '/evil', 'l5d-reqid': 'evil' });
    for (const h of ['l5d-dst-service', 'l5d-dst-client', 'l5d-reqid']) assert.equal(count(seen.rawHeaders, h), 1, h);
    assert.equal(seen.headers['l5d-dst-service'], '/svc/world');
    assert.equal(seen.headers['l5d-dst-client'], '/#/io.l5d.fs/world-v1');
    assert.notEqual(seen.headers['l5d-reqid'], 'evil');
    assert.equal(seen.headers['l5d-dst-residual'], undefined);
  });

  it('appends to Via on the request and on the response', async () => {
    const { seen } = await world({ via: '1.1 edge-proxy' });
    assert.match(String(seen.headers.via), /^1\.1 edge-proxy, 1\.1 \S+$/);
    const r = await send(port, { headers: { host: 'hop' } });
    assert.match(String(r.headers.via), /^1\.0 app, 1\.1 \S+$/);
    const plain = await send(port, { headers: { host: 'world' } });
    assert.match(String(plain.headers.via), /^1\.1 \S+$/);
  });

  it('enforces maxCallDepth by counting Via entries', async () => {
    assert.equal((await world({ via: '1.1 a, 1.1 b, 1.1 c' })).by, 'world-v1');
    const r = await send(port, { headers: { host: 'world', via: '1.1 a, 1.1 b, 1.1 c, 1.1 d' } });
    assert.equal(r.status, 400);
    assert.match(r.body, /Maximum number of calls \(3\) has been exceeded/);
  });

  it('removes hop-by-hop request headers, including those named in Connection', async () => {
    const before = v1.seen.length;
    const r = await rawExchange(port, [
      'POST /hop HTTP/1.1', 'Host: world', 'Connection: X-Secret, keep-alive', 'X-Secret: internal', 'Keep-Alive: timeout=5, max=7',
      'TE: trailers', 'Trailer: X-Checksum', 'Upgrade: h2c', 'Proxy-Authorization: Basic c2VjcmV0', 'Proxy-Connection: keep-alive',
      'X-Kept: yes', 'Transfer-Encoding: chunked', '', '5', 'hello', '0', '', ''].join('\r\n'));
    assert.equal(r.status, 200);
    const seen = v1.seen.slice(before).at(-1)!;
    for (const h of ['x-secret', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-connection']) assert.equal(seen.headers[h], undefined, `${h} was forwarded`);
    assert.ok(!String(seen.headers['keep-alive'] ?? '').includes('max=7'), 'Keep-Alive was forwarded');
    assert.ok(!String(seen.headers.connection ?? '').toLowerCase().includes('x-secret'), 'Connection was forwarded');
    assert.ok(count(seen.rawHeaders, 'transfer-encoding') <= 1, 'Transfer-Encoding was duplicated');
    assert.equal(seen.headers['x-kept'], 'yes');
  });

  it('forwards a chunked request body intact after dropping the inbound Transfer-Encoding', async () => {
    const echo = await startUpstream('echo', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end(Buffer.concat(chunks)); });
    });
    disco.write('echo', [echo.port]);
    try {
      const chunked = ['POST / HTTP/1.1', 'Host: echo', 'Transfer-Encoding: chunked', 'Connection: close', '', '5', 'hello', '6', ' world', '0', '', ''].join('\r\n');
      // Until the fs namer has seen the new file, echo has no route.
      const r = await eventually('echo to be routable', async () => {
        const reply = await rawExchange(port, chunked);
        return reply.status === 200 ? reply : undefined;
      });
      assert.equal(r.body.toString(), 'hello world');
    } finally {
      disco.unlink('echo');
      await echo.close();
    }
  });

  it('removes hop-by-hop response headers, including those named in Connection', async () => {
    const r = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: hop\r\nConnection: close\r\n\r\n');
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'hop');
    for (const h of ['x-secret-rsp', 'proxy-authenticate', 'trailer', 'upgrade']) assert.equal(r.header(h), undefined, `${h} reached the client`);
    assert.ok(!r.all('keep-alive').some((v) => v.includes('max=7')), 'Keep-Alive reached the client');
    assert.ok(!r.all('connection').some((v) => v.toLowerCase().includes('x-secret')), 'Connection reached the client');
    assert.ok(r.all('transfer-encoding').length <= 1, 'Transfer-Encoding was duplicated');
    assert.equal(r.header('x-kept'), 'yes');
  });

  it('rewrites an absolute-form target (http_proxy clients) to origin form with Host := authority', async () => {
    const before = v1.seen.length;
    const r = await rawExchange(port, 'GET http://world/path/x?q=1&r=2 HTTP/1.1\r\nHost: proxy.local:4140\r\nConnection: close\r\n\r\n');
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'world-v1');
    const seen = v1.seen.slice(before).at(-1)!;
    assert.equal(seen.url, '/path/x?q=1&r=2');
    assert.equal(seen.headers.host, 'world');
    assert.equal(seen.headers['l5d-dst-service'], '/svc/world');
  });

  it('rewrites an absolute-form target without a path to /', async () => {
    const before = v1.seen.length;
    const r = await rawExchange(port, 'GET http://world HTTP/1.1\r\nHost: world\r\nConnection: close\r\n\r\n');
    assert.equal(r.status, 200);
    assert.equal(v1.seen.slice(before).at(-1)!.url, '/');
  });

  it('sets l5d-success-class on responses: 1.0 for success, 0.0 for a 5XX', async () => {
    const ok = await send(port, { headers: { host: 'world' } });
    assert.equal(ok.headers['l5d-success-class'], '1.0');
    const bad = await send(port, { headers: { host: 'failing' } });
    assert.equal(bad.status, 500);
    assert.equal(bad.headers['l5d-success-class'], '0.0');
  });

  it('sends exactly one l5d-success-class even when the upstream (another router) sent one', async () => {
    const inner = await startUpstream('inner', (req, res) => { req.resume(); res.writeHead(500, { 'l5d-success-class': '1.0' }); res.end('x'); });
    disco.write('inner', [inner.port]);
    try {
      const r = await eventually('inner to be routable', async () => {
        const reply = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: inner\r\nConnection: close\r\n\r\n');
        return reply.status === 500 ? reply : undefined;
      });
      assert.deepEqual(r.all('l5d-success-class'), ['0.0']);
    } finally {
      disco.unlink('inner');
      await inner.close();
    }
  });
});
