/**
 * One request through the router after identification: bind → pick → forward, with retries,
 * requeues, timeouts and deadlines. An Exchange is created per request and an Attempt per try;
 * the Attempt is itself the wire client's dispatch handler, so forwarding allocates no closures
 * (timeout callbacks are made only when a timeout is configured).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DispatchHandler } from '../protocol/http1/wire/client.js';
import type { Dtab } from '../naming/dtab.js';
import { classify, connectionTokens, H } from '../protocol/http1/headers.js';
import { RouterError, sendError, type ErrorResponseOptions } from '../protocol/http1/errors.js';
import type { RequestErrorKind } from '../resilience/response-classifier.js';
import type { BackoffSequence } from '../resilience/backoff.js';
import type { Timer } from '../time/clock.js';
import type { Binding } from './binding.js';
import type { ClientNode, ConcreteClient } from './client.js';
import type { ServiceState } from './service.js';
import type { RouterCore, ServerContext } from './router.js';

/** Errors that mean the request never reached the endpoint (safe to requeue). */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'ECONNRESET_BEFORE_WRITE']);
const MAX_REQUEUES = 25;
/** A response being discarded for a retry is drained up to this size, then the connection is cut instead. */
const MAX_DISCARD_BYTES = 64 * 1024;

export interface LocalDtab {
  readonly dtab: Dtab;
  readonly show: string;
  /** The service name last routed under this dtab, and its logical-cache key (built once). */
  lastService?: string;
  lastKey?: string;
}

export class Exchange {
  private committed = false;
  private finished = false;
  private requeues = 0;
  private attempt: Attempt | undefined;
  private totalTimer: Timer | undefined;
  private backoff: BackoffSequence | undefined;
  private status = 0;
  readonly method: string;
  readonly viaOut: string;

  constructor(
    readonly core: RouterCore,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly srv: ServerContext,
    readonly service: ServiceState,
    readonly serviceName: string,
    readonly local: LocalDtab,
    readonly uri: string,
    readonly out: string[],
    /** The request body: none, fully buffered (replayable), or streamed (not replayable). */
    private body: Buffer | null | 'stream',
    readonly start: number,
    readonly binding: Binding,
    remainingMs: number | undefined,
  ) {
    this.method = req.method ?? 'GET';
    this.viaOut = viaOf(req.httpVersion);
    binding.active++;
    res.on('close', this.onClientClose);
    service.budget.deposit(start);
    if (remainingMs !== undefined) {
      this.totalTimer = core.clock.setTimeout(() => this.onTotalTimeout(), remainingMs);
    }
  }

  get replayable(): boolean { return this.body !== 'stream'; }
  /** The buffered request body, once read. */
  setBody(body: Buffer): void { this.body = body; }
  get errorOptions(): ErrorResponseOptions { return this.core.errorOptions(this.srv.clearContext); }

  /** Routes once the binding has settled (the router waits for pending bindings); `now` is when. */
  route(now = this.core.clock.now()): void {
    if (this.finished) return;
    const s = this.binding.state;
    if (s.kind === 'pending') return this.fail(this.core.bindingTimeout(this.serviceName), 'binding_timeout');
    if (s.kind === 'neg') return this.fail(new RouterError(502, this.core.noRoute(this.serviceName, this.local.dtab)), 'no_route');
    if (s.kind === 'failed') return this.fail(new RouterError(502, `${this.core.noRoute(this.serviceName, this.local.dtab)}\n\n${s.error.message}`), 'binding_failed');
    const branch = this.binding.pick(this.core.random());
    if (!branch?.client) return this.fail(new RouterError(502, this.core.noRoute(this.serviceName, this.local.dtab)), 'no_route');
    const client = branch.client;
    this.out.push('l5d-dst-client', client.id);
    if (branch.residual !== '/') this.out.push('l5d-dst-residual', branch.residual);
    client.requeueBudget.deposit(now);
    if (client.state.kind === 'pending') {
      this.core.waitThen((ready) => client.whenReady(ready), this, () => this.dispatch(client));
    } else {
      this.dispatch(client, now);
    }
  }

  /** Sends an attempt to one of the client's endpoints; `now` is when. */
  dispatch(client: ConcreteClient, now = this.core.clock.now()): void {
    if (this.finished) return;
    const s = client.state;
    if (s.kind === 'pending') return this.fail(this.core.bindingTimeout(this.serviceName), 'binding_timeout');
    if (s.kind !== 'bound' || client.nodes.length === 0) {
      const why = s.kind === 'failed' ? `: ${s.cause}` : '';
      return this.fail(new RouterError(502, `No hosts are available for ${client.id}${why}\n\nservice name: ${this.serviceName}\nclient name: ${client.id}`), 'no_hosts');
    }
    const node = client.balancer.pick();
    if (!node) return this.fail(new RouterError(502, `No hosts are available for ${client.id}`), 'no_hosts');
    this.attempt = new Attempt(this, client, node, now);
    this.attempt.send(this.body === 'stream' ? this.req : this.body);
  }

  /** Decides what to do with a response: commit it to the client, or discard it and retry. */
  onResponse(a: Attempt, status: number, retryableHeader: boolean): 'commit' | 'discard' {
    const cls = this.service.classifier.classify({ method: this.method, status, retryableHeader, chunked: !this.replayable });
    a.success = cls === 'success';
    if (cls === 'retryable' && this.canRetry()) return 'discard';
    this.status = status;
    this.committed = true;
    this.totalTimer?.cancel();
    return 'commit';
  }

  /** After a discarded response has been drained (or cut): retry after the backoff. */
  retryAfterDiscard(client: ConcreteClient): void {
    this.scheduleRetry(client);
  }

  onAttemptError(a: Attempt, err: Error, kind: RequestErrorKind): void {
    if (this.finished) return;
    if (this.committed) {
      this.finish(false, kind);
      this.res.destroy(err);
      return;
    }
    const client = a.client;
    if (kind === 'connect' && this.replayable && this.requeues < MAX_REQUEUES && !this.res.destroyed) {
      if (client.requeueBudget.tryWithdraw()) {
        this.requeues++;
        client.requeueCounter.incr();
        return this.dispatch(client);
      }
    }
    const cls = this.service.classifier.classifyError(this.method, kind, !this.replayable);
    if (cls === 'retryable' && this.canRetry()) return this.scheduleRetry(client);
    const key = a.node.key;
    if (kind === 'timeout') {
      return this.fail(new RouterError(503, `Exceeded ${client.attemptTimeoutMs}ms request attempt timeout to ${key}\n\nservice name: ${this.serviceName}\nclient name: ${client.id}`), 'attempt_timeout');
    }
    const msg = kind === 'connect'
      ? `Unable to establish connection to ${key}.\n\nservice name: ${this.serviceName}\nclient name: ${client.id}\naddresses: [${client.nodes.map((n) => n.key).join(', ')}]\nselected address: ${key}\nerror: ${err.message}`
      : `Request to ${key} failed: ${err.message}\n\nservice name: ${this.serviceName}\nclient name: ${client.id}`;
    this.fail(new RouterError(502, msg, kind === 'connect'), kind === 'connect' ? 'connect' : kind);
  }

  private canRetry(): boolean {
    if (!this.replayable || this.res.destroyed) return false;
    if (this.service.budget.tryWithdraw()) {
      this.service.retriesTotal.incr();
      return true;
    }
    this.service.budgetExhausted.incr();
    return false;
  }

  private scheduleRetry(client: ConcreteClient): void {
    this.backoff ??= this.service.backoff.start();
    const delay = this.backoff.next();
    if (delay <= 0) return this.dispatch(client);
    this.core.clock.setTimeout(() => this.dispatch(client), delay);
  }

  /** The response is complete (streamed to the client); `now` is when. */
  completed(ok: boolean, now: number): void { this.finish(ok, undefined, now); }

  fail(e: RouterError, cause?: string): void {
    if (this.finished) return;
    this.status = e.status;
    sendError(this.res, e, { ...this.errorOptions, via: this.viaOut });
    this.finish(false, cause);
  }

  private finish(ok: boolean, cause?: string, now = this.core.clock.now()): void {
    if (this.finished) return;
    this.finished = true;
    this.totalTimer?.cancel();
    this.res.off('close', this.onClientClose);
    this.binding.active--;
    const latency = now - this.start;
    this.srv.stats.record(this.status, latency, ok, cause, now);
    this.service.stats.record(this.status, latency, ok, cause, now);
  }

  private readonly onClientClose = (): void => {
    if (this.finished) return;
    this.attempt?.abort();
    this.finish(false, 'cancelled');
  };

  private onTotalTimeout(): void {
    if (this.finished || this.committed) return;
    this.attempt?.abort();
    this.fail(new RouterError(503, `Exceeded ${this.service.totalTimeoutMs ?? 'the'}ms total timeout (or the request's deadline) for ${this.serviceName}`), 'total_timeout');
  }
}

/** One try against one endpoint; the wire client's dispatch handler. */
export class Attempt implements DispatchHandler {
  private abortFn: ((err?: Error) => void) | undefined;
  private ended = false;
  private discarding = false;
  /** Drop the body (an inner error behind a clearContext server). */
  private mute = false;
  private discarded = 0;
  private timer: Timer | undefined;
  private status = 0;
  /** Set by the exchange when it classifies the response. */
  success = false;

  /** `started`: when the attempt is sent (a clock reading). */
  constructor(private readonly x: Exchange, readonly client: ConcreteClient, readonly node: ClientNode, private readonly started: number) {
    node.endpoint.pending++;
    node.health.recordDispatch();
  }

  send(body: Buffer | IncomingMessage | null): void {
    const x = this.x;
    if (this.client.attemptTimeoutMs !== undefined) {
      this.timer = x.core.clock.setTimeout(() => this.onTimeout(), this.client.attemptTimeoutMs);
    }
    this.node.endpoint.pool.dispatch({ path: x.uri, method: x.method, headers: x.out, body }, this);
  }

  /** Cancels the attempt. The pool reports the abort synchronously through onError, so end first. */
  abort(): void {
    if (this.ended) return;
    this.end(false, true);
    this.abortFn?.();
  }

  private onTimeout(): void {
    if (this.ended) return;
    this.end(false, false, 'timeout');
    this.abortFn?.();
    this.x.onAttemptError(this, new Error('attempt timed out'), 'timeout');
  }

  /** Records the attempt's outcome (once); returns the clock reading it used. */
  private end(ok: boolean, ignorable = false, cause?: string): number {
    const now = this.x.core.clock.now();
    if (this.ended) return now;
    this.ended = true;
    this.timer?.cancel();
    const node = this.node;
    node.endpoint.pending--;
    this.client.balancer.observe(node, now - this.started, ok);
    if (ignorable) node.health.recordIgnorable();
    else if (ok) node.health.recordSuccess();
    else node.health.recordFailure();
    this.client.stats.record(this.status, now - this.started, ok, cause, now);
    return now;
  }

  onConnect(abort: (err?: Error) => void): void { this.abortFn = abort; }

  onHeaders(statusCode: number, rawHeaders: string[], resume: () => void, statusText: string): boolean {
    if (this.ended) return false;
    this.status = statusCode;
    const x = this.x;
    const clear = x.srv.clearContext;
    const headers: string[] = [];
    let upstreamVia: string | undefined;
    let conn: string | undefined;
    let retryableHeader = false;
    let innerError = false;
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i]!;
      const h = classify(name);
      if (h === H.HopByHop) continue;
      const value = rawHeaders[i + 1]!;
      if (h === H.Connection) { conn = conn ? `${conn},${value}` : value; continue; }
      if (h === H.Via) { upstreamVia = upstreamVia ? `${upstreamVia}, ${value}` : value; continue; }
      if (h === H.L5dOther && name.length === 13 && name.toLowerCase() === 'l5d-retryable') retryableHeader = value === 'true';
      if (h === H.L5dRouterOwned) {
        const lower = name.toLowerCase();
        if (lower === 'l5d-success-class') continue; // this router classifies the response itself
        if (lower === 'l5d-err') innerError = true;
      }
      if (clear && h >= H.L5dDtab && h <= H.L5dOther) continue;
      if (clear && innerError && h === H.ContentLength) continue;
      headers.push(name, value);
    }
    if (x.onResponse(this, statusCode, retryableHeader) === 'discard') {
      this.discarding = true;
      return true;
    }
    if (conn) stripNamed(headers, connectionTokens(conn));
    // An edge server never shows an inner router's error text (it may name internal services).
    if (clear && innerError) { this.mute = true; headers.push('content-length', '0'); }
    headers.push('via', upstreamVia ? `${upstreamVia}, ${x.viaOut}` : x.viaOut);
    if (!clear) headers.push('l5d-success-class', this.success ? '1.0' : '0.0');
    this.timer?.cancel();
    x.res.writeHead(statusCode, statusText || undefined, headers);
    x.res.on('drain', resume);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.mute) return true;
    if (this.discarding) {
      this.discarded += chunk.length;
      if (this.discarded > MAX_DISCARD_BYTES) {
        this.end(false);
        this.abortFn?.();
        this.x.retryAfterDiscard(this.client);
      }
      return true;
    }
    return this.x.res.write(chunk);
  }

  onComplete(): void {
    if (this.ended) return;
    if (this.discarding) {
      this.end(false);
      this.x.retryAfterDiscard(this.client);
      return;
    }
    // The exchange settles first, so the response has no listener left to tell when it ends.
    const now = this.end(this.success);
    this.x.completed(this.success, now);
    this.x.res.end();
  }

  onError(err: Error): void {
    if (this.ended) return;
    const kind = errorKind(err);
    this.end(false, false, kind);
    this.x.onAttemptError(this, err, kind);
  }
}

function errorKind(err: Error): RequestErrorKind {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (CONNECT_ERRORS.has(code)) return 'connect';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE' || code === 'UND_ERR_CLOSED') return 'reset';
  if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH' || code === 'UND_ERR_REQ_RETRY') return 'write';
  return 'other';
}

const VIA_11 = '1.1 switchyard';
const VIA_10 = '1.0 switchyard';
/** This router's Via entry for a request of HTTP version `v`. */
export function viaOf(v: string): string { return v === '1.1' ? VIA_11 : v === '1.0' ? VIA_10 : `${v} switchyard`; }

/** Removes headers named in a Connection header from a flat [name, value, …] list. */
export function stripNamed(headers: string[], names: readonly string[]): void {
  if (names.length === 0) return;
  for (let i = headers.length - 2; i >= 0; i -= 2) {
    if (names.includes(headers[i]!.toLowerCase())) headers.splice(i, 2);
  }
}
