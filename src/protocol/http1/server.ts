/**
 * An HTTP/1.1 listener in front of a router: connection accounting, maxConcurrentRequests,
 * precise answers to malformed requests, and graceful drain on shutdown.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { encodeL5dErr, RouterError, sendError } from './errors.js';

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

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export class Http1Listener {
  readonly server: Server;
  private inFlight = 0;
  private readonly sockets = new Set<Socket>();
  private draining = false;
  /** Observability hooks: connections and in-flight requests as gauges. */
  get connections(): number { return this.sockets.size; }
  get pending(): number { return this.inFlight; }

  constructor(readonly opts: ListenerOptions, handler: Handler, onRejected?: (status: number) => void) {
    const errOpts = { maxHeaderBytes: opts.maxHeadersBytes, maxBodyBytes: opts.maxErrResponseBytes, clearContext: opts.clearContext };
    this.server = createServer({
      maxHeaderSize: opts.maxHeadersBytes,
      keepAliveTimeout: opts.keepAliveTimeoutMs ?? 60_000,
      requestTimeout: 0, // bodies may stream for as long as they need
      headersTimeout: 60_000,
      noDelay: true,
    }, (req, res) => {
      if (this.draining) res.shouldKeepAlive = false;
      const limit = opts.maxConcurrentRequests;
      if (limit !== undefined && this.inFlight >= limit) {
        onRejected?.(503);
        sendError(res, new RouterError(503, `Server has reached its limit of ${limit} concurrent requests`), errOpts);
        req.resume();
        return;
      }
      this.inFlight++;
      let counted = true;
      const done = () => { if (counted) { counted = false; this.inFlight--; this.maybeDrained(); } };
      res.once('finish', done);
      res.once('close', done);
      handler(req, res);
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => { this.sockets.delete(s); this.maybeDrained(); });
    });
    // Malformed requests get a precise 400/431 from us, never a crash or a silent close.
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.writable || (err.code === 'ECONNRESET')) { socket.destroy(); return; }
      const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
      const status = tooLarge ? 431 : 400;
      onRejected?.(status);
      const msg = tooLarge ? `Request headers exceed ${opts.maxHeadersBytes} bytes` : `Bad request: ${err.code ?? ''} ${err.message}`.trim();
      const headers = opts.clearContext ? '' : `l5d-err: ${encodeL5dErr(msg, opts.maxHeadersBytes)}\r\n`;
      const body = opts.clearContext ? '' : msg;
      socket.end(`HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nconnection: close\r\ncontent-type: text/plain\r\n${headers}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  listen(): Promise<{ ip: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once('error', onError);
      this.server.listen(this.opts.port, this.opts.ip, () => {
        this.server.off('error', onError);
        const a = this.server.address();
        resolve({ ip: this.opts.ip, port: typeof a === 'object' && a ? a.port : this.opts.port });
      });
    });
  }

  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : this.opts.port;
  }

  private drained: (() => void) | undefined;
  private maybeDrained(): void {
    if (!this.draining) return;
    this.server.closeIdleConnections();
    if (this.inFlight === 0) this.drained?.();
  }

  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts the rest. */
  async close(graceMs: number): Promise<void> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        const t = setTimeout(resolve, graceMs);
        t.unref();
      });
    }
    for (const s of this.sockets) s.destroy();
    this.server.closeAllConnections();
    await closed;
  }
}
