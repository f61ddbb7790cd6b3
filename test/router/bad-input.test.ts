/**
 * Malformed and hostile input never crashes the router: each gets a precise answer (or the
 * connection is cut), in-flight accounting returns to zero, and a steady stream of good
 * requests from another client keeps succeeding throughout.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { Pool } from 'undici';
import type { Linker, RunningRouter } from '../../src/linker/linker.js';
import { eventually, listen, routerPort, send, startLinker, startUpstream, type Upstream } from '../helpers/http.js';
import { rawConnect, rawExchange } from '../helpers/raw.js';

describe('bad input never crashes the router', () => {
  let linker: Linker;
  let r: RunningRouter;
  let good: Upstream, echo: Upstream;
  let port = 0;
  // An endpoint that accepts connections, reads, and never answers.
  const silent: NetServer = createNetServer((s) => { silentSockets.add(s); s.on('error', () => {}); s.resume(); });
  const silentSockets = new Set<Socket>();
  let silentPort = 0;
  const echoed: { url: string; body: string; headers: Record<string, unknown> }[] = [];
  const aborted: string[] = [];
  // The steady stream of good requests.
  const steady = { ok: 0, failed: [] as string[], stop: false, done: Promise.resolve() };

  before(async () => {
    good = await startUpstream('good', undefined, '127.0.0.1', { record: false });
    echo = await startUpstream('echo', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('aborted', () => aborted.push(req.url ?? ''));
      req.on('error', () => {});
      req.on('end', () => {
        echoed.push({ url: req.url ?? '', body: Buffer.concat(chunks).toString(), headers: req.headers });
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(Buffer.concat(chunks));
      });
    });
    silentPort = await listen(silent);
    linker = await startLinker(`
admin: {port: 0}
routers:
- protocol: http
  label: r
  maxHeadersKB: 8
  dtab: |
    /svc/good => /$/inet/127.0.0.1/${good.port};
    /svc/echo => /$/inet/127.0.0.1/${echo.port};
    /svc/silent => /$/inet/127.0.0.1/${silentPort};
  servers: [{port: 0}]
`);
    r = linker.router('r')!;
    port = routerPort(linker, 'r');
    const client = new Pool(`http://127.0.0.1:${port}`, { connections: 2 });
    const loop = async () => {
      while (!steady.stop) {
        try {
          const res = await client.request({ path: '/steady', method: 'GET', headers: { host: 'good' } });
          const body = await res.body.text();
          if (res.statusCode === 200 && body === 'good') steady.ok++;
          else steady.failed.push(`${res.statusCode} ${body}`);
        } catch (e) {
          steady.failed.push((e as Error).message);
        }
      }
    };
    steady.done = Promise.all([loop(), loop()]).then(() => client.close());
  });

  after(async () => {
    steady.stop = true;
    await steady.done;
    await linker.close(0);
    for (const s of silentSockets) s.destroy();
    await new Promise((res) => silent.close(res));
    await Promise.all([good.close(), echo.close()]);
  });

  /** The router holds no request any more. */
  const settled = () => eventually('no request in flight', () => r.listeners[0]!.pending === 0);

  it('answers a garbage request line with 400', async () => {
    const reply = await rawExchange(port, 'HELLO THERE\r\n\r\n');
    assert.equal(reply.status, 400);
    const binary = await rawExchange(port, Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a]));
    assert.equal(binary.status, 400);
  });

  it('answers an unsupported HTTP version with 505 or 400', async () => {
    const reply = await rawExchange(port, 'GET / HTTP/7.3\r\nHost: good\r\n\r\n');
    assert.ok(reply.status === 505 || reply.status === 400, `status ${reply.status}`);
  });

  it('answers headers larger than maxHeadersKB with 431 (or 400)', async () => {
    const reply = await rawExchange(port, `GET / HTTP/1.1\r\nHost: good\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    assert.ok(reply.status === 431 || reply.status === 400, `status ${reply.status}`);
  });

  it('answers a header with invalid characters with 400', async () => {
    assert.equal((await rawExchange(port, 'GET / HTTP/1.1\r\nHost: good\r\nX-Bad: a\u0001b\r\n\r\n')).status, 400);
    assert.equal((await rawExchange(port, 'GET / HTTP/1.1\r\nHost: good\r\nBad Name: x\r\n\r\n')).status, 400);
    assert.equal((await rawExchange(port, 'GET / HTTP/1.1\r\nHost: good\r\nX-Bare-LF: x\nX-Other: y\r\n\r\n').catch(() => ({ status: 400 }))).status, 400);
  });

  it('answers conflicting Content-Length headers with 400', async () => {
    const reply = await rawExchange(port, 'POST / HTTP/1.1\r\nHost: echo\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!');
    assert.equal(reply.status, 400);
  });

  it('rejects a body with both Content-Length and chunked, or frames it by chunked, never forwarding both', async () => {
    const before = echoed.length;
    const reply = await rawExchange(port, 'POST / HTTP/1.1\r\nHost: echo\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n')
      .catch((e: Error) => ({ status: 0, body: Buffer.from(e.message) }));
    // Rejecting the request outright is also safe; forwarding it with both framings is not.
    if (reply.status === 400) return;
    assert.equal(reply.status, 200);
    assert.equal(reply.body.toString(), 'hello');
    const seen = echoed.slice(before).at(-1)!;
    assert.ok(!(seen.headers['content-length'] !== undefined && seen.headers['transfer-encoding'] !== undefined), 'both framings forwarded');
  });

  it('survives invalid chunked framing', async () => {
    await rawExchange(port, 'POST / HTTP/1.1\r\nHost: echo\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n').catch(() => undefined);
    await settled();
  });

  for (const [what, length, sent] of [['a small (buffered) body', 10_000, 4_000], ['a large (streamed) body', 8 * 1024 * 1024, 256 * 1024]] as const) {
    it(`survives a client that resets in the middle of ${what}, and never delivers the partial body as complete`, async () => {
      const url = `/reset-${length}`;
      const socket = await rawConnect(port);
      socket.on('error', () => {});
      socket.write(`POST ${url} HTTP/1.1\r\nHost: echo\r\nContent-Length: ${length}\r\n\r\n`);
      await new Promise<void>((res) => socket.write(Buffer.alloc(sent, 0x61), () => res()));
      await eventually('the router to take the request', () => r.listeners[0]!.pending === 1);
      socket.resetAndDestroy();
      await settled();
      // A streamed body was already on its way upstream: that request must be cut, not ended.
      if (length > 64 * 1024) await eventually('the upstream request to be aborted', () => aborted.includes(url));
      assert.deepEqual(echoed.filter((e) => e.url === url), []);
    });
  }

  it('lets a client give up on an endpoint that never answers, and forgets the request', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/hang', agent: false, headers: { host: 'silent' } }, () => resolve('answered'));
      req.setTimeout(200, () => { req.destroy(); resolve('gave up'); });
      req.on('error', () => resolve('gave up'));
      req.end();
    });
    assert.equal(outcome, 'gave up');
    await settled();
    await eventually('the endpoint to count no request in flight', () => r.router.endpoints.all().every((e) => e.pending === 0));
  });

  it('keeps serving good requests afterwards', async () => {
    const reply = await send(port, { headers: { host: 'good' } });
    assert.equal(reply.status, 200);
    assert.equal(reply.body, 'good');
    await settled();
  });

  it('never failed one of the steady good requests meanwhile', async () => {
    steady.stop = true;
    await steady.done;
    assert.deepEqual(steady.failed, []);
    assert.ok(steady.ok > 0, 'the steady client made requests');
  });
});
