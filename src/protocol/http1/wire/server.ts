/**
 * The wire engine's HTTP/1.1 server: node:net sockets, a hand-written parser, and request /
 * response objects shaped like the parts of node's http API that the router uses.
 *
 * Per connection: one head parser and one body decoder, reused for every request; input is
 * parsed straight out of the engine's shared read buffer (`./reads.ts`; a head split across reads
 * is the only case that concatenates). Requests are handled in arrival order and pipelined
 * responses are written in that order. Idle and head timeouts are checked by one coarse sweep per
 * server (`./sweep.ts`), so a request costs no timer operations.
 */
import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';
import { STATUS_CODES } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { BodyDecoder, type BodyReceiver } from './body.js';
import { latin1 } from './codecs.js';
import { RequestRejectedError, type RejectStatus } from './errors.js';
import { HeadParser, headEnd } from './head.js';
import { adoptAccepted, copyOut } from './reads.js';
import { WireRequest, type RequestChannel } from './request.js';
import { WireResponse, type ResponseChannel } from './response.js';
import { Sweeper } from './sweep.js';
import { endsWithChunked, equalsLower, hasToken } from './syntax.js';

export interface WireServerOptions {
  /** Bytes allowed for the request line and header fields (431 beyond). */
  maxHeaderBytes: number;
  /** A kept-alive connection idle this long is closed (a little earlier, at the sweep's granularity). */
  keepAliveTimeoutMs: number;
  /** A request head still incomplete this long after it began is answered 408 (as coarsely). */
  headersTimeoutMs: number;
  /** Pipelined requests handled at once on one connection; reading pauses beyond (default 16). */
  maxPipelined?: number;
}

export type WireHandler = (req: WireRequest, res: WireResponse) => void;


/**
 * Events: 'connection' (socket), 'clientError' (RequestRejectedError, socket) — a listener must
 * answer and close the socket; without one a bare status line is sent — 'listening', 'error',
 * 'close', and 'drained' (no request in flight any more, after `close()`).
 */
export class WireServer extends EventEmitter {
  readonly net: Server;
  /** Requests handed to the handler whose response has not ended. */
  inFlight = 0;
  /** `close()` was called: responses carry `Connection: close`. */
  draining = false;
  private readonly conns = new Set<ServerConnection>();
  private readonly noConnections: (() => void)[] = [];
  readonly sweeper: Sweeper;

  constructor(readonly handler: WireHandler, readonly opts: WireServerOptions) {
    super();
    this.sweeper = new Sweeper(Math.min(opts.keepAliveTimeoutMs, opts.headersTimeoutMs), () => {
      for (const c of this.conns) c.sweep();
    });
    // A client's FIN is handled by the connection (see onEnd), not by node closing our side.
    // Connections start paused: each one's handle moves to a socket reading the shared buffer.
    this.net = createServer({ noDelay: true, allowHalfOpen: true, pauseOnConnect: true }, (socket) => this.accept(socket));
    this.net.on('error', (e) => this.emit('error', e));
    this.net.on('listening', () => this.emit('listening'));
  }

  listen(port: number, host?: string, cb?: () => void): this {
    this.net.listen(port, host, cb);
    return this;
  }

  address(): AddressInfo | string | null { return this.net.address(); }

  get listening(): boolean { return this.net.listening; }

  /** Open connections. */
  get connections(): number { return this.conns.size; }

  /**
   * Stops accepting; idle connections close now, busy ones after their current response. 'close'
   * (and `cb`) follow once the listener and every connection are closed.
   */
  close(cb?: (err?: Error) => void): this {
    this.draining = true;
    this.net.close((err) => this.whenNoConnections(() => {
      this.emit('close');
      cb?.(err);
    }));
    this.closeIdleConnections();
    return this;
  }

  /** Node's server does not count adopted connections (see adoptAccepted): this waits for them. */
  private whenNoConnections(fn: () => void): void {
    if (this.conns.size === 0) fn();
    else this.noConnections.push(fn);
  }

  /** Closes connections with no request in progress. */
  closeIdleConnections(): void {
    for (const c of this.conns) if (c.idle) c.socket.destroy();
  }

  closeAllConnections(): void {
    for (const c of this.conns) c.socket.destroy();
  }

  /** From a connection: a response ended, or its connection went away before it did. */
  requestDone(): void {
    if (--this.inFlight === 0 && this.draining) this.emit('drained');
  }

  /** From a connection: it closed. */
  forget(c: ServerConnection): void {
    this.conns.delete(c);
    if (this.conns.size > 0) return;
    this.sweeper.stop();
    for (const fn of this.noConnections.splice(0)) fn();
  }

  private accept(accepted: Socket): void {
    const c = new ServerConnection(this, accepted);
    this.conns.add(c);
    this.sweeper.start();
    this.emit('connection', c.socket);
  }
}

class ServerConnection implements RequestChannel, ResponseChannel, BodyReceiver {
  readonly socket: Socket;
  private readonly head = new HeadParser();
  private readonly body: BodyDecoder;
  private readonly maxHeaderBytes: number;
  private readonly maxPipelined: number;
  /** Input not yet consumed: a partial head, or bytes waiting for a paused body (never the shared buffer). */
  private input: Buffer | null = null;
  /** The parse in progress reads the shared buffer: what outlives it is copied. */
  private parsingShared = false;
  /** The request whose body is being decoded. */
  private bodyOf: WireRequest | null = null;
  /** Responses in request order; the first one writes to the socket. */
  private readonly queue: WireResponse[] = [];
  private parsing = false;
  private parseScheduled = false;
  private socketPaused = false;
  /** No further request is read (one asked to close, or was rejected). */
  private stopped = false;
  /** Too many pipelined requests in progress: reading waits. */
  private backlogged = false;
  /** A rejected request, answered once the responses before it are done. */
  private rejection: RequestRejectedError | null = null;
  /** Sweeper tick at which the connection last went idle, and at which a partial head began (-1: none). */
  private idleSince: number;
  private headSince = -1;
  private closed = false;
  /** Closing after its last response (the socket flushes, then closes). */
  private ending = false;

  constructor(private readonly server: WireServer, accepted: Socket) {
    this.body = new BodyDecoder(server.opts.maxHeaderBytes);
    this.maxHeaderBytes = server.opts.maxHeaderBytes;
    this.maxPipelined = server.opts.maxPipelined ?? 16;
    this.idleSince = server.sweeper.ticks;
    const socket = adoptAccepted(accepted, true, this.onRead);
    this.socket = socket;
    socket.on('drain', this.onDrain);
    socket.on('error', ignore); // 'close' follows and cleans up
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
  }

  get draining(): boolean { return this.server.draining; }

  /** No request in progress (a partial head counts as none), and not already closing. */
  get idle(): boolean { return this.queue.length === 0 && this.bodyOf === null && !this.ending; }

  /** `shared[0, nread)` was read. Reading stops through `pauseSocket`, never through the return value. */
  private readonly onRead = (nread: number, shared: Buffer): boolean => {
    const input = this.input;
    if (input !== null) {
      this.input = null;
      const joined = Buffer.concat([input, shared.subarray(0, nread)], input.length + nread);
      this.parse(joined, joined.length, false);
    } else {
      this.parse(shared, nread, true);
    }
    return true;
  };

  /** Parses `buf[0, end)`; `shared`: `buf` is the shared read buffer. */
  private parse(buf: Buffer, end: number, shared: boolean): void {
    this.parsing = true;
    this.parsingShared = shared;
    let pos = 0;
    while (pos < end && !this.closed && !this.socket.destroyed) {
      const req = this.bodyOf;
      if (req !== null) {
        if (!req.flowing) {
          this.keep(buf, pos, end);
          this.pauseSocket();
          break;
        }
        pos = this.body.feed(buf, pos, end, this);
        if (pos < 0) {
          this.framingError(req);
          break;
        }
        if (this.body.done) {
          this.bodyOf = null;
          req.received(this.body.trailers);
        }
        continue;
      }
      if (this.stopped) break; // what follows a closing or rejected request is not read
      if (this.backlogged) {
        this.keep(buf, pos, end);
        this.pauseSocket();
        break;
      }
      pos = this.readHead(buf, pos, end);
      if (pos < 0) break;
    }
    this.parsing = false;
    this.parsingShared = false;
  }

  /** Reads one request head at `pos`: the index after it, or -1 (kept for later, or rejected). */
  private readHead(buf: Buffer, pos: number, end: number): number {
    // Empty lines before a request line are ignored (RFC 9112 §2.2).
    while (pos + 1 < end && buf[pos] === 0x0d && buf[pos + 1] === 0x0a) pos += 2;
    if (pos >= end) return end;
    const i = headEnd(buf, pos, end);
    if (i < 0 || i + 4 - pos > this.maxHeaderBytes) {
      if (end - pos > this.maxHeaderBytes) {
        this.reject(new RequestRejectedError('HPE_HEADER_OVERFLOW', 431, `request head exceeds ${this.maxHeaderBytes} bytes`));
        return -1;
      }
      this.keep(buf, pos, end);
      if (this.headSince < 0) this.headSince = this.server.sweeper.ticks;
      return -1;
    }
    this.headSince = -1;
    this.request(latin1(buf, pos, i + 2), buf, pos);
    return i + 4;
  }

  /** A complete head (`s`, read from `buf` at `pos`): frame the request, hand it to the handler. */
  private request(s: string, buf: Buffer, pos: number): void {
    const h = this.head;
    if (!h.parseRequest(s, buf, pos)) {
      this.reject(new RequestRejectedError(h.errorCode, h.versionUnsupported ? 505 : 400, h.errorMessage));
      return;
    }
    let hasBody = false;
    const te = h.transferEncoding;
    if (te !== undefined) {
      if (h.contentLength >= 0) return this.reject(new RequestRejectedError('HPE_UNEXPECTED_CONTENT_LENGTH', 400, 'request has both Transfer-Encoding and Content-Length'));
      if (!endsWithChunked(te)) return this.reject(new RequestRejectedError('HPE_INVALID_TRANSFER_ENCODING', 400, `request Transfer-Encoding does not end with chunked: ${te}`));
      if (te.length !== 7) return this.reject(new RequestRejectedError('HPE_INVALID_TRANSFER_ENCODING', 501, `transfer coding not supported: ${te}`));
      this.body.chunked();
      hasBody = true;
    } else if (h.contentLength > 0) {
      this.body.length(h.contentLength);
      hasBody = true;
    }
    const conn = h.connection;
    let keepAlive = h.version === '1.1' ? conn === undefined || !hasToken(conn, 'close') : conn !== undefined && hasToken(conn, 'keep-alive');
    // An HTTP/1.0 message with Transfer-Encoding has faulty framing: close after it (RFC 9112 §6.1).
    if (te !== undefined && h.version === '1.0') keepAlive = false;
    if (h.method === 'CONNECT') return this.reject(new RequestRejectedError('HPE_CONNECT', 501, 'CONNECT is not supported'));
    if (h.upgrade && conn !== undefined && hasToken(conn, 'upgrade')) return this.reject(new RequestRejectedError('HPE_UPGRADE', 501, 'protocol upgrade is not supported'));
    let expectsContinue = false;
    const expect = h.expect;
    if (expect !== undefined) {
      if (expect.length !== 12 || !equalsLower(expect, 0, '100-continue')) return this.reject(new RequestRejectedError('HPE_EXPECTATION', 417, `unsupported expectation: ${expect}`));
      expectsContinue = hasBody && h.version === '1.1';
    }
    if (!keepAlive) this.stopped = true;

    const req = new WireRequest(this, h.method, h.target, h.version, h.raw, hasBody);
    const res = new WireResponse(this, req, keepAlive);
    res.expectsContinue = expectsContinue;
    if (hasBody) this.bodyOf = req;
    const q = this.queue;
    q.push(res);
    if (q.length === 1) res.attach();
    else if (q.length >= this.maxPipelined) this.backlogged = true;
    this.server.inFlight++;
    this.server.handler(req, res);
  }

  /** Body bytes for the current request. */
  bodyData(buf: Buffer, start: number, end: number): boolean {
    return this.bodyOf!.receive(this.parsingShared ? copyOut(buf, start, end) : buf.subarray(start, end));
  }

  bodyWanted(req: WireRequest): void {
    if (req !== this.bodyOf || this.parsing) return; // the parse loop in progress picks it up
    this.scheduleParse();
  }

  private scheduleParse(): void {
    if (this.parseScheduled) return;
    this.parseScheduled = true;
    process.nextTick(parseKept, this);
  }

  /** Continues with kept input, then lets the socket flow again unless something still waits. */
  parseKept(): void {
    this.parseScheduled = false;
    if (this.closed) return;
    const input = this.input;
    this.input = null;
    if (input !== null) this.parse(input, input.length, false);
    const req = this.bodyOf;
    const waiting = this.backlogged || (req !== null && !req.flowing);
    if (this.socketPaused && !waiting && !this.closed) {
      this.socketPaused = false;
      this.socket.resume();
    }
  }

  /** Keeps unconsumed input (socket chunks are never reused by node, so no copy is needed). */
  private keep(buf: Buffer, pos: number, end: number): void {
    if (this.parsingShared) this.input = copyOut(buf, pos, end);
    else this.input = pos === 0 && end === buf.length ? buf : buf.subarray(pos, end);
  }

  private pauseSocket(): void {
    if (this.socketPaused) return;
    this.socketPaused = true;
    this.socket.pause();
  }

  private headersTimedOut(): void {
    this.reject(new RequestRejectedError('HPE_HEADER_TIMEOUT', 408, `request head not received within ${this.server.opts.headersTimeoutMs} ms`));
  }

  /** Answers a request the server will not process (after earlier responses), then closes. */
  private reject(err: RequestRejectedError): void {
    this.stopped = true;
    this.input = null;
    this.rejection = err;
    if (this.queue.length === 0) this.sendRejection();
  }

  private sendRejection(): void {
    const err = this.rejection!;
    this.rejection = null;
    if (this.socket.destroyed) return;
    this.ending = true;
    if (this.server.listenerCount('clientError') > 0) {
      this.server.emit('clientError', err, this.socket);
    } else {
      this.socket.write(`HTTP/1.1 ${err.status} ${STATUS_CODES[err.status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, 'latin1');
      this.socket.destroySoon();
    }
  }

  /** The current request's body framing is invalid: it is aborted and answered 400 if it can be. */
  private framingError(req: WireRequest): void {
    const err = new RequestRejectedError(this.body.errorCode, 400, `invalid request body: ${this.body.errorMessage}`);
    this.bodyOf = null;
    req.abort(err);
    const q = this.queue;
    const res = q[q.length - 1];
    if (res === undefined || res.req !== req || res.headersSent) {
      // Already answered (or answering): the connection cannot continue.
      this.socket.destroy();
      return;
    }
    q.pop();
    if (!res.writableEnded) this.server.requestDone();
    res.connectionClosed();
    this.reject(err);
  }

  responseEnded(res: WireResponse): void {
    this.server.requestDone();
    if (this.queue[0] === res) this.advance();
  }

  responseDestroyed(): void {
    this.socket.destroy();
  }

  /** The first response ended: retire it (and any ended ones behind it), attach the next. */
  private advance(): void {
    const q = this.queue;
    while (q.length > 0) {
      const res = q[0]!;
      if (!res.writableEnded) break;
      q.shift();
      const req = res.req;
      if (req === this.bodyOf) req.dump(); // node does the same with an unread body
      if (!res.shouldKeepAlive) {
        this.stopped = true;
        this.ending = true;
        this.socket.destroySoon();
        return;
      }
      const next = q[0];
      if (next !== undefined) next.attach();
    }
    if (this.backlogged && q.length < this.maxPipelined) {
      this.backlogged = false;
      this.scheduleParse();
    }
    if (q.length === 0) {
      this.idleSince = this.server.sweeper.ticks;
      if (this.rejection !== null) this.sendRejection();
    }
  }

  private readonly onDrain = (): void => {
    this.queue[0]?.drained();
  };

  /** From the server's sweeper: close if idle too long, refuse a head that takes too long. */
  sweep(): void {
    if (this.queue.length > 0 || this.bodyOf !== null || this.ending) return; // a request takes as long as it takes
    const sweeper = this.server.sweeper;
    const opts = this.server.opts;
    if (this.headSince >= 0 && !this.stopped) {
      if (sweeper.due(this.headSince, opts.headersTimeoutMs)) this.headersTimedOut();
    } else if (sweeper.due(this.idleSince, opts.keepAliveTimeoutMs)) {
      this.socket.destroy();
    }
  }

  /**
   * The client finished sending. As node's server does by default (and nginx, for a proxy), a
   * client that stops sending has given up on what it has not been answered yet: requests in
   * progress are aborted; an idle connection closes once its last bytes are out.
   */
  private readonly onEnd = (): void => {
    this.stopped = true;
    if (this.queue.length > 0 || this.bodyOf !== null) this.socket.destroy();
    else {
      this.ending = true;
      this.socket.destroySoon();
    }
  };

  private readonly onClose = (): void => {
    this.closed = true;
    this.server.forget(this);
    const req = this.bodyOf;
    this.bodyOf = null;
    if (req !== null) req.abort(connectionReset());
    const q = this.queue;
    for (const res of q) {
      if (!res.writableEnded) this.server.requestDone();
      res.connectionClosed();
    }
    q.length = 0;
  };

  destroy(err?: Error): void {
    this.socket.destroy(err);
  }
}

function parseKept(c: ServerConnection): void {
  c.parseKept();
}

function ignore(): void {}

function connectionReset(): Error {
  const e = new Error('aborted') as NodeJS.ErrnoException;
  e.code = 'ECONNRESET';
  return e;
}
