/**
 * An HTTP/1.1 router: identify → bind → pick → forward, with Linkerd's header contract.
 *
 * Three caches, bottom-up: endpoints by address (connection pools), concrete clients by bound
 * id, logical bindings by (logical name, local dtab). Ten thousand different overrides that land
 * on the same service share its client and pools. In steady state a request does one pass over
 * its raw headers, a few Map look-ups and a dispatch on a pooled connection.
 */
import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Dtab } from '../naming/dtab.js';
import { DtabSyntaxError } from '../naming/errors.js';
import type { BoundName } from '../naming/namer.js';
import type { Path } from '../naming/path.js';
import { readLinkerdDtab } from '../protocol/http1/dtab-headers.js';
import { classify, connectionTokens, H, viaDepth } from '../protocol/http1/headers.js';
import { RouterError, sendError, type ErrorResponseOptions } from '../protocol/http1/errors.js';
import type { Identifier, RequestHead } from '../protocol/http1/identifier.js';
import { TraceSource } from '../protocol/http1/trace.js';
import { effectiveDeadline, formatDeadline, readDeadlineHeader } from '../resilience/deadline.js';
import type { ServiceConfig } from '../resilience/config.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../config/plugin.js';
import type { Scope } from '../telemetry/metrics.js';
import type { RouterInterpreter } from '../interpreter/interpreter.js';
import { Binding } from './binding.js';
import { BoundedCache } from './cache.js';
import { ConcreteClient, type ClientPolicy } from './client.js';
import { EndpointRegistry } from './endpoint.js';
import { Exchange, stripNamed, viaOf, type LocalDtab } from './exchange.js';
import { ServiceState } from './service.js';
import type { RequestStats } from './stats.js';

export interface RouterOptions {
  label: string;
  identifiers: readonly Identifier[];
  interpreter: RouterInterpreter;
  bindingTimeoutMs: number;
  cache: { paths: number; clients: number; idleTtlMs: number };
  maxHeadersBytes: number;
  maxErrResponseBytes: number;
  /** The client params for a bound id (`client` blocks may vary by id prefix). */
  clientPolicy: (id: string) => ClientPolicy;
  service?: ServiceConfig | undefined;
  pool: { maxConnections?: number; idleTimeMs: number; connectTimeoutMs: number };
}

export interface RouterDeps { clock: Clock; log: Logger; scope: Scope; random?: () => number }

/** What the server that accepted a request tells the router about it. */
export interface ServerContext {
  readonly clearContext: boolean;
  readonly maxCallDepth: number;
  stats: RequestStats;
}

/** What an Exchange needs from its router. */
export interface RouterCore {
  readonly clock: Clock;
  random(): number;
  errorOptions(clearContext: boolean): ErrorResponseOptions;
  bindingTimeout(serviceName: string): RouterError;
  noRoute(serviceName: string, local: Dtab): string;
  waitThen(whenReady: (ready: () => void) => () => void, x: Exchange, then: () => void): void;
}

type DtabOrError = LocalDtab | { error: string };

const NO_LOCAL: LocalDtab = { dtab: Dtab.empty, show: '' };
/** Request bodies up to this size are buffered so the request can be retried; larger ones stream. */
const RETRY_BUFFER_BYTES = 64 * 1024;

export class HttpRouter implements RouterCore {
  readonly label: string;
  readonly endpoints: EndpointRegistry;
  readonly clock: Clock;
  readonly random: () => number;
  /** The traces requests carry downstream. */
  private readonly traces: TraceSource;
  private readonly logical: BoundedCache<Binding>;
  private readonly concrete: BoundedCache<ConcreteClient>;
  private readonly localDtabs = new Map<string, DtabOrError>();
  private lastDtabKey: string | undefined;
  private lastDtab: DtabOrError | undefined;
  private readonly services = new Map<string, ServiceState>();
  private readonly baseDtabLines: string;
  private readonly errOpts: ErrorResponseOptions;
  private readonly clearErrOpts: ErrorResponseOptions;
  private readonly concreteLayer = {
    acquire: (name: BoundName): ConcreteClient => {
      const id = name.id.show();
      let c = this.concrete.get(id);
      if (!c) {
        c = new ConcreteClient(name, this.endpoints, this.opts.clientPolicy(id), this.deps.scope.child('client', id));
        this.concrete.set(id, c);
      }
      c.refs++;
      return c;
    },
    release: (c: ConcreteClient): void => { c.refs--; },
  };

  constructor(readonly opts: RouterOptions, private readonly deps: RouterDeps) {
    this.label = opts.label;
    this.clock = deps.clock;
    this.random = deps.random ?? Math.random;
    this.traces = new TraceSource(this.random);
    this.endpoints = new EndpointRegistry(opts.pool);
    this.baseDtabLines = dtabLines(opts.interpreter.baseDtab);
    this.errOpts = { maxHeaderBytes: opts.maxHeadersBytes, maxBodyBytes: opts.maxErrResponseBytes, clearContext: false };
    this.clearErrOpts = { ...this.errOpts, clearContext: true };
    const idle = { clock: deps.clock, idleTtlMs: opts.cache.idleTtlMs };
    this.logical = new BoundedCache<Binding>({ ...idle, capacity: opts.cache.paths, pinned: (b) => b.active > 0, onEvict: (_, b) => b.close() });
    this.concrete = new BoundedCache<ConcreteClient>({ ...idle, capacity: opts.cache.clients, pinned: (c) => c.refs > 0, onEvict: (_, c) => c.close() });
  }

  /** Cache sizes, for tests and the admin server. */
  get sizes(): { logical: number; concrete: number; endpoints: number; dtabs: number; services: number } {
    return { logical: this.logical.size, concrete: this.concrete.size, endpoints: this.endpoints.size, dtabs: this.localDtabs.size, services: this.services.size };
  }

  clients(): ConcreteClient[] { return [...this.concrete.values()]; }
  bindings(): [string, Binding][] { return this.logical.entries(); }

  errorOptions(clearContext: boolean): ErrorResponseOptions { return clearContext ? this.clearErrOpts : this.errOpts; }

  handle(req: IncomingMessage, res: ServerResponse, srv: ServerContext): void {
    const start = this.clock.now();
    const clear = srv.clearContext;

    // One pass over the raw headers: what to forward, and what the contract reads.
    const raw = req.rawHeaders;
    const out: string[] = [];
    let ctxDtab: string[] | undefined, userDtab: string[] | undefined, deadline: string[] | undefined;
    let via: string | undefined, host: string | undefined, connection: string | undefined, trace: string | undefined;
    let contentLength = -1;
    let chunked = false;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!, value = raw[i + 1]!;
      switch (classify(name)) {
        case H.Pass: out.push(name, value); break;
        case H.ContentLength: contentLength = Number(value); out.push(name, value); break;
        case H.HopByHop: if (name.length === 17) chunked = true; break; // transfer-encoding
        case H.Connection: connection = connection ? `${connection},${value}` : value; break;
        case H.L5dDtab: if (!clear) (userDtab ??= []).push(value); break;
        case H.L5dCtxDtab: if (!clear) (ctxDtab ??= []).push(value); break;
        case H.L5dCtxTrace: if (!clear) trace = value; break;
        case H.L5dCtxDeadline: if (!clear) (deadline ??= []).push(value); break;
        case H.L5dOther: if (!clear) out.push(name, value); break;
        case H.Via: via = via ? `${via}, ${value}` : value; break;
        case H.Host: host = value; break;
        default: break; // l5d-sample, router-owned l5d-* headers: read or rewritten here, never forwarded
      }
    }
    if (connection) stripNamed(out, connectionTokens(connection));

    if (viaDepth(via) > srv.maxCallDepth) {
      return this.reject(req, res, srv, start, new RouterError(400, `Maximum number of calls (${srv.maxCallDepth}) has been exceeded. Please check for proxy loops.`), 'max_call_depth');
    }

    // Absolute-form targets (apps using http_proxy): Host := authority, URI := path + query.
    let uri = req.url ?? '/';
    let head: RequestHead = req;
    if (uri.charCodeAt(0) !== 47 /* '/' */ && uri !== '*') {
      const abs = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)([^#]*)/i.exec(uri);
      if (abs) {
        host = abs[1]!;
        uri = abs[2] || '/';
        head = { method: req.method, url: uri, httpVersion: req.httpVersion, headers: { ...req.headers, host } };
      }
    }

    let local = NO_LOCAL;
    if (ctxDtab || userDtab) {
      const parsed = this.localDtab(ctxDtab, userDtab);
      if ('error' in parsed) return this.reject(req, res, srv, start, new RouterError(400, parsed.error), 'bad_dtab');
      local = parsed;
    }

    let path: Path | undefined;
    let reasons = '';
    for (const id of this.opts.identifiers) {
      const r = id.identify(head);
      if (r.ok) { path = r.path; if (r.uri !== undefined) uri = r.uri; break; }
      reasons += reasons ? `; ${r.reason}` : r.reason;
    }
    if (!path) return this.reject(req, res, srv, start, new RouterError(400, `Unknown destination: ${req.method} ${req.url} / ${reasons}`), 'unidentified');

    const serviceName = path.show();
    const service = this.serviceFor(serviceName);
    const key = bindingKey(serviceName, local);
    let binding = this.logical.get(key, start);
    if (!binding) {
      binding = new Binding(key, this.opts.interpreter.bind(local.dtab, path), this.concreteLayer);
      this.logical.set(key, binding);
    }

    const traceCtx = this.traces.next(trace);
    if (host !== undefined) out.push('host', host);
    out.push('via', via ? `${via}, ${viaOf(req.httpVersion)}` : viaOf(req.httpVersion));
    out.push('l5d-dst-service', serviceName, 'l5d-reqid', traceCtx.traceId, 'l5d-ctx-trace', traceCtx.header);
    if (local.show) out.push('l5d-ctx-dtab', local.show);
    let remainingMs: number | undefined;
    if (deadline || service.totalTimeoutMs !== undefined) {
      const d = effectiveDeadline(service.totalTimeoutMs, deadline && readDeadlineHeader(deadline), this.clock);
      if (d.deadline) out.push('l5d-ctx-deadline', formatDeadline(d.deadline));
      remainingMs = d.remainingMs;
    }

    const hasBody = chunked || contentLength > 0;
    const buffered = hasBody && !chunked && contentLength <= RETRY_BUFFER_BYTES;
    const x = new Exchange(this, req, res, srv, service, serviceName, local, uri, out, hasBody && !buffered ? 'stream' : null, start, binding, remainingMs);
    if (buffered) readBody(req, contentLength, (body) => { x.setBody(body); this.route(x, this.clock.now()); });
    else this.route(x, start);
  }

  /** Routes now (`now`), or once the binding settles (no closures on the common, settled path). */
  private route(x: Exchange, now: number): void {
    const b = x.binding;
    if (b.state.kind === 'pending') this.waitThen((ready) => b.whenSettled(ready), x, () => x.route());
    else x.route(now);
  }

  /** Waits for a pending binding or address set, bounded by bindingTimeoutMs. */
  waitThen(whenReady: (ready: () => void) => () => void, x: Exchange, then: () => void): void {
    let cancel: (() => void) | undefined;
    const timer = this.clock.setTimeout(() => {
      cancel?.();
      x.fail(this.bindingTimeout(x.serviceName), 'binding_timeout');
    }, this.opts.bindingTimeoutMs);
    cancel = whenReady(() => {
      timer.cancel();
      // Settled listeners run synchronously inside a namer update: continue on a fresh stack.
      queueMicrotask(() => { if (!x.res.destroyed) then(); });
    });
  }

  bindingTimeout(serviceName: string): RouterError {
    return new RouterError(503, `Exceeded ${this.opts.bindingTimeoutMs}ms binding timeout while resolving name: ${serviceName}`);
  }

  noRoute(serviceName: string, local: Dtab): string {
    return `Unable to route request!\n\nservice name: ${serviceName}\nbase dtab:\n${this.baseDtabLines}\noverride dtab:\n${dtabLines(local)}`;
  }

  private reject(req: IncomingMessage, res: ServerResponse, srv: ServerContext, start: number, e: RouterError, cause: string): void {
    req.resume();
    sendError(res, e, this.errorOptions(srv.clearContext));
    const now = this.clock.now();
    srv.stats.record(e.status, now - start, false, cause, now);
  }

  private serviceFor(name: string): ServiceState {
    let s = this.services.get(name);
    if (!s) {
      if (this.services.size >= this.opts.cache.paths) this.services.clear();
      s = new ServiceState(name, this.opts.service, this.deps.scope.child('service', name), this.clock, this.random);
      this.services.set(name, s);
    }
    return s;
  }

  private localDtab(ctx: string[] | undefined, user: string[] | undefined): DtabOrError {
    // The usual override, one l5d-dtab field, is its own key. Others join with a NUL, which no
    // field value contains, so the two kinds of key never meet.
    const key = ctx === undefined && user!.length === 1 ? user![0]! : `${ctx ? ctx.join('\n') : ''}\u0000${user ? user.join('\n') : ''}`;
    // A run of requests with the same override (a tester's session) compares one string instead
    // of hashing each request's fresh copy of it.
    if (key === this.lastDtabKey) return this.lastDtab!;
    let r = this.localDtabs.get(key);
    if (r === undefined) {
      try {
        const pairs: [string, string][] = [];
        for (const v of ctx ?? []) pairs.push(['l5d-ctx-dtab', v]);
        for (const v of user ?? []) pairs.push(['l5d-dtab', v]);
        const dtab = readLinkerdDtab(pairs);
        r = dtab.size === 0 ? NO_LOCAL : { dtab, show: dtab.show() };
      } catch (e) {
        if (!(e instanceof DtabSyntaxError)) throw e;
        r = { error: e.message };
      }
      if (this.localDtabs.size >= this.opts.cache.paths) this.localDtabs.clear();
      this.localDtabs.set(key, r);
    }
    this.lastDtabKey = key;
    this.lastDtab = r;
    return r;
  }

  async close(): Promise<void> {
    this.logical.clear();
    this.concrete.clear();
    await this.endpoints.closeAll();
  }
}

/**
 * The logical-cache key of `serviceName` under `local`. A repeated override usually routes one
 * service, so the key is remembered with the dtab: the look-up then uses a string whose hash is
 * already known, instead of hashing a fresh concatenation on every request.
 */
function bindingKey(serviceName: string, local: LocalDtab): string {
  if (!local.show) return serviceName;
  if (local.lastService !== serviceName) {
    local.lastService = serviceName;
    local.lastKey = `${serviceName} ${local.show}`;
  }
  return local.lastKey!;
}

/** Reads a small body whole (its length is known and bounded), so it can be replayed on retry. */
function readBody(req: IncomingMessage, length: number, then: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.once('end', () => then(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)));
}

function dtabLines(d: Dtab): string {
  return d.entries.map((e) => {
    const s = e.show();
    const i = s.indexOf('=>');
    return `  ${s.slice(0, i)} => ${s.slice(i + 2)}`;
  }).join('\n');
}
