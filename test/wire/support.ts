/**
 * Plumbing for the wire engine's tests: a WireServer on a loopback port, and a raw client that
 * writes bytes exactly as given and reads responses with its own (deliberately simple) parser.
 */
import { connect, type AddressInfo, type Socket } from 'node:net';
import { WireServer, type WireHandler, type WireServerOptions } from '../../src/protocol/http1/wire/server.js';
import type { RequestRejectedError } from '../../src/protocol/http1/wire/errors.js';

export interface Started {
  server: WireServer;
  port: number;
  /** Server-side sockets, in accept order. */
  sockets: Socket[];
  /** Requests the server refused, in order. */
  rejected: RequestRejectedError[];
  close(): Promise<void>;
}

export const defaults: WireServerOptions = { maxHeaderBytes: 8192, keepAliveTimeoutMs: 10_000, headersTimeoutMs: 10_000 };

/**
 * A WireServer on 127.0.0.1:0. Refused requests are answered as the router's listener does (status,
 * `x-code` naming the reason) and recorded.
 */
export async function startServer(handler: WireHandler, opts: Partial<WireServerOptions> = {}): Promise<Started> {
  const server = new WireServer(handler, { ...defaults, ...opts });
  const sockets: Socket[] = [];
  const rejected: RequestRejectedError[] = [];
  server.on('connection', (s: Socket) => sockets.push(s));
  server.on('clientError', (err: RequestRejectedError, socket: Socket) => {
    rejected.push(err);
    socket.write(`HTTP/1.1 ${err.status} Refused\r\nconnection: close\r\nx-code: ${err.code}\r\ncontent-length: 0\r\n\r\n`);
    socket.destroySoon();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server, port, sockets, rejected,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

export interface Parsed {
  version: string;
  status: number;
  reason: string;
  /** Header pairs, names lower-cased. */
  headers: [string, string][];
  header(name: string): string | undefined;
  body: Buffer;
  /** Transfer-Encoding: chunked on the wire. */
  chunked: boolean;
  trailers: [string, string][];
}

/**
 * Parses complete responses from the front of `buf`. `bodyless(i)`: the i-th response has no body
 * (a HEAD request). A close-delimited body is complete only once `ended`. Returns the responses
 * and the bytes consumed.
 */
export function parseResponses(buf: Buffer, ended: boolean, bodyless: (i: number) => boolean = () => false, max = Infinity): { list: Parsed[]; used: number } {
  const list: Parsed[] = [];
  let at = 0;
  while (list.length < max) {
    const end = buf.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const lines = buf.subarray(at, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/(1\.[01]) (\d{3}) ?(.*)$/.exec(lines[0]!);
    if (!m) throw new Error(`not a status line: ${JSON.stringify(lines[0])}`);
    const headers = lines.slice(1).map((l): [string, string] => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]);
    const get = (n: string) => headers.find(([k]) => k === n)?.[1];
    const status = Number(m[2]);
    let body: Buffer = Buffer.alloc(0);
    let next = end + 4;
    let chunked = false;
    const trailers: [string, string][] = [];
    if (status >= 100 && status < 200) {
      // interim response: no body
    } else if (bodyless(list.length) || status === 204 || status === 304) {
      // no body
    } else if (/chunked/i.test(get('transfer-encoding') ?? '')) {
      chunked = true;
      const parts: Buffer[] = [];
      let p = next;
      let complete = false;
      for (;;) {
        const eol = buf.indexOf('\r\n', p);
        if (eol < 0) break;
        const size = parseInt(buf.subarray(p, eol).toString('latin1'), 16);
        if (size === 0) {
          let t = eol + 2;
          for (;;) {
            const e = buf.indexOf('\r\n', t);
            if (e < 0) break;
            if (e === t) { complete = true; next = e + 2; break; }
            const line = buf.subarray(t, e).toString('latin1');
            trailers.push([line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]);
            t = e + 2;
          }
          break;
        }
        if (buf.length < eol + 2 + size + 2) break;
        parts.push(buf.subarray(eol + 2, eol + 2 + size));
        p = eol + 2 + size + 2;
      }
      if (!complete) break;
      body = Buffer.concat(parts);
    } else if (get('content-length') !== undefined) {
      const n = Number(get('content-length'));
      if (buf.length < next + n) break;
      body = buf.subarray(next, next + n);
      next += n;
    } else {
      if (!ended) break;
      body = buf.subarray(next);
      next = buf.length;
    }
    list.push({ version: m[1]!, status, reason: m[3]!, headers, header: get, body: Buffer.from(body), chunked, trailers });
    at = next;
  }
  return { list, used: at };
}

/** A raw client connection: exact bytes out, parsed responses in. */
export class RawClient {
  private buf: Buffer = Buffer.alloc(0);
  ended = false;
  private waiters: (() => void)[] = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => { this.buf = Buffer.concat([this.buf, c]); this.wake(); });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.on('close', () => { this.ended = true; this.wake(); resolve(); }));
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => { s.off('error', reject); resolve(new RawClient(s)); });
      s.once('error', reject);
    });
  }

  write(data: string | Buffer): void { this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data); }

  /** Bytes received so far. */
  get received(): Buffer { return this.buf; }

  /** Waits for `n` complete responses (interim 1xx included), consuming them. */
  async responses(n: number, bodyless: (i: number) => boolean = () => false): Promise<Parsed[]> {
    for (;;) {
      const { list, used } = parseResponses(this.buf, this.ended, bodyless, n);
      if (list.length === n) {
        this.buf = this.buf.subarray(used);
        return list;
      }
      if (this.ended) throw new Error(`connection closed after ${list.length} of ${n} responses (${this.buf.length} bytes received: ${JSON.stringify(this.buf.toString('latin1').slice(0, 200))})`);
      await this.next();
    }
  }

  async response(bodyless = false): Promise<Parsed> {
    return (await this.responses(1, () => bodyless))[0]!;
  }

  /** Resolves on the next bytes or close. */
  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  close(): void { this.socket.destroy(); }
}

/** Resolves when `socket` next reads something (a server-side socket: proves the bytes arrived apart). */
/**
 * Writes `bytes` from the client and resolves once the server-side `socket` has read and handled
 * them. (Server sockets emit no 'data': they read into the engine's shared buffer. The handle
 * counts the bytes just before its read callback, which runs to its end before the check after it.)
 */
export async function delivered(client: RawClient, socket: Socket, bytes: Buffer): Promise<void> {
  const target = socket.bytesRead + bytes.length;
  client.write(bytes);
  while (socket.bytesRead < target) await new Promise((resolve) => setImmediate(resolve));
}

/** Reads a whole request body as a Buffer through 'data' / 'end'. */
export function readAll(req: { on(e: string, f: (...a: any[]) => void): unknown }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
