/**
 * `clearContext: true` on an edge server (linkerd1-reference §3.4): outsiders cannot steer
 * routing or inject context, and learn nothing about the inside from l5d-* headers or error bodies.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Linker } from '../../src/linker/linker.js';
import { closedPort, discoDir, eventually, routerPort, send, startLinker, startUpstream, type DiscoDir, type Upstream } from '../helpers/http.js';
import { rawExchange } from '../helpers/raw.js';

describe('clearContext on an edge server', () => {
  let linker: Linker;
  let disco: DiscoDir;
  let v1: Upstream, v2: Upstream, leaky: Upstream;
  let edge = 0, inside = 0;
  const outsiderTrace = Buffer.alloc(32, 7).toString('base64');
  const hostile = {
    host: 'world',
    'l5d-dtab': '/svc/world => /srv/world-v2',
    'l5d-ctx-dtab': '/svc/world => /srv/world-v2',
    'l5d-ctx-deadline': '1 2',
    'l5d-ctx-trace': outsiderTrace,
    'l5d-ctx-thing': 'injected',
    'l5d-sample': '1.0',
    'l5d-custom': 'injected',
    'l5d-dst-service': '/evil',
    'l5d-reqid': 'evil',
  };

  before(async () => {
    const tagged = (name: string) => startUpstream(name, (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain', 'l5d-internal': 'topology', 'l5d-ctx-thing': 'x' });
      res.end(name);
    });
    v1 = await tagged('world-v1');
    v2 = await tagged('world-v2');
    // Another router's error, as an inner hop would return it.
    leaky = await startUpstream('leaky', (req, res) => {
      req.resume();
      res.writeHead(502, { 'content-type': 'text/plain', 'l5d-err': 'No+route+to+%2Fsvc%2Fsecret' });
      res.end('Unable to route request!\n\nbase dtab:\n  /svc => /#/io.l5d.k8s/prod/http');
    });
    const closed = await closedPort();
    disco = discoDir({ 'world-v1': [v1.port], 'world-v2': [v2.port], leaky: [leaky.port] });
    linker = await startLinker(`
admin: {port: 0}
namers: [{kind: io.l5d.fs, rootDir: ${disco.dir}}]
routers:
- protocol: http
  label: edge
  dtab: |
    /srv => /#/io.l5d.fs;
    /svc => /srv;
    /svc/world => /srv/world-v1;
    /svc/closed => /$/inet/127.0.0.1/${closed};
  servers:
  - {port: 0, clearContext: true}
  - {port: 0}
`);
    edge = routerPort(linker, 'edge', 0);
    inside = routerPort(linker, 'edge', 1);
    await eventually('world-v1 routable', async () => (await send(edge, { headers: { host: 'world' } })).status === 200);
  });

  after(async () => {
    await linker.close(0);
    await Promise.all([v1, v2, leaky].map((u) => u.close()));
    disco.remove();
  });

  it("ignores an outsider's l5d-dtab and l5d-ctx-dtab: traffic still goes to world-v1", async () => {
    for (let i = 0; i < 5; i++) {
      const r = await send(edge, { headers: hostile });
      assert.equal(r.status, 200, r.body);
      assert.equal(r.body, 'world-v1');
    }
    // The same router's trusted server honours the override.
    assert.equal((await send(inside, { headers: { host: 'world', 'l5d-dtab': '/svc/world => /srv/world-v2' } })).body, 'world-v2');
  });

  it('strips every inbound l5d-* header, keeping only the ones the router writes', async () => {
    const before = v1.seen.length;
    assert.equal((await send(edge, { headers: hostile })).status, 200);
    const seen = v1.seen.slice(before).at(-1)!;
    const l5d = Object.keys(seen.headers).filter((h) => h.startsWith('l5d-')).sort();
    assert.deepEqual(l5d, ['l5d-ctx-trace', 'l5d-dst-client', 'l5d-dst-service', 'l5d-reqid']);
    assert.equal(seen.headers['l5d-dst-service'], '/svc/world');
    assert.notEqual(seen.headers['l5d-reqid'], 'evil');
    // The outsider's trace is not continued.
    const trace = Buffer.from(String(seen.headers['l5d-ctx-trace']), 'base64');
    assert.notEqual(trace.toString('hex', 16, 24), Buffer.alloc(8, 7).toString('hex'));
  });

  it('strips every l5d-* header from responses', async () => {
    const r = await send(edge, { headers: { host: 'world' } });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.headers).filter((h) => h.startsWith('l5d-')), []);
    // …while the trusted server passes them on.
    const trusted = await send(inside, { headers: { host: 'world' } });
    assert.equal(trusted.headers['l5d-internal'], 'topology');
  });

  it('answers its own errors with no l5d-* headers and an empty body', async () => {
    const viaLoop = Array.from({ length: 1001 }, () => '1.1 x').join(', ');
    const noHost = await rawExchange(edge, 'GET / HTTP/1.0\r\n\r\n');
    const cases = [
      { name: 'no route', want: 502, ...await send(edge, { headers: { host: 'nowhere' } }) },
      { name: 'connect failure', want: 502, ...await send(edge, { headers: { host: 'closed' } }) },
      { name: 'max call depth', want: 400, ...await send(edge, { headers: { host: 'world', via: viaLoop } }) },
      { name: 'unidentified', want: 400, ...noHost, headers: Object.fromEntries(noHost.headers), body: noHost.body.toString() },
    ];
    for (const c of cases) {
      assert.equal(c.status, c.want, c.name);
      assert.equal(c.body, '', `${c.name}: body must be empty, got ${JSON.stringify(c.body)}`);
      assert.deepEqual(Object.keys(c.headers).filter((h) => h.startsWith('l5d-')), [], c.name);
    }
  });

  it('answers malformed requests with an empty body', async () => {
    const r = await rawExchange(edge, 'GET / HTTP/1.1\r\nHost: world\r\nBad Header: x\r\n\r\n');
    assert.equal(r.status, 400);
    assert.equal(r.body.length, 0);
    assert.deepEqual(r.headers.filter(([h]) => h.startsWith('l5d-')), []);
  });

  it('empties the body of an inner error response that carries l5d-err, keeping its status', async () => {
    const r = await send(edge, { headers: { host: 'leaky' } });
    assert.equal(r.status, 502);
    assert.equal(r.headers['l5d-err'], undefined);
    assert.equal(r.body, '', `inner error leaked: ${JSON.stringify(r.body)}`);
  });
});
