/** The wire client pool against real upstreams: node's http server, and raw sockets that misbehave on purpose. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { Readable } from 'node:stream';
import { WirePool, type DispatchHandler, type DispatchOptions } from '../../src/protocol/http1/wire/client.js';
import { tick } from './support.js';

interface Outcome {
  status: number;
  headers: string[];
  body: Buffer;
  trailers: string[];
  error?: NodeJS.ErrnoException;
  statusText: string;
}

/** A handler that records everything, optionally pausing after each chunk for `pauseMs`. */
function collect(opts: { pauseMs?: number; onHeadersResult?: boolean } = {}): { handler: DispatchHandler; done: Promise<Outcome>; abort: () => void; pauses: number } {
  const out: Outcome = { status: 0, headers: [], body: Buffer.alloc(0), trailers: [], statusText: '' };
  const parts: Buffer[] = [];
  let resolve!: (o: Outcome) => void;
  const done = new Promise<Outcome>((r) => { resolve = r; });
  let abortFn: (err?: Error) => void = () => {};
  let resumeFn: () => void = () => {};
  const state = { pauses: 0 };
  const handler: DispatchHandler = {
    onConnect(abort) { abortFn = abort; },
    onHeaders(status, raw, resume, text) {
      out.status = status;
      out.headers = (raw as string[]).map(String);
      out.statusText = text;
      resumeFn = resume;
      return opts.onHeadersResult ?? true;
    },
    onData(chunk) {
      parts.push(chunk);
      if (opts.pauseMs === undefined) return true;
      state.pauses++;
      setTimeout(resumeFn, opts.pauseMs);
      return false;
    },
    onComplete(trailers) { out.body = Buffer.concat(parts); out.trailers = trailers; resolve(out); },
    onError(err) { out.error = err; out.body = Buffer.concat(parts); resolve(out); },
  };
  return { handler, done, abort: () => abortFn(), get pauses() { return state.pauses; } };
}

function request(pool: WirePool, opts: Partial<DispatchOptions> = {}, handlerOpts: Parameters<typeof collect>[0] = {}): Promise<Outcome> {
  const c = collect(handlerOpts);
  pool.dispatch({ path: '/', method: 'GET', headers: [], body: null, ...opts }, c.handler);
  return c.done;
}

async function listen(server: Server | NetServer): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** A node http upstream that echoes the request and records which socket carried it. */
async function echoUpstream(): Promise<{ port: number; server: Server; ports: number[]; close(): Promise<void> }> {
  const ports: number[] = [];
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    ports.push(req.socket.remotePort!);
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      if (req.url === '/chunked') {
        res.writeHead(200, { 'x-kind': 'chunked', Trailer: 'x-sum' });
        res.write('one,');
        res.write('two');
        res.addTrailers({ 'x-sum': 'ok' });
        res.end();
        return;
      }
      if (req.url === '/close') res.setHeader('connection', 'close');
      if (req.url?.startsWith('/status/')) { res.writeHead(Number(req.url.slice(8)), { 'content-length': '4' }); res.end(req.method === 'HEAD' ? undefined : 'body'); return; }
      res.writeHead(200, { 'x-method': req.method!, 'x-length': String(body.length), 'x-te': String(req.headers['transfer-encoding'] ?? ''), 'x-host': String(req.headers.host) });
      res.end(req.url === '/echo' ? body : `${req.method} ${req.url} ${body.length}`);
    });
  });
  const port = await listen(server);
  return { port, server, ports, close: () => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }) };
}

/** A raw upstream: `onRequest` gets each socket and the bytes it has received so far (accumulated). */
async function rawUpstream(onData: (socket: Socket, received: string) => void): Promise<{ port: number; close(): Promise<void>; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createNetServer((s) => {
    sockets.push(s);
    let got = '';
    s.on('error', () => {});
    s.on('data', (c: Buffer) => { got += c.toString('latin1'); onData(s, got); });
  });
  const port = await listen(server);
  return { port, sockets, close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) };
}

const opts = { keepAliveTimeout: 10_000, connectTimeout: 2_000 };

describe('wire client: requests and connection reuse', () => {
  let up: Awaited<ReturnType<typeof echoUpstream>>;
  before(async () => { up = await echoUpstream(); });
  after(() => up.close());

  it('sends a request and reports status, header pairs as latin1 strings, body and completion', async () => {
    const pool = new WirePool('127.0.0.1', up.port, opts);
    const r = await request(pool, { path: '/x?y=1', headers: ['x-custom', 'v'] });
    assert.equal(r.status, 200);
    assert.equal(r.statusText, 'OK');
    const h = new Map<string, string>();
    for (let i = 0; i < r.headers.length; i += 2) h.set(r.headers[i]!.toLowerCase(), r.headers[i + 1]!);
    assert.equal(h.get('x-method'), 'GET');
    assert.equal(h.get('x-host'), `127.0.0.1:${up.port}`, 'a Host header is added when none is given');
    assert.equal(r.body.toString(), 'GET /x?y=1 0');
    await pool.close();
  });

  it('reuses a kept-alive connection, most recently used first, and opens more only when all are busy', async () => {
    const pool = new WirePool('127.0.0.1', up.port, opts);
    up.ports.length = 0;
    await Promise.all([request(pool), request(pool), request(pool)]);
    assert.equal(pool.size, 3);
    const first = new Set(up.ports);
    assert.equal(first.size, 3);
    up.ports.length = 0;
    for (let i = 0; i < 5; i++) await request(pool);
    assert.equal(new Set(up.ports).size, 1, 'sequential requests ride one connection (LIFO)');
    assert.ok(first.has(up.ports[0]!));
    assert.equal(pool.size, 3);
    assert.deepEqual(pool.stats, { connected: 3, free: 3, pending: 0, queued: 0, running: 0, size: 0 });
    await pool.close();
  });

  it('queues beyond its connection limit', async () => {
    const pool = new WirePool('127.0.0.1', up.port, { ...opts, connections: 2 });
    up.ports.length = 0;
    const rs = await Promise.all(Array.from({ length: 10 }, () => request(pool)));
    assert.ok(rs.every((r) => r.status === 200));
    assert.equal(new Set(up.ports).size, 2);
    assert.equal(pool.size, 2);
    await pool.close();
  });

  it('does not reuse a connection the upstream said to close', async () => {
    const pool = new WirePool('127.0.0.1', up.port, opts);
    up.ports.length = 0;
    await request(pool, { path: '/close' });
    await request(pool, { path: '/close' });
    assert.equal(new Set(up.ports).size, 2);
    await pool.close();
  });

  it('decodes a chunked response and passes its trailers', async () => {
    const pool = new WirePool('127.0.0.1', up.port, opts);
    const r = await request(pool, { path: '/chunked' });
    assert.equal(r.body.toString(), 'one,two');
    assert.deepEqual(r.trailers, ['x-sum', 'ok']);
    await pool.close();
  });

  it('expects no body for HEAD, 204 and 304, and keeps the stream in sync', async () => {
    const pool = new WirePool('127.0.0.1', up.port, { ...opts, connections: 1 });
    for (const [method, path] of [['GET', '/status/204'], ['GET', '/status/304'], ['HEAD', '/status/200'], ['GET', '/status/200']] as const) {
      const r = await request(pool, { method, path });
      assert.equal(r.error, undefined, `${method} ${path}`);
      assert.equal(r.body.toString(), method === 'GET' && path === '/status/200' ? 'body' : '', `${method} ${path}`);
    }
    await pool.close();
  });

  it('sends a Buffer body with its length, whatever content-length the caller passed', async () => {
    const pool = new WirePool('127.0.0.1', up.port, opts);
    const body = Buffer.alloc(300_000, 3);
    const r = await request(pool, { method: 'POST', path: '/echo', headers: ['content-length', '5'], body });
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(body));
    const empty = await request(pool, { method: 'POST', path: '/p', body: null });
    assert.equal(empty.body.toString(), 'POST /p 0');
    await pool.close();
  });

  it('streams a node Readable body chunked, or with its content-length when given', async () => {
    const pool = new WirePool('127.0.0.1', up.port, opts);
    const parts = Array.from({ length: 200 }, (_, i) => Buffer.alloc(10_000, i));
    const total = parts.reduce((n, p) => n + p.length, 0);
    const chunked = await request(pool, { method: 'PUT', path: '/echo', body: Readable.from(parts) });
    assert.ok(chunked.body.equals(Buffer.concat(parts)));
    const h = chunked.headers;
    assert.equal(h[h.findIndex((x) => x.toLowerCase() === 'x-te') + 1], 'chunked');
    const sized = await request(pool, { method: 'PUT', path: '/echo', headers: ['content-length', String(total)], body: Readable.from(parts) });
    assert.equal(sized.body.length, total);
    assert.equal(sized.headers[sized.headers.findIndex((x) => x.toLowerCase() === 'x-te') + 1], '');
    await pool.close();
  });

  it('holds reading while the handler pauses, and gets every byte of a large response', async () => {
    const big = await (async () => {
      const payload = Buffer.alloc(8 * 1024 * 1024, 9);
      const server = createHttpServer((req, res) => { req.resume(); res.end(payload); });
      return { server, port: await listen(server), payload };
    })();
    const pool = new WirePool('127.0.0.1', big.port, opts);
    const c = collect({ pauseMs: 1 });
    pool.dispatch({ path: '/', method: 'GET', headers: [], body: null }, c.handler);
    const r = await c.done;
    assert.equal(r.error, undefined);
    assert.ok(r.body.equals(big.payload));
    assert.ok(c.pauses > 0);
    await pool.close();
    await new Promise<void>((res) => big.server.close(() => res()));
  });

  it('close() lets requests in flight finish, then refuses new ones', async () => {
    const pool = new WirePool('127.0.0.1', up.port, opts);
    const inFlight = request(pool, { path: '/slow' });
    const closed = pool.close();
    const late = await request(pool);
    assert.equal(late.error?.code, 'UND_ERR_CLOSED');
    assert.equal((await inFlight).status, 200);
    await closed;
    assert.equal(pool.size, 0);
  });
});

describe('wire client: failures', () => {
  it('reports ECONNREFUSED when nothing listens', async () => {
    const server = createNetServer();
    const port = await listen(server);
    await new Promise<void>((r) => server.close(() => r()));
    const pool = new WirePool('127.0.0.1', port, opts);
    const r = await request(pool);
    assert.equal(r.error?.code, 'ECONNREFUSED');
    assert.equal(pool.size, 0);
    await pool.close();
  });

  it('reports UND_ERR_CONNECT_TIMEOUT when the connection is not established in time', async () => {
    // A listener whose thread never accepts: once its accept queue is full, the kernel drops SYNs.
    const gate = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(`
      const { createServer } = require('node:net');
      const { parentPort, workerData } = require('node:worker_threads');
      const s = createServer();
      s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
        parentPort.postMessage(s.address().port);
        Atomics.wait(workerData, 0, 0);
        process.exit(0);
      });`, { eval: true, workerData: gate });
    const port = await new Promise<number>((r) => worker.once('message', r));
    const fillers: Socket[] = [];
    try {
      // Fill the accept queue: stop once a connect no longer completes.
      for (;;) {
        const s = connect(port, '127.0.0.1');
        s.on('error', () => {});
        fillers.push(s);
        const connected = await new Promise<boolean>((r) => { s.once('connect', () => r(true)); setTimeout(() => r(false), 200); });
        if (!connected) break;
      }
      const pool = new WirePool('127.0.0.1', port, { ...opts, connectTimeout: 50 });
      const r = await request(pool);
      assert.equal(r.error?.code, 'UND_ERR_CONNECT_TIMEOUT');
      assert.match(r.error!.message, /timed out after 50 ms/);
      await pool.close();
    } finally {
      for (const s of fillers) s.destroy();
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
      await worker.terminate();
    }
  });

  it('reports a reset in the middle of a response', async () => {
    const up = await rawUpstream((s) => {
      s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial');
      setImmediate(() => s.resetAndDestroy());
    });
    const pool = new WirePool('127.0.0.1', up.port, opts);
    const r = await request(pool);
    assert.equal(r.status, 200);
    assert.ok(r.error?.code === 'ECONNRESET' || r.error?.code === 'UND_ERR_SOCKET', String(r.error?.code));
    assert.equal(r.body.toString(), 'partial');
    await pool.close();
    await up.close();
  });

  it('reports an upstream that closes before answering', async () => {
    const up = await rawUpstream((s) => s.end());
    const pool = new WirePool('127.0.0.1', up.port, opts);
    const r = await request(pool, { method: 'POST', body: Buffer.from('x') });
    assert.equal(r.error?.code, 'UND_ERR_SOCKET');
    await pool.close();
    await up.close();
  });

  it('ends a close-delimited body at EOF and does not reuse the connection', async () => {
    const up = await rawUpstream((s) => { s.end('HTTP/1.1 200 OK\r\n\r\nuntil the end'); });
    const pool = new WirePool('127.0.0.1', up.port, opts);
    const r = await request(pool);
    assert.equal(r.error, undefined);
    assert.equal(r.body.toString(), 'until the end');
    await request(pool);
    assert.equal(up.sockets.length, 2);
    await pool.close();
    await up.close();
  });

  it('skips interim 1xx responses', async () => {
    const up = await rawUpstream((s) => {
      s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok');
    });
    const pool = new WirePool('127.0.0.1', up.port, opts);
    const r = await request(pool);
    assert.equal(r.status, 201);
    assert.equal(r.body.toString(), 'ok');
    await pool.close();
    await up.close();
  });

  it('rejects a malformed response with an HPE code', async () => {
    const up = await rawUpstream((s) => s.write('HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n'));
    const pool = new WirePool('127.0.0.1', up.port, opts);
    const r = await request(pool);
    assert.equal(r.error?.code, 'HPE_INVALID_HEADER_TOKEN');
    await pool.close();
    await up.close();
  });

  it('sends an idempotent request again when its reused connection turns out closed, once', async () => {
    // The upstream answers the first request on a connection, then closes the connection
    // when the next one arrives, without answering: an idle-timeout race.
    const up = await rawUpstream((s, got) => {
      const n = got.split('\r\n\r\n').length - 1;
      if (n === 1) s.write('HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\na');
      else s.destroy();
    });
    const pool = new WirePool('127.0.0.1', up.port, opts);
    assert.equal((await request(pool)).status, 200);
    const again = await request(pool);
    assert.equal(again.error, undefined);
    assert.equal(again.status, 200);
    assert.equal(up.sockets.length, 2);
    const post = await request(pool, { method: 'POST', body: Buffer.from('x') });
    assert.ok(post.error, 'a POST is not sent twice');
    await pool.close();
    await up.close();
  });

  it('aborts a request waiting for a connection, and one in the middle of its response', async () => {
    const up = await rawUpstream((s) => s.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc'));
    const pool = new WirePool('127.0.0.1', up.port, { ...opts, connections: 1 });
    const first = collect();
    pool.dispatch({ path: '/', method: 'GET', headers: [], body: null }, first.handler);
    const queued = collect();
    pool.dispatch({ path: '/', method: 'GET', headers: [], body: null }, queued.handler);
    queued.abort();
    assert.equal((await queued.done).error?.code, 'UND_ERR_ABORTED');
    while (up.sockets.length === 0) await tick();
    first.abort();
    const r = await first.done;
    assert.equal(r.error?.code, 'UND_ERR_ABORTED');
    await pool.close();
    assert.equal(pool.size, 0);
    await up.close();
  });

  it('destroy() fails requests in flight', async () => {
    const up = await rawUpstream(() => {});
    const pool = new WirePool('127.0.0.1', up.port, opts);
    const r = request(pool);
    while (up.sockets.length === 0) await tick();
    await pool.destroy();
    assert.equal((await r).error?.code, 'UND_ERR_DESTROYED');
    await up.close();
  });

  it('closes an idle connection after keepAliveTimeout', async () => {
    const up = await echoUpstream();
    const pool = new WirePool('127.0.0.1', up.port, { ...opts, keepAliveTimeout: 30 });
    await request(pool);
    assert.equal(pool.size, 1);
    while (pool.size > 0) await new Promise((r) => setTimeout(r, 10));
    await pool.close();
    await up.close();
  });

  it('goes idle for less than the upstream\'s Keep-Alive hint says it will wait', async () => {
    const up = await rawUpstream((s) => s.write('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=2\r\ncontent-length: 0\r\n\r\n'));
    const pool = new WirePool('127.0.0.1', up.port, { ...opts, keepAliveTimeout: 60_000 });
    await request(pool);
    assert.equal(pool.size, 1);
    // One second of margin under the hint: closed long before the pool's own minute.
    while (pool.size > 0) await new Promise((r) => setTimeout(r, 50));
    await pool.close();
    await up.close();
  });
});
