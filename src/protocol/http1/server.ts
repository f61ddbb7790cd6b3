/**
 * An HTTP/1.1 listener in front of a router: connection accounting, maxConcurrentRequests,
 * precise answers to malformed requests, and graceful drain on shutdown. The protocol work is
 * the wire engine's (`./wire/server.ts`).
 */
import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { encodeL5dErr, RouterError, sendError } from './errors.js';
import type { RequestRejectedError } from './wire/errors.js';
import type { WireRequest } from './wire/request.js';
import type { WireResponse } from './wire/response.js';
import { WireServer } from './wire/server.js';

export interface ListenerOptions {
  ip: string;
  port: number;
  clearContext: boolean;
  maxConcurrentRequests?: number | undefined;
  maxHeadersBytes: number;
  maxErrResponseBytes: number;
  /** Keep-alive idle time for client connections. */
  keepAliveTimeoutMs?: number;
}

/**
 * The router's request handler, typed with the node:http classes the router is written against.
 * It receives the wire engine's WireRequest / WireResponse, which provide the members it uses.
 */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const REASONS: Record<number, string> = {
  400: 'Bad Request', 408: 'Request Timeout', 417: 'Expectation Failed', 431: 'Request Header Fields Too Large',
  501: 'Not Implemented', 505: 'HTTP Version Not Supported',
};

export class Http1Listener {
  readonly server: WireServer;
  /** Observability hooks: connections and in-flight requests as gauges. */
  get connections(): number { return this.server.connections; }
  get pending(): number { return this.server.inFlight; }

  constructor(readonly opts: ListenerOptions, handler: Handler, onRejected?: (status: number) => void) {
    const errOpts = { maxHeaderBytes: opts.maxHeadersBytes, maxBodyBytes: opts.maxErrResponseBytes, clearContext: opts.clearContext };
    const handle = handler as unknown as (req: WireRequest, res: WireResponse) => void;
    const limit = opts.maxConcurrentRequests;
    this.server = new WireServer((req, res) => {
      // inFlight counts this request too.
      if (limit !== undefined && this.server.inFlight > limit) {
        onRejected?.(503);
        sendError(res as unknown as ServerResponse, new RouterError(503, `Server has reached its limit of ${limit} concurrent requests`), errOpts);
        req.resume();
        return;
      }
      handle(req, res);
    }, {
      maxHeaderBytes: opts.maxHeadersBytes,
      keepAliveTimeoutMs: opts.keepAliveTimeoutMs ?? 60_000,
      headersTimeoutMs: 60_000,
    });
    // Malformed requests get a precise answer from us, never a crash or a silent close.
    this.server.on('clientError', (err: RequestRejectedError, socket: Socket) => {
      if (!socket.writable) { socket.destroy(); return; }
      onRejected?.(err.status);
      const msg = err.status === 431 ? `Request headers exceed ${opts.maxHeadersBytes} bytes` : `Bad request: ${err.code} ${err.message}`;
      const headers = opts.clearContext ? '' : `l5d-err: ${encodeL5dErr(msg, opts.maxHeadersBytes)}\r\n`;
      const body = opts.clearContext ? '' : msg;
      socket.write(`HTTP/1.1 ${err.status} ${REASONS[err.status]}\r\nconnection: close\r\ncontent-type: text/plain\r\n${headers}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      socket.destroySoon();
    });
  }

  listen(): Promise<{ ip: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once('error', onError);
      this.server.listen(this.opts.port, this.opts.ip, () => {
        this.server.off('error', onError);
        resolve({ ip: this.opts.ip, port: this.port });
      });
    });
  }

  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : this.opts.port;
  }

  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts the rest. */
  async close(graceMs: number): Promise<void> {
    // Idle connections close now; busy ones answer with `Connection: close` and close after.
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.server.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const done = () => { clearTimeout(t); this.server.off('drained', done); resolve(); };
        const t = setTimeout(done, graceMs);
        t.unref();
        this.server.on('drained', done);
      });
    }
    this.server.closeIdleConnections();
    if (this.server.inFlight > 0) this.server.closeAllConnections();
    await closed;
  }
}
