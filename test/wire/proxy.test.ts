/**
 * Server and client together, as the router uses them: a WireServer whose handler forwards each
 * request through a WirePool to an upstream WireServer, streaming both ways with backpressure.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WirePool, type DispatchHandler } from '../../src/protocol/http1/wire/client.js';
import type { WireRequest } from '../../src/protocol/http1/wire/request.js';
import type { WireResponse } from '../../src/protocol/http1/wire/response.js';
import { RawClient, startServer, tick, type Started } from './support.js';

/** One forwarded request: the dispatch handler writes the upstream's answer into the client's response. */
class Forward implements DispatchHandler {
  private abort: ((err?: Error) => void) | undefined;
  constructor(private readonly res: WireResponse) {
    res.on('close', () => { if (!res.writableEnded) this.abort?.(); });
  }
  onConnect(abort: (err?: Error) => void): void { this.abort = abort; }
  onHeaders(status: number, raw: string[], resume: () => void, text: string): boolean {
    const headers: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const n = raw[i]!.toLowerCase();
      if (n !== 'connection' && n !== 'keep-alive' && n !== 'transfer-encoding') headers.push(raw[i]!, raw[i + 1]!);
    }
    this.res.writeHead(status, text, headers);
    this.res.on('drain', resume);
    return true;
  }
  onData(chunk: Buffer): boolean { return this.res.write(chunk); }
  onComplete(): void { this.res.end(); }
  onError(): void {
    if (this.res.headersSent) this.res.destroy();
    else { this.res.writeHead(502, []); this.res.end('upstream failed'); }
  }
}

interface Proxy { front: Started; pool: WirePool; close(): Promise<void> }

async function startProxy(upstreamPort: number): Promise<Proxy> {
  const pool = new WirePool('127.0.0.1', upstreamPort, { keepAliveTimeout: 10_000, connectTimeout: 2_000 });
  const front = await startServer((req, res) => {
    const headers: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i]!.toLowerCase() !== 'transfer-encoding') headers.push(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    }
    const bodyless = req.complete;
    pool.dispatch({ path: req.url, method: req.method, headers, body: bodyless ? null : req }, new Forward(res));
  });
  return { front, pool, close: async () => { await front.close(); await pool.destroy(); } };
}

describe('wire server + client: a forwarding proxy', () => {
  let up: Started;
  let proxy: Proxy;
  /** What the upstream saw, per request. */
  const seen: { url: string; raw: string[]; bytes: number; pauses: number }[] = [];
  let downloadBytes = 0;

  before(async () => {
    up = await startServer((req: WireRequest, res: WireResponse) => {
      const entry = { url: req.url, raw: req.rawHeaders, bytes: 0, pauses: 0 };
      seen.push(entry);
      if (req.url === '/download') {
        req.resume();
        res.writeHead(200, ['content-length', String(downloadBytes)]);
        const chunk = Buffer.alloc(64 * 1024, 5);
        let sent = 0;
        const pump = () => {
          while (sent < downloadBytes) {
            const n = Math.min(chunk.length, downloadBytes - sent);
            sent += n;
            if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) { res.once('drain', pump); return; }
          }
          res.end();
        };
        pump();
        return;
      }
      if (req.url === '/reset') {
        req.resume();
        res.writeHead(200, ['content-length', '1000']);
        res.write('some');
        setImmediate(() => req.socket.destroy());
        return;
      }
      req.on('data', (c: Buffer) => {
        entry.bytes += c.length;
        // A slow reader: pause every few chunks.
        if (req.url === '/slow-upload' && entry.bytes % 8 === 0 && entry.pauses < 20) {
          entry.pauses++;
          req.pause();
          setTimeout(() => req.resume(), 2);
        }
      });
      req.on('end', () => res.end(`${req.method} ${req.url} ${entry.bytes}`));
    });
    proxy = await startProxy(up.port);
  });
  after(async () => { await proxy.close(); await up.close(); });

  it('forwards requests over kept-alive upstream connections', async () => {
    const c = await RawClient.open(proxy.front.port);
    for (let i = 0; i < 5; i++) {
      c.write(`GET /k${i} HTTP/1.1\r\nHost: web\r\n\r\n`);
      assert.equal((await c.response()).body.toString(), `GET /k${i} 0`);
    }
    assert.equal(proxy.pool.size, 1);
    c.close();
  });

  it('forwards pipelined requests and answers them in order', async () => {
    const c = await RawClient.open(proxy.front.port);
    c.write('GET /p1 HTTP/1.1\r\n\r\nPOST /p2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /p3 HTTP/1.1\r\n\r\n');
    const rs = await c.responses(3);
    assert.deepEqual(rs.map((r) => r.body.toString()), ['GET /p1 0', 'POST /p2 3', 'GET /p3 0']);
    c.close();
  });

  it('streams a large chunked upload to a slow upstream reader', async () => {
    const total = 8 * 1024 * 1024;
    const c = await RawClient.open(proxy.front.port);
    c.write('POST /slow-upload HTTP/1.1\r\nHost: web\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = Buffer.alloc(256 * 1024, 1);
    for (let sent = 0; sent < total; sent += chunk.length) {
      c.write(`${chunk.length.toString(16)}\r\n`);
      c.write(chunk);
      c.write('\r\n');
    }
    c.write('0\r\n\r\n');
    const r = await c.response();
    assert.equal(r.body.toString(), `POST /slow-upload ${total}`);
    const entry = seen.find((e) => e.url === '/slow-upload')!;
    assert.ok(entry.pauses > 0);
    const te = entry.raw.findIndex((x) => x.toLowerCase() === 'transfer-encoding');
    assert.equal(entry.raw[te + 1], 'chunked', 'a body of unknown length goes upstream chunked');
    c.close();
  });

  it('streams a large Content-Length upload with its length', async () => {
    const total = 3 * 1024 * 1024 + 7;
    const c = await RawClient.open(proxy.front.port);
    c.write(`PUT /sized HTTP/1.1\r\nHost: web\r\nContent-Length: ${total}\r\n\r\n`);
    c.write(Buffer.alloc(total, 2));
    assert.equal((await c.response()).body.toString(), `PUT /sized ${total}`);
    const entry = seen.find((e) => e.url === '/sized')!;
    assert.equal(entry.raw[entry.raw.findIndex((x) => x.toLowerCase() === 'content-length') + 1], String(total));
    c.close();
  });

  it('streams a large download to a slow client without losing a byte', async () => {
    downloadBytes = 16 * 1024 * 1024;
    const c = await RawClient.open(proxy.front.port);
    c.socket.pause();
    c.write('GET /download HTTP/1.1\r\nHost: web\r\n\r\n');
    await new Promise((r) => setTimeout(r, 50));
    c.socket.resume();
    const r = await c.response();
    assert.equal(r.body.length, downloadBytes);
    assert.ok(r.body.every((b) => b === 5));
    c.close();
  });

  it('cuts the client response off when the upstream resets in the middle', async () => {
    const c = await RawClient.open(proxy.front.port);
    c.write('GET /reset HTTP/1.1\r\nHost: web\r\n\r\n');
    await c.closed;
    const text = c.received.toString('latin1');
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /content-length: 1000/);
    assert.ok(text.endsWith('some'), 'the partial body, then the connection closes');
  });

  it('answers Expect: 100-continue itself and does not forward the expectation', async () => {
    const c = await RawClient.open(proxy.front.port);
    c.write('POST /expect HTTP/1.1\r\nHost: web\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n');
    assert.equal((await c.response()).status, 100);
    c.write('body');
    assert.equal((await c.response()).body.toString(), 'POST /expect 4');
    const entry = seen.find((e) => e.url === '/expect')!;
    assert.equal(entry.raw.findIndex((x) => x.toLowerCase() === 'expect'), -1);
    c.close();
  });

  it('aborts the upstream request when the client goes away', async () => {
    const c = await RawClient.open(proxy.front.port);
    c.write('POST /abandoned HTTP/1.1\r\nHost: web\r\nContent-Length: 1000000\r\n\r\npartial');
    while (!seen.some((e) => e.url === '/abandoned')) await tick();
    const before = proxy.pool.size;
    c.close();
    while (proxy.pool.size >= before) await tick();
    assert.equal(proxy.front.server.inFlight, 0);
  });
});
