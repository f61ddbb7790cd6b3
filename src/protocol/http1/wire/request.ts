/**
 * A request received by the wire server: its head, and its body as a minimal readable stream.
 *
 * The body is pulled, not pushed: the connection decodes body bytes only while the request is
 * flowing (a 'data' listener, `resume()`, or a `pipeBody` sink), so an unread body stays in the
 * socket and backpressure needs no buffering here. `pipeBody` is the client pool's fast path:
 * chunks go straight to the sink, with no events in between.
 */
import type { Socket } from 'node:net';
import { Signals } from './signals.js';

/** What a request needs from the connection that received it. */
export interface RequestChannel {
  readonly socket: Socket;
  /** The request's consumer wants body bytes: continue decoding (now, or on the next tick). */
  bodyWanted(req: WireRequest): void;
  /** Tears the connection down (`req.destroy()`). */
  destroy(err?: Error): void;
}

/** A consumer of a request body (the client pool forwarding it upstream). */
export interface BodySink {
  /** A chunk of body; false pauses the body until the sink calls `resume()` on the request. */
  bodyChunk(chunk: Buffer): boolean;
  /** The body is complete; `trailers` is a flat [name, value, …] list (usually empty). */
  bodyEnd(trailers: string[]): void;
  /** The body was cut short (the client went away, or its framing was invalid). */
  bodyError(err: Error): void;
}

/** Header names whose duplicates node drops (keeping the first), as `IncomingMessage.headers` does. */
const SINGLE = new Set(['age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host',
  'if-modified-since', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization',
  'referer', 'retry-after', 'server', 'user-agent']);

/** Header fields as node presents them: lower-cased names; duplicates joined, dropped, or (set-cookie) listed. */
export function headerObject(raw: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const prev = out[name];
    if (prev === undefined) out[name] = name === 'set-cookie' ? [value] : value;
    else if (name === 'set-cookie') (prev as string[]).push(value);
    else if (!SINGLE.has(name)) out[name] = `${prev as string}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  return out;
}

export class WireRequest extends Signals {
  /** The whole body has been received. */
  complete: boolean;
  /** The body was cut short. */
  aborted = false;
  /** 'end' has been emitted (or delivered to the sink). */
  readableEnded = false;
  /** Trailer fields of a chunked body, flat, once complete. */
  rawTrailers: string[] = [];
  /** Body bytes are wanted now (the connection decodes only while this is set). */
  flowing = false;
  private paused = false;
  private sink: BodySink | null = null;
  private headerMap: Record<string, string | string[]> | undefined;

  constructor(
    private readonly channel: RequestChannel,
    readonly method: string,
    readonly url: string,
    /** `'1.1'` or `'1.0'`. */
    readonly httpVersion: string,
    /** Header fields as received: a flat [name, value, …] list of latin1 strings. */
    readonly rawHeaders: string[],
    hasBody: boolean,
  ) {
    super();
    this.complete = !hasBody;
  }

  get socket(): Socket { return this.channel.socket; }

  /** Lower-cased header map, built on first use. */
  get headers(): Record<string, string | string[]> {
    return (this.headerMap ??= headerObject(this.rawHeaders));
  }

  /** A 'data' listener starts the body flowing (unless paused), as on node streams. */
  override on(event: string, fn: (...args: any[]) => void): this {
    super.on(event, fn);
    if (event === 'data' && !this.paused) this.flow();
    return this;
  }

  override once(event: string, fn: (...args: any[]) => void): this {
    super.once(event, fn);
    if (event === 'data' && !this.paused) this.flow();
    return this;
  }

  /** Starts the body flowing; with no 'data' listener and no sink, the body is discarded. */
  resume(): this {
    this.paused = false;
    this.flow();
    return this;
  }

  pause(): this {
    this.paused = true;
    this.flowing = false;
    return this;
  }

  /** Sends the body to `sink` (from its current position), with backpressure through `resume()`. */
  pipeBody(sink: BodySink): void {
    this.sink = sink;
    this.resume();
  }

  /** Detaches `sink`; the rest of the body waits (and is discarded once the response is done). */
  unpipeBody(sink: BodySink): void {
    if (this.sink !== sink) return;
    this.sink = null;
    this.flowing = false;
  }

  /** Discards whatever is left of the body (node's `_dump`): the connection can move on. */
  dump(): void {
    if (this.readableEnded) return;
    this.sink = null;
    this.removeAll('data');
    this.resume();
  }

  destroy(err?: Error): this {
    this.channel.destroy(err);
    return this;
  }

  private flow(): void {
    if (this.flowing) return;
    this.flowing = true;
    if (this.complete) {
      if (!this.readableEnded) process.nextTick(endNow, this);
    } else {
      this.channel.bodyWanted(this);
    }
  }

  /** From the connection: body bytes. Returns whether more are wanted now. */
  receive(chunk: Buffer): boolean {
    const sink = this.sink;
    if (sink !== null) {
      if (!sink.bodyChunk(chunk)) this.flowing = false;
    } else {
      this.emit('data', chunk);
    }
    return this.flowing;
  }

  /** From the connection: the body is complete. */
  received(trailers: string[]): void {
    this.complete = true;
    if (trailers.length > 0) this.rawTrailers = trailers;
    if (this.flowing) this.emitEnd();
  }

  /** From the connection: the body was cut short. */
  abort(err: Error): void {
    if (this.complete || this.aborted) return;
    this.aborted = true;
    const sink = this.sink;
    this.sink = null;
    if (sink !== null) sink.bodyError(err);
    this.emit('aborted');
    this.emit('error', err);
    this.emit('close');
  }

  /** From the connection: the exchange is over (response done or connection gone). */
  closed(): void {
    if (!this.aborted) this.emit('close');
  }

  /** Emits 'end' (or ends the sink) once. */
  emitEnd(): void {
    if (this.readableEnded) return;
    this.readableEnded = true;
    const sink = this.sink;
    if (sink !== null) {
      this.sink = null;
      sink.bodyEnd(this.rawTrailers);
    } else {
      this.emit('end');
    }
  }
}

function endNow(req: WireRequest): void {
  if (req.flowing) req.emitEnd();
}
