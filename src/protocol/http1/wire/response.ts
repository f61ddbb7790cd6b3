/**
 * A response written by the wire server's handler, in the subset of node's ServerResponse the
 * router uses: `writeHead`, `write` (false when the socket is full; 'drain' follows), `end`,
 * `destroy`, `headersSent`, `destroyed`, `shouldKeepAlive`, and 'finish' / 'close' / 'drain'.
 * 'finish' and 'close' follow `end()` on the next tick, for the listeners registered by then.
 *
 * The head is held until the body starts moving, so a whole small response (head and body) goes
 * out in one socket write, and a response whose length was not given but that ends right away
 * gets a Content-Length instead of chunked framing. Body written before the end of the current
 * tick is coalesced the same way; after that, bytes go to the socket as they come.
 *
 * Responses to pipelined requests are written in request order: until the earlier ones are done,
 * a response is "detached" and keeps its bytes in memory.
 */
import { Buffer } from 'node:buffer';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { latin1 } from './codecs.js';
import type { WireRequest } from './request.js';
import { Signals } from './signals.js';
import { Field, fieldOf, hasToken, endsWithChunked } from './syntax.js';
import { INLINE_BODY_BYTES, writeText } from './writes.js';

/** What a response needs from its connection. */
export interface ResponseChannel {
  readonly socket: Socket;
  /** The server is shutting down: responses close their connection. */
  readonly draining: boolean;
  /** The handler ended `res` (its bytes may still wait behind earlier responses). */
  responseEnded(res: WireResponse): void;
  /** The handler destroyed `res`: the connection goes down with it. */
  responseDestroyed(res: WireResponse, err?: Error): void;
}

/** Body held back with the head (to go out together) until the end of the tick, or up to this much. */
const HOLD_BYTES = 16 * 1024;
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

export type HeaderList = readonly string[] | Readonly<Record<string, string | number | readonly string[]>>;

export class WireResponse extends Signals {
  statusCode = 200;
  /** The head has been committed (writeHead called, or the body started). */
  headersSent = false;
  /** The response was cut off (destroyed, or its connection went away before it ended). */
  destroyed = false;
  /** `end()` has been called. */
  writableEnded = false;
  /** False: `Connection: close` is sent and the connection closes after this response. */
  shouldKeepAlive: boolean;
  /** Earlier responses on the connection are done: bytes go to the socket, not to `held`. */
  private attached = false;
  private held: (string | Buffer)[] | null = null;
  /** Status line and the handler's header fields, without framing headers or the final CRLF. */
  private head = '';
  /** Handed to the socket (or held, when detached). */
  private flushed = false;
  private flushScheduled = false;
  private pending: Buffer | Buffer[] | null = null;
  private pendingBytes = 0;
  private chunked = false;
  /** No body may be sent: HEAD, 1xx, 204, 304. */
  private bodyless = false;
  /** Content-Length given by the handler (-1: none). */
  private declaredLength = -1;
  private bodyBytes = 0;
  /** The handler gave a Transfer-Encoding: none is added (and chunked is encoded if it ends with it). */
  private teByHandler = false;
  private connectionByHandler = false;
  private closeEmitted = false;
  private doneScheduled = false;
  /** The request asked for `100 Continue`, not yet sent. */
  expectsContinue = false;

  constructor(private readonly channel: ResponseChannel, readonly req: WireRequest, keepAlive: boolean) {
    super();
    this.shouldKeepAlive = keepAlive;
  }

  get socket(): Socket { return this.channel.socket; }

  /**
   * Commits the status and header fields: `headers` as a flat [name, value, …] list or an object.
   * Framing (Content-Length / chunked / close) is added as needed when the head is sent.
   */
  writeHead(status: number, reasonOrHeaders?: string | HeaderList, headers?: HeaderList): this {
    if (this.headersSent) throw new Error('writeHead: the response head was already sent');
    if (!Number.isInteger(status) || status < 100 || status > 999) throw new RangeError(`invalid status code ${status}`);
    let reason: string | undefined;
    let fields: HeaderList | undefined = headers;
    if (typeof reasonOrHeaders === 'string') reason = reasonOrHeaders;
    else if (reasonOrHeaders !== undefined) fields = reasonOrHeaders;
    this.statusCode = status;
    this.headersSent = true;
    this.bodyless = status < 200 || status === 204 || status === 304 || this.req.method === 'HEAD';
    let h = statusLine(status, reason);
    if (fields !== undefined) {
      if (Array.isArray(fields)) {
        const list = fields as readonly string[];
        for (let i = 0; i < list.length; i += 2) {
          const name = list[i]!, value = list[i + 1]!;
          h += name + ': ' + value + '\r\n'; // `+`, not a template: a template converts each part with a call
          const f = fieldOf(name);
          if (f !== Field.Other) this.note(f, value);
        }
      } else {
        for (const [name, v] of Object.entries(fields as Record<string, string | number | readonly string[]>)) {
          for (const value of Array.isArray(v) ? v as readonly string[] : [String(v)]) {
            h += `${name}: ${value}\r\n`;
            const f = fieldOf(name);
            if (f !== Field.Other) this.note(f, value);
          }
        }
      }
    }
    this.head = h;
    return this;
  }

  private note(f: Field, value: string): void {
    if (f === Field.ContentLength) this.declaredLength = Number(value);
    else if (f === Field.TransferEncoding) { this.teByHandler = true; this.chunked = endsWithChunked(value); }
    else if (f === Field.Connection) { this.connectionByHandler = true; if (hasToken(value, 'close')) this.shouldKeepAlive = false; }
  }

  /** Writes body bytes. False when the socket's buffer is full: wait for 'drain'. */
  write(chunk: Buffer | string, encoding?: BufferEncoding): boolean {
    if (this.writableEnded || this.destroyed) return false;
    if (!this.headersSent) this.writeHead(this.statusCode);
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
    if (buf.length === 0 || this.bodyless) return true;
    this.bodyBytes += buf.length;
    if (!this.flushed) {
      this.hold(buf);
      // The declared length is complete (the usual small response): nothing can follow, send it now.
      if (this.pendingBytes > HOLD_BYTES || (this.declaredLength >= 0 && this.bodyBytes >= this.declaredLength)) {
        this.flush(false);
        return this.attached ? !this.channel.socket.writableNeedDrain : true;
      }
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        process.nextTick(flushSoon, this);
      }
      return true;
    }
    return this.sendChunk(buf);
  }

  /** Ends the response (with a last chunk of body). */
  end(chunk?: Buffer | string | (() => void), encoding?: BufferEncoding): this {
    if (this.writableEnded || this.destroyed) return this;
    if (!this.headersSent) this.writeHead(this.statusCode);
    const buf = chunk === undefined || typeof chunk === 'function' ? undefined : typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
    this.writableEnded = true;
    const body = buf !== undefined && buf.length > 0 && !this.bodyless;
    const lastChunk = this.chunked && !this.bodyless;
    // Cork only when more than one write follows the head already sent.
    const corked = this.attached && this.flushed && body && lastChunk;
    if (corked) this.channel.socket.cork();
    if (body) {
      this.bodyBytes += buf.length;
      if (this.flushed) this.sendChunk(buf);
      else this.hold(buf);
    }
    if (!this.flushed) this.flush(true);
    if (lastChunk) this.put('0\r\n\r\n');
    if (corked) this.channel.socket.uncork();
    // A body shorter or longer than the declared length leaves the connection unusable.
    if (this.declaredLength >= 0 && !this.bodyless && this.bodyBytes !== this.declaredLength) this.shouldKeepAlive = false;
    this.channel.responseEnded(this);
    this.scheduleDone();
    return this;
  }

  /** Cuts the response off: the connection is closed, and 'close' follows. */
  destroy(err?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.channel.responseDestroyed(this, err);
    return this;
  }

  /** From the connection: earlier responses are done; write what was held. */
  attach(): void {
    this.attached = true;
    const socket = this.channel.socket;
    if (this.expectsContinue && !this.headersSent) {
      this.expectsContinue = false;
      socket.write(CONTINUE, 'latin1');
    }
    const held = this.held;
    if (held === null) return;
    this.held = null;
    socket.cork();
    for (const b of held) typeof b === 'string' ? socket.write(b, 'latin1') : socket.write(b);
    socket.uncork();
  }

  /** From the connection: it closed. An unfinished response is destroyed; 'close' is emitted. */
  connectionClosed(): void {
    if (this.writableEnded && this.doneScheduled) return; // 'finish' and 'close' are on their way
    if (!this.writableEnded) this.destroyed = true;
    this.emitClose();
  }

  /** From the connection: its socket drained. */
  drained(): void { this.emit('drain'); }

  /** Sends the head (and whatever body was written so far). `ending`: this is the whole body. */
  flush(ending: boolean): void {
    if (this.flushed || this.destroyed) return;
    this.flushed = true;
    let h = this.head;
    let keep = this.shouldKeepAlive && !this.channel.draining;
    const v10 = this.req.httpVersion === '1.0';
    if (this.bodyless) {
      // no body, no framing
    } else if (this.teByHandler) {
      if (!this.chunked) keep = false; // a transfer coding other than chunked: delimited by closing
    } else if (this.declaredLength < 0) {
      if (ending) h += `content-length: ${this.pendingBytes}\r\n`;
      else if (!v10) { h += 'transfer-encoding: chunked\r\n'; this.chunked = true; }
      else keep = false; // an HTTP/1.0 body of unknown length is delimited by closing the connection
    }
    this.shouldKeepAlive = keep;
    if (!this.connectionByHandler) {
      if (!keep) h += 'connection: close\r\n';
      else if (v10) h += 'connection: keep-alive\r\n';
    }
    h += '\r\n';
    const p = this.pending;
    this.pending = null;
    this.pendingBytes = 0;
    if (p === null) {
      this.put(h);
    } else if (!Array.isArray(p) && !this.chunked && p.length <= INLINE_BODY_BYTES) {
      this.put(h + latin1(p, 0, p.length));
    } else {
      const attached = this.attached;
      if (attached) this.channel.socket.cork();
      this.put(h);
      if (Array.isArray(p)) for (const b of p) this.sendChunk(b);
      else this.sendChunk(p);
      if (attached) this.channel.socket.uncork();
    }
  }

  private hold(buf: Buffer): void {
    const p = this.pending;
    this.pending = p === null ? buf : Array.isArray(p) ? (p.push(buf), p) : [p, buf];
    this.pendingBytes += buf.length;
  }

  private sendChunk(buf: Buffer): boolean {
    if (!this.chunked) return this.put(buf);
    const attached = this.attached;
    if (attached) this.channel.socket.cork();
    this.put(`${buf.length.toString(16)}\r\n`);
    this.put(buf);
    const ok = this.put('\r\n');
    if (attached) this.channel.socket.uncork();
    return ok;
  }

  private put(data: string | Buffer): boolean {
    if (!this.attached) {
      (this.held ??= []).push(data);
      return true;
    }
    const socket = this.channel.socket;
    if (socket.destroyed) return false;
    return typeof data === 'string' ? writeText(socket, data) : socket.write(data);
  }

  private scheduleDone(): void {
    if (this.doneScheduled) return;
    this.doneScheduled = true;
    // Nobody is waiting for 'finish' or 'close' (the router has already settled its exchange):
    // done now, without a tick of its own.
    if (!this.listens('finish') && !this.listens('close') && !this.req.listens('close')) {
      this.closeEmitted = true;
      return;
    }
    process.nextTick(done, this);
  }

  /** 'finish' (the whole response was handed to the socket) then 'close'. */
  emitDone(): void {
    if (!this.destroyed) this.emit('finish');
    this.emitClose();
  }

  private emitClose(): void {
    if (this.closeEmitted) return;
    this.closeEmitted = true;
    this.emit('close');
    this.req.closed();
  }
}

/** Status lines with the standard reason phrase, by status code, built on first use. */
const STATUS_LINES: string[] = [];

/** `HTTP/1.1 <status> <reason>` CRLF; the usual one (the standard reason, or none given) is built once. */
function statusLine(status: number, reason: string | undefined): string {
  const standard = STATUS_CODES[status];
  if (reason !== undefined && reason !== standard) return `HTTP/1.1 ${status} ${reason}\r\n`;
  return (STATUS_LINES[status] ??= `HTTP/1.1 ${status} ${standard ?? 'Unknown'}\r\n`);
}

function flushSoon(res: WireResponse): void {
  if (!res.writableEnded) res.flush(false);
}

function done(res: WireResponse): void {
  res.emitDone();
}
