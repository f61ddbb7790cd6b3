/** The wire server over real sockets, driven byte by byte by a raw client. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { WireRequest } from '../../src/protocol/http1/wire/request.js';
import type { WireResponse } from '../../src/protocol/http1/wire/response.js';
import { delivered, RawClient, readAll, startServer, tick, type Started } from './support.js';

/** Echoes what the server understood of a request: method, target, version, body, trailers. */
async function echo(req: WireRequest, res: WireResponse): Promise<void> {
  const body = await readAll(req);
  res.writeHead(200, ['content-type', 'application/json']);
  res.end(JSON.stringify({ method: req.method, url: req.url, version: req.httpVersion, raw: req.rawHeaders, body: body.toString('latin1'), trailers: req.rawTrailers }));
}

describe('wire server: framing', () => {
  let s: Started;
  before(async () => { s = await startServer((req, res) => void echo(req, res)); });
  after(() => s.close());

  it('parses a request split at every byte boundary (head, chunked body with extensions and trailers)', async () => {
    const c = await RawClient.open(s.port);
    const wire = Buffer.from('POST /split?q=1 HTTP/1.1\r\nHost: web\r\nTransfer-Encoding: chunked\r\nX-Long: ' + 'v'.repeat(40) + '\r\n\r\n'
      + '5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n', 'latin1');
    const server = s.sockets[s.sockets.length - 1]!;
    for (let k = 1; k < wire.length; k++) {
      await delivered(c, server, wire.subarray(0, k));
      c.write(wire.subarray(k));
      const r = await c.response();
      assert.equal(r.status, 200, `split at ${k}`);
      const got = JSON.parse(r.body.toString());
      assert.equal(got.body, 'hello world', `split at ${k}`);
      assert.deepEqual(got.trailers, ['X-Trailer', 't'], `split at ${k}`);
      assert.equal(got.url, '/split?q=1');
    }
    c.close();
  });

  it('parses a Content-Length request split at every byte boundary', async () => {
    const c = await RawClient.open(s.port);
    const wire = Buffer.from('PUT /cl HTTP/1.1\r\nHost: web\r\nContent-Length: 10\r\n\r\n0123456789', 'latin1');
    const server = s.sockets[s.sockets.length - 1]!;
    for (let k = 1; k < wire.length; k++) {
      await delivered(c, server, wire.subarray(0, k));
      c.write(wire.subarray(k));
      const got = JSON.parse((await c.response()).body.toString());
      assert.equal(got.body, '0123456789', `split at ${k}`);
    }
    c.close();
  });

  it('answers pipelined requests in order, one response each, bodies included', async () => {
    const c = await RawClient.open(s.port);
    c.write('GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc'
      + 'POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\nGET /4 HTTP/1.1\r\nHost: a\r\n\r\n');
    const rs = await c.responses(4);
    assert.deepEqual(rs.map((r) => JSON.parse(r.body.toString()).url), ['/1', '/2', '/3', '/4']);
    assert.deepEqual(rs.map((r) => JSON.parse(r.body.toString()).body), ['', 'abc', 'de', '']);
    c.close();
  });

  it('ignores empty lines before a request line', async () => {
    const c = await RawClient.open(s.port);
    c.write('\r\n\r\nGET /after-crlf HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.equal(JSON.parse((await c.response()).body.toString()).url, '/after-crlf');
    c.close();
  });

  it('writes the standard reason phrase, or the one the handler gives, for any status code', async () => {
    // Standard lines are built once per status: a custom reason must not stick to its status.
    const cases: [status: number, reason: string | undefined, line: string][] = [
      [200, undefined, '200 OK'], [200, 'Fine', '200 Fine'], [200, 'OK', '200 OK'], [200, undefined, '200 OK'],
      [503, undefined, '503 Service Unavailable'], [299, undefined, '299 Unknown'], [299, 'Odd', '299 Odd'],
    ];
    let next = 0;
    const t = await startServer((req, res) => {
      req.resume();
      const [status, reason] = cases[next++]!;
      if (reason === undefined) res.writeHead(status, []);
      else res.writeHead(status, reason, []);
      res.end();
    });
    const c = await RawClient.open(t.port);
    try {
      for (const [status, reason, line] of cases) {
        c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
        const r = await c.response();
        assert.equal(`${r.status} ${r.reason}`, line, `writeHead(${status}, ${reason})`);
      }
    } finally {
      c.close();
      await t.close();
    }
  });

  it('gives header values as latin1 text and a node-style header map', async () => {
    let seen: WireRequest | undefined;
    const t = await startServer((req, res) => { seen = req; req.resume(); res.end(); });
    const c = await RawClient.open(t.port);
    c.write(Buffer.concat([Buffer.from('GET / HTTP/1.1\r\nHost: a\r\nX-Bytes: '), Buffer.from([0xe9, 0xff]), Buffer.from('\r\nx-bytes: 2\r\n\r\n')]));
    await c.response();
    assert.deepEqual(seen!.rawHeaders, ['Host', 'a', 'X-Bytes', '\u00e9\u00ff', 'x-bytes', '2']);
    assert.deepEqual(seen!.headers, { host: 'a', 'x-bytes': '\u00e9\u00ff, 2' });
    c.close();
    await t.close();
  });
});

describe('wire server: refusals', () => {
  let s: Started;
  // Answers once the body is in, so a body that turns out malformed is refused before any answer.
  before(async () => { s = await startServer((req, res) => void readAll(req).then(() => res.end('ok'), () => {}), { maxHeaderBytes: 1024 }); });
  after(() => s.close());

  const cases: [string, string, number, string][] = [
    ['garbage request line', 'HELLO\r\n\r\n', 400, 'HPE_INVALID_METHOD'],
    ['space before the colon', 'GET / HTTP/1.1\r\nHost : a\r\n\r\n', 400, 'HPE_INVALID_HEADER_TOKEN'],
    ['obs-fold', 'GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n', 400, 'HPE_INVALID_HEADER_TOKEN'],
    ['bare LF in a value', 'GET / HTTP/1.1\r\nX: a\nInjected: b\r\n\r\n', 400, 'HPE_INVALID_HEADER_TOKEN'],
    ['Content-Length and Transfer-Encoding', 'POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, 'HPE_UNEXPECTED_CONTENT_LENGTH'],
    ['conflicting Content-Lengths', 'POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd', 400, 'HPE_UNEXPECTED_CONTENT_LENGTH'],
    ['invalid Content-Length', 'POST / HTTP/1.1\r\nContent-Length: 3x\r\n\r\nabc', 400, 'HPE_INVALID_CONTENT_LENGTH'],
    ['chunked not last', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n', 400, 'HPE_INVALID_TRANSFER_ENCODING'],
    ['an unknown transfer coding', 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', 501, 'HPE_INVALID_TRANSFER_ENCODING'],
    ['bad chunk size', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400, 'HPE_INVALID_CHUNK_SIZE'],
    ['chunk data without CRLF', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n', 400, 'HPE_STRICT'],
    ['HTTP/2.0 in an HTTP/1 head', 'GET / HTTP/2.0\r\n\r\n', 505, 'HPE_INVALID_VERSION'],
    ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 501, 'HPE_CONNECT'],
    ['a protocol upgrade', 'GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n', 501, 'HPE_UPGRADE'],
    ['an unknown expectation', 'POST / HTTP/1.1\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx', 417, 'HPE_EXPECTATION'],
    ['a head larger than maxHeaderBytes', `GET / HTTP/1.1\r\nX: ${'a'.repeat(2000)}\r\n\r\n`, 431, 'HPE_HEADER_OVERFLOW'],
    ['an endless head', `GET / HTTP/1.1\r\nX: ${'a'.repeat(2000)}`, 431, 'HPE_HEADER_OVERFLOW'],
  ];
  for (const [what, wire, status, code] of cases) {
    it(`answers ${what} with ${status} and closes`, async () => {
      const c = await RawClient.open(s.port);
      c.write(wire);
      const r = await c.response();
      assert.equal(r.status, status);
      assert.equal(r.header('x-code'), code);
      await c.closed;
    });
  }

  it('answers the requests before a malformed one first, then refuses it', async () => {
    const c = await RawClient.open(s.port);
    c.write('GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET /bad HTTP/1.1\r\nBad Name: x\r\n\r\n');
    const [ok, bad] = await c.responses(2);
    assert.equal(ok!.status, 200);
    assert.equal(bad!.status, 400);
    await c.closed;
  });

  it('aborts a request whose chunked body turns out malformed, and answers 400 if nothing was sent yet', async () => {
    const errors: string[] = [];
    const t = await startServer((req) => { req.on('error', (e: Error) => errors.push(e.message)); req.resume(); /* no answer yet */ });
    const c = await RawClient.open(t.port);
    c.write('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
    await tick();
    c.write('q\r\n');
    const r = await c.response();
    assert.equal(r.status, 400);
    assert.equal(r.header('x-code'), 'HPE_INVALID_CHUNK_SIZE');
    assert.match(errors[0] ?? '', /invalid request body/);
    await c.closed;
    await t.close();
  });
});

describe('wire server: connection management', () => {
  it('HTTP/1.0: closes after the response unless asked to keep alive; a body of unknown length is close-delimited', async () => {
    const s = await startServer((req, res) => {
      req.resume();
      res.writeHead(200, []);
      res.write('part one, ');
      setImmediate(() => res.end('part two'));
    });
    const c = await RawClient.open(s.port);
    c.write('GET / HTTP/1.0\r\n\r\n');
    await c.closed;
    const [r] = (await import('./support.js')).parseResponses(c.received, true).list;
    assert.equal(r!.header('connection'), 'close');
    assert.equal(r!.header('transfer-encoding'), undefined);
    assert.equal(r!.body.toString(), 'part one, part two');

    const k = await RawClient.open(s.port);
    k.write('GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const first = await k.response();
    assert.equal(first.header('connection'), 'close', 'a body of unknown length still needs the close');
    await k.closed;
    await s.close();
  });

  it('HTTP/1.0 with keep-alive and a known length stays open and says so', async () => {
    const s = await startServer((req, res) => { req.resume(); res.end('x'); });
    const c = await RawClient.open(s.port);
    c.write('GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const r1 = await c.response();
    assert.equal(r1.header('connection'), 'keep-alive');
    assert.equal(r1.header('content-length'), '1');
    c.write('GET /2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    assert.equal((await c.response()).status, 200);
    c.close();
    await s.close();
  });

  it('HTTP/1.1 Connection: close: answers with Connection: close and closes; later pipelined requests are not read', async () => {
    let n = 0;
    const s = await startServer((req, res) => { n++; req.resume(); res.end('x'); });
    const c = await RawClient.open(s.port);
    c.write('GET /1 HTTP/1.1\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\n\r\n');
    const r = await c.response();
    assert.equal(r.header('connection'), 'close');
    await c.closed;
    assert.equal(n, 1);
    await s.close();
  });

  it('sends 100 Continue before the body of an Expect: 100-continue request', async () => {
    const s = await startServer((req, res) => void echo(req, res));
    const c = await RawClient.open(s.port);
    c.write('POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
    const interim = await c.response();
    assert.equal(interim.status, 100);
    c.write('hello');
    const final = await c.response();
    assert.equal(JSON.parse(final.body.toString()).body, 'hello');
    c.close();
    await s.close();
  });

  it('sends no body for HEAD, 204 and 304, keeping a HEAD response\'s Content-Length', async () => {
    const s = await startServer((req, res) => {
      req.resume();
      const status = req.url === '/204' ? 204 : req.url === '/304' ? 304 : 200;
      res.writeHead(status, req.method === 'HEAD' ? ['content-length', '11'] : []);
      res.end('not allowed');
    });
    const c = await RawClient.open(s.port);
    c.write('HEAD / HTTP/1.1\r\n\r\nGET /204 HTTP/1.1\r\n\r\nGET /304 HTTP/1.1\r\n\r\nGET /200 HTTP/1.1\r\n\r\n');
    const [head, r204, r304, r200] = await c.responses(4, (i) => i === 0);
    assert.equal(head!.header('content-length'), '11');
    assert.equal(head!.body.length, 0);
    assert.equal(r204!.status, 204);
    assert.equal(r204!.header('content-length'), undefined);
    assert.equal(r304!.status, 304);
    assert.equal(r200!.body.toString(), 'not allowed', 'the stream stayed in sync');
    c.close();
    await s.close();
  });

  it('frames a response by what the handler gives: its Content-Length, a length for a body ended at once, else chunked', async () => {
    const s = await startServer((req, res) => {
      req.resume();
      if (req.url === '/declared') { res.writeHead(200, { 'Content-Length': 3 }); res.end('abc'); }
      else if (req.url === '/at-once') { res.writeHead(200, ['x-a', '1']); res.write('ab'); res.end('cd'); }
      else if (req.url === '/te') { res.writeHead(200, ['Transfer-Encoding', 'chunked']); res.end('abcd'); }
      else { res.writeHead(200, []); res.write('ab'); setImmediate(() => { res.write('cd'); res.end(); }); }
    });
    const c = await RawClient.open(s.port);
    c.write('GET /declared HTTP/1.1\r\n\r\nGET /at-once HTTP/1.1\r\n\r\nGET /later HTTP/1.1\r\n\r\nGET /te HTTP/1.1\r\n\r\n');
    const [declared, atOnce, later, te] = await c.responses(4);
    assert.equal(te!.chunked, true, 'a handler\'s own Transfer-Encoding: chunked is encoded');
    assert.equal(te!.body.toString(), 'abcd');
    assert.equal(te!.headers.filter(([k]) => k === 'transfer-encoding').length, 1);
    assert.equal(declared!.header('content-length'), '3');
    assert.equal(atOnce!.header('content-length'), '4');
    assert.equal(atOnce!.body.toString(), 'abcd');
    assert.equal(later!.chunked, true);
    assert.equal(later!.body.toString(), 'abcd');
    c.close();
    await s.close();
  });

  it('closes a connection whose response body did not match its declared length', async () => {
    const s = await startServer((req, res) => { req.resume(); res.writeHead(200, ['content-length', '10']); res.end('short'); });
    const c = await RawClient.open(s.port);
    c.write('GET / HTTP/1.1\r\n\r\n');
    await c.closed;
    await s.close();
  });

  it('discards an unread request body after the response and serves the next request', async () => {
    const s = await startServer((req, res) => { res.end(req.url); });
    const c = await RawClient.open(s.port);
    c.write(`POST /ignored HTTP/1.1\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(100000)}GET /next HTTP/1.1\r\n\r\n`);
    const [a, b] = await c.responses(2);
    assert.equal(a!.body.toString(), '/ignored');
    assert.equal(b!.body.toString(), '/next');
    c.close();
    await s.close();
  });

  it('writes pipelined responses in request order even when handlers finish out of order', async () => {
    const s = await startServer((req, res) => {
      req.resume();
      if (req.url === '/slow') setTimeout(() => res.end('slow'), 30);
      else res.end('fast');
    });
    const c = await RawClient.open(s.port);
    c.write('GET /slow HTTP/1.1\r\n\r\nGET /fast HTTP/1.1\r\n\r\n');
    const rs = await c.responses(2);
    assert.deepEqual(rs.map((r) => r.body.toString()), ['slow', 'fast']);
    c.close();
    await s.close();
  });

  it('answers many pipelined requests sent at once, reading on as earlier ones finish', async () => {
    const s = await startServer((req, res) => { req.resume(); setImmediate(() => res.end(req.url)); }, { maxPipelined: 4 });
    const c = await RawClient.open(s.port);
    const n = 40;
    c.write(Array.from({ length: n }, (_, i) => `GET /${i} HTTP/1.1\r\n\r\n`).join(''));
    const rs = await c.responses(n);
    assert.deepEqual(rs.map((r) => r.body.toString()), Array.from({ length: n }, (_, i) => `/${i}`));
    c.close();
    await s.close();
  });

  it('treats a client that stops sending before its answer as gone, as node does', async () => {
    let closed!: () => void;
    const resClosed = new Promise<void>((r) => { closed = r; });
    const s = await startServer((req, res) => { req.resume(); res.on('close', closed); /* never answers */ });
    const c = await RawClient.open(s.port);
    c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    while (s.server.inFlight === 0) await tick();
    c.socket.end();
    await resClosed;
    await c.closed;
    assert.equal(s.server.inFlight, 0);
    await s.close();
  });

  it('closes a kept-alive connection whose client stops sending after its answers', async () => {
    const s = await startServer((req, res) => { req.resume(); res.end('x'); });
    const c = await RawClient.open(s.port);
    c.write('GET / HTTP/1.1\r\n\r\n');
    await c.response();
    c.socket.end();
    await c.closed;
    await s.close();
  });

  it('stops at a response the handler destroys: the connection closes, later requests are not handled', async () => {
    const urls: string[] = [];
    const s = await startServer((req, res) => {
      urls.push(req.url);
      req.resume();
      if (req.url === '/bad') res.destroy();
      else res.end('ok');
    });
    const c = await RawClient.open(s.port);
    c.write('GET /ok HTTP/1.1\r\n\r\nGET /bad HTTP/1.1\r\n\r\nGET /never HTTP/1.1\r\n\r\n');
    await c.closed;
    assert.deepEqual(urls, ['/ok', '/bad']);
    assert.equal(s.server.inFlight, 0);
    await s.close();
  });

  it('closes an idle kept-alive connection after keepAliveTimeoutMs', async () => {
    const s = await startServer((req, res) => { req.resume(); res.end(); }, { keepAliveTimeoutMs: 50 });
    const c = await RawClient.open(s.port);
    c.write('GET / HTTP/1.1\r\n\r\n');
    await c.response();
    await c.closed;
    await s.close();
  });

  it('answers 408 when a started head stays incomplete', async () => {
    const s = await startServer(() => {}, { headersTimeoutMs: 50 });
    const c = await RawClient.open(s.port);
    c.write('GET / HTTP/1.1\r\nHost:');
    const r = await c.response();
    assert.equal(r.status, 408);
    await c.closed;
    await s.close();
  });
});

describe('wire server: flow control and lifecycle', () => {
  it('hands out body chunks that later reads (into the same shared buffer) leave intact', async () => {
    const chunks: Buffer[] = [];
    const s = await startServer((req, res) => {
      // Kept until the end, as a handler that buffers a body does.
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.end(Buffer.concat(chunks)));
    });
    const c = await RawClient.open(s.port);
    const server = s.sockets[s.sockets.length - 1]!;
    const head = 'PUT /b HTTP/1.1\r\nHost: web\r\nContent-Length: 3000\r\n\r\n';
    await delivered(c, server, Buffer.from(head + 'a'.repeat(1000), 'latin1'));
    await delivered(c, server, Buffer.from('b'.repeat(2000), 'latin1'));
    const r = await c.response();
    assert.equal(chunks.length, 2);
    assert.equal(r.body.toString('latin1'), 'a'.repeat(1000) + 'b'.repeat(2000));
    c.close();
    await s.close();
  });

  it('pauses the request body while the handler pauses it, and delivers all of it on resume', async () => {
    const total = 4 * 1024 * 1024;
    const s = await startServer((req, res) => {
      let n = 0;
      let pauses = 0;
      req.on('data', (c: Buffer) => {
        n += c.length;
        if (pauses < 5) { pauses++; req.pause(); setTimeout(() => req.resume(), 5); }
      });
      req.on('end', () => res.end(`${n} ${pauses}`));
    });
    const c = await RawClient.open(s.port);
    c.write(`POST / HTTP/1.1\r\nContent-Length: ${total}\r\n\r\n`);
    c.write(Buffer.alloc(total, 1));
    assert.equal((await c.response()).body.toString(), `${total} 5`);
    c.close();
    await s.close();
  });

  it('reports a full socket from write() and emits drain; a slow reader gets every byte', async () => {
    const total = 16 * 1024 * 1024;
    let falses = 0, drains = 0;
    const s = await startServer((req, res) => {
      req.resume();
      res.writeHead(200, ['content-length', String(total)]);
      const chunk = Buffer.alloc(64 * 1024, 7);
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!res.write(chunk)) { falses++; res.once('drain', () => { drains++; pump(); }); return; }
        }
        res.end();
      };
      pump();
    });
    const c = await RawClient.open(s.port);
    c.socket.pause();
    c.write('GET / HTTP/1.1\r\n\r\n');
    await new Promise((r) => setTimeout(r, 30));
    c.socket.resume();
    const r = await c.response();
    assert.equal(r.body.length, total);
    assert.ok(falses > 0 && drains === falses, `write() returned false ${falses} times, drain ${drains}`);
    c.close();
    await s.close();
  });

  it('tells the handler when the client goes away: response close, request aborted', async () => {
    let closeSeen!: () => void;
    const closed = new Promise<void>((r) => { closeSeen = r; });
    const events: string[] = [];
    const s = await startServer((req, res) => {
      req.on('aborted', () => events.push('aborted'));
      req.on('error', (e: NodeJS.ErrnoException) => events.push(`error ${e.code}`));
      req.on('data', () => {});
      res.on('close', () => { events.push(`close destroyed=${res.destroyed}`); closeSeen(); });
    });
    const c = await RawClient.open(s.port);
    c.write('POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly some');
    await tick();
    c.close();
    await closed;
    assert.deepEqual(events, ['aborted', 'error ECONNRESET', 'close destroyed=true']);
    assert.equal(s.server.inFlight, 0);
    await s.close();
  });

  it('emits finish then close after a response, and keeps the in-flight count', async () => {
    const order: string[] = [];
    const s = await startServer((req, res) => {
      req.resume();
      res.on('finish', () => order.push('finish'));
      res.on('close', () => order.push('close'));
      assert.equal(s.server.inFlight, 1);
      res.end('x');
      order.push('ended');
      assert.equal(s.server.inFlight, 0);
    });
    const c = await RawClient.open(s.port);
    c.write('GET / HTTP/1.1\r\n\r\n');
    await c.response();
    await tick();
    assert.deepEqual(order, ['ended', 'finish', 'close']);
    c.close();
    await s.close();
  });

  it('close(): stops accepting, finishes in-flight requests with Connection: close, closes idle connections', async () => {
    let release!: () => void;
    const s = await startServer((req, res) => {
      req.resume();
      if (req.url === '/slow') release = () => res.end('late');
      else res.end('now');
    });
    const idle = await RawClient.open(s.port);
    idle.write('GET /fast HTTP/1.1\r\n\r\n');
    await idle.response();
    const busy = await RawClient.open(s.port);
    busy.write('GET /slow HTTP/1.1\r\n\r\n');
    while (s.server.inFlight === 0) await tick();
    const drained = new Promise<void>((r) => s.server.once('drained', r));
    let isClosed = false;
    const closed = new Promise<void>((r) => s.server.close(() => { isClosed = true; r(); }));
    await idle.closed;
    for (let i = 0; i < 20; i++) await tick();
    assert.equal(isClosed, false, 'close() waits for the busy connection');
    release();
    const r = await busy.response();
    assert.equal(r.body.toString(), 'late');
    assert.equal(r.header('connection'), 'close');
    await drained;
    await busy.closed;
    await closed;
  });
});
