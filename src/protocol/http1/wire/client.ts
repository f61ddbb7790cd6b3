/**
 * The wire engine's HTTP/1.1 client: a keep-alive connection pool for one upstream address,
 * driven through undici's legacy dispatch-handler protocol (`onConnect`, `onHeaders`, `onData`,
 * `onComplete`, `onError`), so a handler written for undici's `Pool.dispatch` works unchanged.
 *
 * Idle connections are reused last-in first-out; a new one is opened when none is idle (up to
 * `connections`; requests queue beyond); one request at a time per connection (no pipelining).
 * Sockets read into the engine's shared buffer (`./reads.ts`), so a read allocates nothing:
 * response heads are parsed straight out of it and only body bytes handed to the handler are copied.
 *
 * Differences from undici that callers see: header names and values reach `onHeaders` as latin1
 * strings (undici gives Buffers; `toString('latin1')` works on both), without the Keep-Alive field
 * and a Connection field that only says keep-alive or close (this hop's business, consumed
 * here; a Connection field naming other fields is passed on); `onConnect` comes at
 * dispatch, so a request can be aborted while it waits for a connection; an idempotent request
 * with a replayable body that finds its reused connection closed before any response byte is
 * sent again once on another connection (the race with an upstream closing an idle connection).
 */
import { Buffer } from 'node:buffer';
import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { BodyDecoder, Framing, type BodyReceiver } from './body.js';
import { latin1 } from './codecs.js';
import { WireClientError } from './errors.js';
import { HeadParser, headEnd } from './head.js';
import { copyOut, sharedReads } from './reads.js';
import { WireRequest, type BodySink } from './request.js';
import { Sweeper } from './sweep.js';
import { endsWithChunked, Field, fieldOf, hasToken } from './syntax.js';
import { INLINE_BODY_BYTES, writeText } from './writes.js';

export interface WirePoolOptions {
  /** Most connections open at once (null or absent: no limit). */
  connections?: number | null;
  /**
   * An idle connection is closed after this long (a little earlier, at the sweep's granularity),
   * or a second before the upstream's Keep-Alive hint says it will close it.
   */
  keepAliveTimeout: number;
  connectTimeout: number;
}

/** A request to send: the target, the header fields as a flat [name, value, …] list, a body. */
export interface DispatchOptions {
  path: string;
  method: string;
  headers?: readonly string[] | null;
  /** A Buffer (sent with its length), a stream (chunked unless a content-length is given), or none. */
  body?: Buffer | WireRequest | Readable | null;
}

/** undici's legacy dispatch handler, as far as this pool calls it. */
export interface DispatchHandler {
  /** Called at dispatch with the function that aborts this request. */
  onConnect?(abort: (err?: Error) => void): void;
  /**
   * The response head. `rawHeaders` are latin1 strings (the union admits handlers typed for
   * undici's Buffers). Returning false pauses reading until `resume()`.
   */
  onHeaders?(statusCode: number, rawHeaders: Buffer[] | string[], resume: () => void, statusText: string): boolean;
  /** A body chunk (the handler's to keep). Returning false pauses reading until `resume()`. */
  onData?(chunk: Buffer): boolean;
  /** The response is complete; `trailers` is a flat [name, value, …] list. */
  onComplete?(trailers: string[]): void;
  onError?(err: Error): void;
}

/** A request body that is streamed: the server's requests natively, other streams adapted. */
interface BodySource {
  pipeBody(sink: BodySink): void;
  unpipeBody(sink: BodySink): void;
  resume(): void;
}

/** Response heads larger than this are refused. */
const MAX_RESPONSE_HEAD_BYTES = 64 * 1024;

/** One request through the pool. */
class Dispatch {
  conn: ClientConnection | null = null;
  done = false;
  /** Already sent again after its reused connection closed before answering. */
  retried = false;
  readonly abort: (err?: Error) => void;
  constructor(readonly pool: WirePool, readonly opts: DispatchOptions, readonly handler: DispatchHandler) {
    // Bound to this request, not to a connection: the handler may call it at any time.
    this.abort = (err) => pool.abort(this, err);
  }

  /** Can go out again unchanged: no body or a buffered one, and a method the server may see twice. */
  get replayable(): boolean {
    const m = this.opts.method;
    const b = this.opts.body;
    return (b == null || Buffer.isBuffer(b)) && (m === 'GET' || m === 'HEAD' || m === 'OPTIONS' || m === 'TRACE');
  }
}

export class WirePool {
  readonly hostHeader: string;
  private readonly max: number;
  private readonly idle: ClientConnection[] = [];
  private readonly queue: Dispatch[] = [];
  private readonly all = new Set<ClientConnection>();
  private connecting = 0;
  private closing = false;
  private destroyed = false;
  private whenEmpty: (() => void) | undefined;
  readonly sweeper: Sweeper;

  constructor(readonly host: string, readonly port: number, readonly opts: WirePoolOptions) {
    this.max = opts.connections ?? Infinity;
    this.sweeper = new Sweeper(opts.keepAliveTimeout, () => this.sweep());
    this.hostHeader = `host: ${host.includes(':') ? `[${host}]` : host}:${port}\r\n`;
  }

  /** Open connections (connecting, busy or idle). */
  get size(): number { return this.all.size; }

  /** Counts in the shape of undici's PoolStats. */
  get stats(): { connected: number; free: number; pending: number; queued: number; running: number; size: number } {
    const connected = this.all.size - this.connecting;
    const free = this.idle.length;
    const queued = this.queue.length;
    const running = connected - free;
    return { connected, free, pending: queued, queued, running, size: running + queued };
  }

  /** Sends a request; the handler hears everything that follows. False once the pool is closed. */
  dispatch(opts: DispatchOptions, handler: DispatchHandler): boolean {
    if (this.closing) {
      handler.onError?.(new WireClientError(this.destroyed ? 'UND_ERR_DESTROYED' : 'UND_ERR_CLOSED', `pool for ${this.host}:${this.port} is closed`));
      return false;
    }
    const d = new Dispatch(this, opts, handler);
    handler.onConnect?.(d.abort);
    if (d.done) return true;
    const c = this.takeIdle();
    if (c !== undefined) c.send(d);
    else this.enqueue(d);
    return true;
  }

  /** Stops taking requests; resolves once queued and in-flight ones are done and every connection closed. */
  close(): Promise<void> {
    this.closing = true;
    for (const c of this.idle.splice(0)) c.destroy();
    return this.settled();
  }

  /** Fails every request, queued or in flight, and closes every connection. */
  destroy(): Promise<void> {
    this.closing = true;
    this.destroyed = true;
    const err = new WireClientError('UND_ERR_DESTROYED', `pool for ${this.host}:${this.port} was destroyed`);
    for (const d of this.queue.splice(0)) this.fail(d, err);
    this.idle.length = 0;
    for (const c of this.all) c.destroy(err);
    return this.settled();
  }

  private settled(): Promise<void> {
    if (this.all.size === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => { this.whenEmpty = resolve; });
  }

  abort(d: Dispatch, err?: Error): void {
    if (d.done) return;
    const c = d.conn;
    if (c === null) {
      const i = this.queue.indexOf(d);
      if (i >= 0) this.queue.splice(i, 1);
    } else {
      c.abandon(d);
    }
    this.fail(d, err ?? new WireClientError('UND_ERR_ABORTED', 'Request aborted'));
  }

  /** Ends a request with an error (once). */
  fail(d: Dispatch, err: Error): void {
    if (d.done) return;
    d.done = true;
    d.conn = null;
    d.handler.onError?.(err);
  }

  /** The most recently used idle connection that is still open. */
  private takeIdle(): ClientConnection | undefined {
    let c = this.idle.pop();
    while (c !== undefined && c.socket.destroyed) c = this.idle.pop();
    return c;
  }

  private enqueue(d: Dispatch): void {
    this.queue.push(d);
    this.grow();
  }

  /** Opens connections while queued requests outnumber those being opened. */
  private grow(): void {
    while (this.queue.length > this.connecting && this.all.size < this.max) {
      this.connecting++;
      this.all.add(new ClientConnection(this));
    }
  }

  /** From a connection: it connected. */
  connected(c: ClientConnection): void {
    this.connecting--;
    this.release(c);
  }

  /** From a connection: it could not connect. The oldest waiting request gets the error. */
  connectFailed(c: ClientConnection, err: Error): void {
    this.connecting--;
    this.forget(c);
    const d = this.queue.shift();
    if (d !== undefined) this.fail(d, err);
    this.grow();
    this.checkEmpty();
  }

  /** From a connection: ready for a request. */
  release(c: ClientConnection): void {
    const d = this.queue.shift();
    if (d !== undefined) c.send(d);
    else if (this.closing) c.destroy();
    else {
      c.idleSince = this.sweeper.ticks;
      this.idle.push(c);
      this.sweeper.start();
    }
  }

  /** Closes connections idle past their limit. */
  private sweep(): void {
    const idle = this.idle;
    for (let i = idle.length - 1; i >= 0; i--) {
      const c = idle[i]!;
      if (this.sweeper.due(c.idleSince, c.idleLimitMs)) {
        idle.splice(i, 1);
        c.destroy();
      }
    }
    if (idle.length === 0) this.sweeper.stop();
  }

  /** From a connection: it closed. */
  closed(c: ClientConnection): void {
    this.forget(c);
    this.grow();
    this.checkEmpty();
  }

  /** From a connection: a request found its reused connection closed before any answer. */
  resend(d: Dispatch): void {
    d.retried = true;
    d.conn = null;
    const c = this.takeIdle();
    if (c !== undefined) c.send(d);
    else this.enqueue(d);
  }

  private forget(c: ClientConnection): void {
    this.all.delete(c);
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
    if (this.idle.length === 0) this.sweeper.stop();
  }

  private checkEmpty(): void {
    if (this.whenEmpty !== undefined && this.all.size === 0 && this.queue.length === 0) {
      const resolve = this.whenEmpty;
      this.whenEmpty = undefined;
      resolve();
    }
  }
}

enum Conn { Connecting, Ready, Closed }

class ClientConnection implements BodyReceiver, BodySink {
  readonly socket: Socket;
  private state = Conn.Connecting;
  private d: Dispatch | null = null;
  private readonly head = responseParser();
  private readonly body = new BodyDecoder(MAX_RESPONSE_HEAD_BYTES);
  /** Reading the response body (false: still the head). */
  private inBody = false;
  /** Bytes kept between reads (a partial head, or input held while the handler paused us); never the shared buffer. */
  private input: Buffer | null = null;
  private paused = false;
  private keepAlive = true;
  /** A response byte arrived for the current request. */
  private answered = false;
  /** This connection served a request before the current one. */
  private reused = false;
  /** The request (head and body) has been written completely. */
  private requestSent = false;
  private source: BodySource | null = null;
  private sourceChunked = false;
  private sourceRemaining = 0;
  private sourceWaiting = false;
  private error: Error | undefined;
  /** How long this connection may stay idle: the pool's keepAliveTimeout, or less per the upstream's hint. */
  idleLimitMs: number;
  /** The pool's sweeper tick at which it went idle. */
  idleSince = 0;
  private lastKeepAlive: string | undefined;
  /** The `resume` given to handlers: one per connection. */
  private readonly resumeFn = (): void => this.resume();

  constructor(private readonly pool: WirePool) {
    this.socket = connect({
      host: pool.host,
      port: pool.port,
      onread: sharedReads((n, buf) => this.onRead(n, buf)),
    });
    this.socket.setNoDelay(true);
    this.idleLimitMs = pool.opts.keepAliveTimeout;
    this.socket.setTimeout(pool.opts.connectTimeout);
    this.socket.on('connect', this.onConnect);
    this.socket.on('error', this.onError);
    this.socket.on('end', this.onEnd);
    this.socket.on('close', this.onClose);
    this.socket.on('timeout', this.onTimeout);
    this.socket.on('drain', this.onDrain);
  }

  private readonly onConnect = (): void => {
    this.state = Conn.Ready;
    this.socket.setTimeout(0); // from here on the pool's sweeper watches idleness
    this.pool.connected(this);
  };

  /** Writes the request `d` (the connection is idle). */
  send(d: Dispatch): void {
    this.d = d;
    d.conn = this;
    this.inBody = false;
    this.answered = false;
    this.paused = false;
    this.keepAlive = true;
    const o = d.opts;
    const method = o.method;
    const body = o.body ?? null;
    const streamed = body !== null && !Buffer.isBuffer(body);
    // Heads are joined with `+`, not templates: a template converts each part with a call.
    let h = method + ' ' + o.path + ' HTTP/1.1\r\n';
    let host = false;
    let declared = -1;
    const headers = o.headers;
    if (headers != null) {
      for (let i = 0; i < headers.length; i += 2) {
        const name = headers[i]!, value = headers[i + 1]!;
        const f = fieldOf(name);
        if (f !== Field.Other) {
          if (f === Field.Host) host = true;
          else if (f === Field.ContentLength) { declared = Number(value); continue; }
          // Connection-level fields belong to this hop; the body is sent without waiting for 100.
          else continue;
        }
        h += name + ': ' + value + '\r\n';
      }
    }
    if (!host) h += this.pool.hostHeader;
    const socket = this.socket;
    if (streamed) {
      if (declared >= 0) {
        h += `content-length: ${declared}\r\n\r\n`;
        this.sourceChunked = false;
        this.sourceRemaining = declared;
      } else {
        h += 'transfer-encoding: chunked\r\n\r\n';
        this.sourceChunked = true;
      }
      this.requestSent = false;
      writeText(socket, h);
      const source = body instanceof WireRequest ? body : new ReadableSource(body as Readable);
      this.source = source;
      this.sourceWaiting = false;
      source.pipeBody(this);
      return;
    }
    this.requestSent = true;
    const len = body === null ? 0 : body.length;
    if (len > 0 || declared >= 0 || method === 'POST' || method === 'PUT' || method === 'PATCH') h += `content-length: ${len}\r\n`;
    h += '\r\n';
    if (len === 0) writeText(socket, h);
    else if (len <= INLINE_BODY_BYTES) writeText(socket, h + latin1(body!, 0, len));
    else {
      socket.cork();
      socket.write(h, 'latin1');
      socket.write(body!);
      socket.uncork();
    }
  }

  // Request body (BodySink).

  bodyChunk(chunk: Buffer): boolean {
    if (this.source === null || chunk.length === 0) return true;
    const socket = this.socket;
    let ok: boolean;
    if (this.sourceChunked) {
      socket.cork();
      socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      socket.write(chunk);
      ok = socket.write('\r\n', 'latin1');
      socket.uncork();
    } else {
      if (chunk.length > this.sourceRemaining) {
        this.bodyError(new WireClientError('UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', 'request body longer than its content-length'));
        return false;
      }
      this.sourceRemaining -= chunk.length;
      ok = socket.write(chunk);
    }
    if (!ok) this.sourceWaiting = true;
    return ok;
  }

  bodyEnd(): void {
    if (this.source === null) return;
    this.source = null;
    if (this.sourceChunked) this.socket.write('0\r\n\r\n', 'latin1');
    else if (this.sourceRemaining !== 0) {
      this.bodyError(new WireClientError('UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', 'request body shorter than its content-length'));
      return;
    }
    this.requestSent = true;
  }

  bodyError(err: Error): void {
    const source = this.source;
    this.source = null;
    source?.unpipeBody(this);
    const d = this.d;
    if (d === null) return;
    this.abandon(d);
    this.pool.fail(d, err);
  }

  private readonly onDrain = (): void => {
    if (this.sourceWaiting && this.source !== null) {
      this.sourceWaiting = false;
      this.source.resume();
    }
  };

  // Response.

  private onRead(nread: number, shared: Buffer): boolean {
    if (this.d === null) {
      // Bytes with no request outstanding: the upstream broke the protocol; this connection is done.
      this.destroy();
      return false;
    }
    this.answered = true;
    const kept = this.input;
    if (kept !== null) {
      this.input = null;
      const joined = Buffer.concat([kept, shared.subarray(0, nread)], kept.length + nread);
      return this.consume(joined, 0, joined.length, false);
    }
    return this.consume(shared, 0, nread, true);
  }

  /** Parses `buf[pos, end)`; false pauses reading. `shared`: `buf` is the shared read buffer. */
  private consume(buf: Buffer, pos: number, end: number, shared: boolean): boolean {
    const d = this.d!;
    while (pos < end) {
      if (!this.inBody) {
        const i = headEnd(buf, pos, end);
        if (i < 0) {
          if (end - pos > MAX_RESPONSE_HEAD_BYTES) return this.protocolError(d, 'HPE_HEADER_OVERFLOW', 'response head too large');
          this.input = copyOut(buf, pos, end);
          return true;
        }
        const at = pos;
        pos = i + 4;
        if (!this.head.parseResponse(latin1(buf, at, i + 2), buf, at)) return this.protocolError(d, this.head.errorCode, this.head.errorMessage);
        if (!this.responseHead(d)) return false;
      } else {
        pos = this.body.feed(buf, pos, end, this);
        if (pos < 0) return this.protocolError(d, this.body.errorCode, this.body.errorMessage);
        if (this.d !== d) return false; // aborted by the handler
      }
      if (this.inBody && this.body.done) {
        // No pipelining: anything after a complete response is a protocol error; don't reuse.
        this.complete(d, pos < end);
        return true;
      }
      if (this.paused) {
        if (pos < end) this.input = shared ? copyOut(buf, pos, end) : buf.subarray(pos, end);
        return false;
      }
    }
    return true;
  }

  /** A response head was parsed: 1xx is skipped, the body framing set, the handler told. */
  private responseHead(d: Dispatch): boolean {
    const h = this.head;
    const status = h.status;
    if (status < 200) {
      if (status === 101) return this.protocolError(d, 'UND_ERR_SOCKET', 'upstream switched protocols, which is not supported');
      return true; // 100 Continue, 102, 103: the final response follows
    }
    const method = d.opts.method;
    const te = h.transferEncoding;
    if (method === 'HEAD' || status === 204 || status === 304) this.body.none();
    else if (te !== undefined) {
      if (endsWithChunked(te)) this.body.chunked(); else this.body.untilClose();
    } else if (h.contentLength >= 0) this.body.length(h.contentLength);
    else this.body.untilClose();
    const conn = h.connection;
    this.keepAlive = h.version === '1.1' ? conn === undefined || !hasToken(conn, 'close') : conn !== undefined && hasToken(conn, 'keep-alive');
    // A HEAD response may be followed by a body a broken server sends anyway: don't reuse (as undici).
    if (this.body.framing === Framing.UntilClose || method === 'HEAD') this.keepAlive = false;
    if (h.keepAlive !== undefined && h.keepAlive !== this.lastKeepAlive) this.keepAliveHint(h.keepAlive);
    this.inBody = true;
    const handler = d.handler;
    if (handler.onHeaders !== undefined && !handler.onHeaders(status, h.raw, this.resumeFn, h.reason)) this.paused = true;
    return this.d === d;
  }

  /** `Keep-Alive: timeout=N` from the upstream: go idle for less than it will. */
  private keepAliveHint(value: string): void {
    this.lastKeepAlive = value;
    const i = value.indexOf('timeout=');
    if (i < 0) return;
    const seconds = parseInt(value.slice(i + 8), 10);
    if (!(seconds > 0)) return;
    // A second of margin for the time the answer takes to reach us.
    const ms = Math.min(this.pool.opts.keepAliveTimeout, seconds * 1000 - 1000);
    if (ms <= 0) this.keepAlive = false;
    else this.idleLimitMs = ms;
  }

  /** Response body bytes (copied: the read buffer is shared). */
  bodyData(buf: Buffer, start: number, end: number): boolean {
    const d = this.d!;
    const chunk = copyOut(buf, start, end);
    const h = d.handler;
    if (h.onData !== undefined && !h.onData(chunk)) this.paused = true;
    return this.d === d && !this.paused;
  }

  private complete(d: Dispatch, trailing: boolean): void {
    const trailers = this.body.trailers;
    this.d = null;
    this.input = null;
    d.done = true;
    d.conn = null;
    if (this.source !== null) {
      // Answered before the whole body was sent: stop sending; the connection can't be reused.
      this.source.unpipeBody(this);
      this.source = null;
    }
    const reusable = this.keepAlive && this.requestSent && !trailing && this.state === Conn.Ready;
    this.reused = true;
    if (reusable) this.pool.release(this);
    else this.destroy();
    d.handler.onComplete?.(trailers);
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const input = this.input;
    this.input = null;
    if (input !== null && this.d !== null && !this.consume(input, 0, input.length, false)) return;
    this.socket.resume();
  }

  private protocolError(d: Dispatch, code: string, message: string): false {
    this.abandon(d);
    this.pool.fail(d, new WireClientError(code, `invalid response from ${this.pool.host}:${this.pool.port}: ${message}`));
    return false;
  }

  /** The current request is given up: the connection can't carry another one. */
  abandon(d: Dispatch): void {
    if (this.d !== d) return;
    this.d = null;
    const source = this.source;
    this.source = null;
    source?.unpipeBody(this);
    this.destroy();
  }

  destroy(err?: Error): void {
    if (err !== undefined) this.error ??= err;
    this.socket.destroy();
  }

  private readonly onTimeout = (): void => {
    if (this.state === Conn.Connecting) {
      this.destroy(new WireClientError('UND_ERR_CONNECT_TIMEOUT', `connect to ${this.pool.host}:${this.pool.port} timed out after ${this.pool.opts.connectTimeout} ms`));
    }
  };

  private readonly onError = (err: Error): void => {
    this.error ??= err;
  };

  /** The upstream finished sending: a close-delimited body ends here; anything else was cut short. */
  private readonly onEnd = (): void => {
    const d = this.d;
    if (d === null) {
      // Closed by the upstream while idle: out of the idle list now, before anyone picks it.
      this.pool.closed(this);
    } else if (this.inBody && this.body.eof()) {
      this.keepAlive = false;
      this.complete(d, false);
    }
  };

  private readonly onClose = (): void => {
    const wasConnecting = this.state === Conn.Connecting;
    this.state = Conn.Closed;
    const d = this.d;
    this.d = null;
    const source = this.source;
    this.source = null;
    source?.unpipeBody(this);
    if (wasConnecting) {
      this.pool.connectFailed(this, this.error ?? new WireClientError('UND_ERR_SOCKET', `connection to ${this.pool.host}:${this.pool.port} closed while connecting`));
      return;
    }
    this.pool.closed(this);
    if (d === null || d.done) return;
    if (!this.answered && this.reused && !d.retried && d.replayable) {
      this.pool.resend(d);
      return;
    }
    this.pool.fail(d, this.error ?? new WireClientError('UND_ERR_SOCKET', `other side closed: ${this.pool.host}:${this.pool.port}`));
  };
}

function responseParser(): HeadParser {
  const p = new HeadParser();
  p.keepConnectionFields = false;
  return p;
}

/** A node Readable as a request body source. */
class ReadableSource implements BodySource {
  private sink: BodySink | null = null;
  constructor(private readonly stream: Readable) {}

  pipeBody(sink: BodySink): void {
    this.sink = sink;
    this.stream.on('data', this.onData);
    this.stream.once('end', this.onEnd);
    this.stream.once('error', this.onError);
    this.stream.resume();
  }

  unpipeBody(): void {
    this.sink = null;
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('error', this.onError);
  }

  resume(): void { this.stream.resume(); }

  private readonly onData = (chunk: Buffer | string): void => {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.sink !== null && !this.sink.bodyChunk(buf)) this.stream.pause();
  };

  private readonly onEnd = (): void => { this.sink?.bodyEnd([]); };
  private readonly onError = (err: Error): void => { this.sink?.bodyError(err); };
}
