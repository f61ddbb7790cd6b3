/**
 * HTTP/1.1 identifiers (linkerd1-reference §2.1) end to end: the logical name a request gets
 * (seen downstream as l5d-dst-service) and the URI the application receives.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Linker } from '../../src/linker/linker.js';
import { routerPort, send, startLinker, startUpstream, type Upstream } from '../helpers/http.js';
import { rawExchange } from '../helpers/raw.js';

describe('identifiers', () => {
  let linker: Linker;
  let app: Upstream;

  const routers: Record<string, string> = {
    token: '{kind: io.l5d.header.token, header: x-svc}',
    tokenCased: '{kind: io.l5d.header.token, header: X-Svc}',
    mah: '{kind: io.l5d.methodAndHost}',
    mahUri: '{kind: io.l5d.methodAndHost, httpUriInDst: true}',
    path2: '{kind: io.l5d.path, segments: 2}',
    consume: '{kind: io.l5d.path, consume: true}',
    header: '{kind: io.l5d.header}',
    static: '{kind: io.l5d.static, path: /fixed/name}',
    list: '[{kind: io.l5d.header.token, header: x-svc}, {kind: io.l5d.path}]',
  };

  before(async () => {
    app = await startUpstream('app');
    const blocks = Object.entries(routers).map(([label, identifier]) => `
- protocol: http
  label: ${label}
  identifier: ${identifier}
  dstPrefix: ${label === 'mahUri' ? '/http' : '/svc'}
  dtab: |
    /svc => /$/inet/127.0.0.1/${app.port};
    /http => /$/inet/127.0.0.1/${app.port};
  servers: [{port: 0}]`).join('');
    linker = await startLinker(`admin: {port: 0}\nrouters:${blocks}\n`);
  });

  after(async () => {
    await linker.close(0);
    await app.close();
  });

  /** Sends through router `label`; returns the logical name and URI the application saw. */
  async function through(label: string, opts: { path?: string; method?: string; headers?: Record<string, string> } = {}) {
    const before = app.seen.length;
    const r = await send(routerPort(linker, label), { ...opts, headers: { host: 'web', ...opts.headers } });
    assert.equal(r.status, 200, r.body);
    const seen = app.seen.slice(before).at(-1)!;
    return { name: seen.headers['l5d-dst-service'], url: seen.url };
  }
  async function rawThrough(label: string, request: string) {
    const before = app.seen.length;
    const r = await rawExchange(routerPort(linker, label), request);
    assert.equal(r.status, 200, r.body.toString());
    const seen = app.seen.slice(before).at(-1)!;
    return { name: seen.headers['l5d-dst-service'], url: seen.url };
  }
  async function unidentified(label: string, opts: { path?: string; headers?: Record<string, string> }, reason: RegExp) {
    const r = await send(routerPort(linker, label), { ...opts, headers: { host: 'web', ...opts.headers } });
    assert.equal(r.status, 400);
    assert.match(r.body, /^Unknown destination: /);
    assert.match(r.body, reason);
  }

  it('io.l5d.header.token: a custom header value as one label, verbatim', async () => {
    assert.deepEqual(await through('token', { headers: { 'x-svc': 'Foo.Bar:8080' } }), { name: '/svc/Foo.Bar:8080', url: '/' });
    await unidentified('token', {}, /x-svc header is absent/);
  });

  it('io.l5d.header.token: the header name matches in any case, configured and sent', async () => {
    for (const sent of ['x-svc', 'X-Svc', 'X-SVC', 'x-sVc']) {
      assert.deepEqual(await rawThrough('token', `GET / HTTP/1.1\r\nHost: web\r\n${sent}: api\r\n\r\n`), { name: '/svc/api', url: '/' }, sent);
      assert.deepEqual(await rawThrough('tokenCased', `GET / HTTP/1.1\r\nHost: web\r\n${sent}: api\r\n\r\n`), { name: '/svc/api', url: '/' }, sent);
    }
    await unidentified('tokenCased', { headers: { 'x-sv': 'api', 'x-svcs': 'api' } }, /X-Svc header is absent/);
  });

  it('io.l5d.methodAndHost: /1.1/<METHOD>/<host lower-cased>, URI not included by default', async () => {
    assert.deepEqual(await through('mah', { method: 'POST', path: '/a/b?x=1', headers: { host: 'Web.Example' } }), { name: '/svc/1.1/POST/web.example', url: '/a/b?x=1' });
  });

  it('io.l5d.methodAndHost with httpUriInDst: the URI path segments follow, query dropped', async () => {
    assert.deepEqual(await through('mahUri', { path: '/a/b?x=1', headers: { host: 'Web.Example' } }), { name: '/http/1.1/GET/web.example/a/b', url: '/a/b?x=1' });
  });

  it('io.l5d.methodAndHost for HTTP/1.0: /1.0/<METHOD>[/uri…], no host', async () => {
    assert.deepEqual(await rawThrough('mah', 'GET /a/b HTTP/1.0\r\nHost: web.example\r\n\r\n'), { name: '/svc/1.0/GET', url: '/a/b' });
    assert.deepEqual(await rawThrough('mahUri', 'DELETE /a/b?x=1 HTTP/1.0\r\n\r\n'), { name: '/http/1.0/DELETE/a/b', url: '/a/b?x=1' });
  });

  it('io.l5d.path: the first N segments name the service and the URI is forwarded whole', async () => {
    assert.deepEqual(await through('path2', { path: '/a/b/c?x=1' }), { name: '/svc/a/b', url: '/a/b/c?x=1' });
    await unidentified('path2', { path: '/a' }, /not enough segments in path/);
  });

  it('io.l5d.path with consume: the segments are stripped from the forwarded URI, the query kept', async () => {
    assert.deepEqual(await through('consume', { path: '/users/42/profile?full=1' }), { name: '/svc/users', url: '/42/profile?full=1' });
    assert.deepEqual(await through('consume', { path: '/users?full=1' }), { name: '/svc/users', url: '/?full=1' });
  });

  it('io.l5d.header: the header value read as a path under dstPrefix', async () => {
    assert.deepEqual(await through('header', { headers: { 'l5d-name': '/foo/bar' } }), { name: '/svc/foo/bar', url: '/' });
    await unidentified('header', { headers: { 'l5d-name': 'not-a-path' } }, /l5d-name header/);
    await unidentified('header', {}, /l5d-name header is absent/);
  });

  it('io.l5d.static: the same name for every request', async () => {
    assert.deepEqual(await through('static', { path: '/anything', headers: { host: 'whatever' } }), { name: '/svc/fixed/name', url: '/anything' });
  });

  it('io.l5d.static routes an HTTP/1.1 request that has no Host', async () => {
    assert.deepEqual(await rawThrough('static', 'GET /x HTTP/1.1\r\nConnection: close\r\n\r\n'), { name: '/svc/fixed/name', url: '/x' });
  });

  it('a list of identifiers is tried in order until one identifies the request', async () => {
    assert.deepEqual(await through('list', { path: '/p/q', headers: { 'x-svc': 'by-token' } }), { name: '/svc/by-token', url: '/p/q' });
    assert.deepEqual(await through('list', { path: '/p/q' }), { name: '/svc/p', url: '/p/q' });
    await unidentified('list', { path: '/' }, /x-svc header is absent; not enough segments in path/);
  });
});
