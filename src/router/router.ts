/**
 * An HTTP/1.1 router: identify → bind → pick → forward, with Linkerd's header contract.
 *
 * Three caches, bottom-up: endpoints by address (connection pools), concrete clients by bound
 * id, logical bindings by (logical name, local dtab). Ten thousand different overrides that land
 * on the same service share its client and pools. In steady state a request does a pass over
 * its raw headers, a few Map look-ups and a dispatch on a pooled connection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { Dtab } from '../naming/dtab.js';
import { DtabSyntaxError } from '../naming/errors.js';
import type { BoundName } from '../naming/namer.js';
import type { Path } from '../naming/path.js';
import { readLinkerdDtab } from '../protocol/http1/dtab-headers.js';
import { classify, connectionTokens, H, viaDepth } from '../protocol/http1/headers.js';
import { RouterError, sendError } from '../protocol/http1/errors.js';
import type { Identifier, RequestHead } from '../protocol/http1/identifier.js';
import { nextTrace } from '../protocol/http1/trace.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../config/plugin.js';
import type { Scope } from '../telemetry/metrics.js';
import type { Balancer } from '../balancer/balancer.js';
import type { RouterInterpreter } from '../interpreter/interpreter.js';
import { Binding } from './binding.js';
import { BoundedCache } from './cache.js';
import { ClientNode, ConcreteClient } from './client.js';
import { EndpointRegistry } from './endpoint.js';
import type { FailureAccrual } from '../resilience/failure-accrual.js';
import { RequestStats } from './stats.js';

export interface RouterOptions {
  label: string;
  dstPrefix: Path;
  identifiers: readonly Identifier[];
  interpreter: RouterInterpreter;
  bindingTimeoutMs: number;
  cache: { paths: number; clients: number; idleTtlMs: number };
  maxHeadersBytes: number;
  maxErrResponseBytes: number;
  /** The load balancer and failure accrual of the client for a bound id (client params may vary by id). */
  clientPolicy: (id: string) => { balancer: Balancer<ClientNode>; newHealth: () => FailureAccrual };
  pool: { maxConnections?: number; idleTimeMs: number; connectTimeoutMs: number };
}

export interface RouterDeps { clock: Clock; log: Logger; scope: Scope; random?: () => number }

/** What the server that accepted a request tells the router about it. */
export interface ServerContext {
  readonly clearContext: boolean;
  readonly maxCallDepth: number;
  stats: RequestStats;
}

interface LocalDtab { dtab: Dtab; show: string }
type DtabOrError = LocalDtab | { error: string };

const NO_LOCAL: LocalDtab = { dtab: Dtab.empty, show: '' };
/** Errors from undici that mean the request never reached the endpoint (safe to requeue). */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND']);
const MAX_REQUEUES = 3;

export class HttpRouter {
  readonly label: string;
  readonly endpoints: EndpointRegistry;
  private readonly logical: BoundedCache<Binding>;
  private readonly concrete: BoundedCache<ConcreteClient>;
  private readonly localDtabs = new Map<string, DtabOrError>();
  private readonly serviceStats = new Map<string, RequestStats>();
  private readonly random: () => number;
  private readonly baseDtabLines: string;

  constructor(readonly opts: RouterOptions, private readonly deps: RouterDeps) {
    this.label = opts.label;
    this.random = deps.random ?? Math.random;
    this.endpoints = new EndpointRegistry(opts.pool);
    this.baseDtabLines = dtabLines(opts.interpreter.baseDtab);
    const idle = { clock: deps.clock, idleTtlMs: opts.cache.idleTtlMs };
    this.logical = new BoundedCache<Binding>({ ...idle, capacity: opts.cache.paths, pinned: (b) => b.active > 0, onEvict: (_, b) => b.close() });
    this.concrete = new BoundedCache<ConcreteClient>({ ...idle, capacity: opts.cache.clients, pinned: (c) => c.refs > 0, onEvict: (_, c) => c.close() });
  }

  /** Cache sizes, for tests and the admin server. */
  get sizes(): { logical: number; concrete: number; endpoints: number; dtabs: number } {
    return { logical: this.logical.size, concrete: this.concrete.size, endpoints: this.endpoints.size, dtabs: this.localDtabs.size };
  }

  clients(): ConcreteClient[] { return [...this.concrete.values()]; }
  bindings(): [string, Binding][] { return this.logical.entries(); }

  handle(req: IncomingMessage, res: ServerResponse, srv: ServerContext): void {
    const start = this.deps.clock.now();
    const clear = srv.clearContext;
    const errOpts = { maxHeaderBytes: this.opts.maxHeadersBytes, maxBodyBytes: this.opts.maxErrResponseBytes, clearContext: clear };
    const fail = (e: RouterError, service?: RequestStats, cause?: string) => {
      sendError(res, e, errOpts);
      srv.stats.record(e.status, this.deps.clock.now() - start, false, cause);
      service?.record(e.status, this.deps.clock.now() - start, false, cause);
    };

    // One pass over the raw headers: what to forward, and what the contract reads.
    const raw = req.rawHeaders;
    const out: string[] = [];
    let ctxDtab: string[] | undefined, userDtab: string[] | undefined;
    let via: string | undefined, host: string | undefined, connection: string | undefined, trace: string | undefined;
    let hasBody = false;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!, value = raw[i + 1]!;
      switch (classify(name)) {
        case H.Pass: out.push(name, value); break;
        case H.ContentLength: hasBody ||= value !== '0'; out.push(name, value); break;
        case H.HopByHop: if (name.length === 17) hasBody = true; break; // transfer-encoding
        case H.Connection: connection = connection ? `${connection},${value}` : value; break;
        case H.L5dDtab: if (!clear) (userDtab ??= []).push(value); break;
        case H.L5dCtxDtab: if (!clear) (ctxDtab ??= []).push(value); break;
        case H.L5dCtxTrace: if (!clear) trace = value; break;
        case H.L5dCtxDeadline: if (!clear) out.push(name, value); break;
        case H.L5dOther: if (!clear) out.push(name, value); break;
        case H.Via: via = via ? `${via}, ${value}` : value; break;
        case H.Host: host = value; break;
        default: break; // l5d-sample, router-owned l5d-* headers: read or rewritten here, never forwarded
      }
    }
    if (connection) stripNamed(out, connectionTokens(connection));

    const depth = viaDepth(via);
    if (depth > srv.maxCallDepth) {
      return fail(new RouterError(400, `Maximum number of calls (${srv.maxCallDepth}) has been exceeded. Please check for proxy loops.`), undefined, 'max_call_depth');
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
      if ('error' in parsed) return fail(new RouterError(400, parsed.error), undefined, 'bad_dtab');
      local = parsed;
    }

    let path: Path | undefined;
    let reasons = '';
    for (const id of this.opts.identifiers) {
      const r = id.identify(head);
      if (r.ok) { path = r.path; if (r.uri !== undefined) uri = r.uri; break; }
      reasons += reasons ? `; ${r.reason}` : r.reason;
    }
    if (!path) return fail(new RouterError(400, `Unknown destination: ${req.method} ${req.url} / ${reasons}`), undefined, 'unidentified');

    const serviceName = path.show();
    const service = this.statsFor(serviceName);
    const key = local.show ? `${serviceName} ${local.show}` : serviceName;
    let binding = this.logical.get(key);
    if (!binding) {
      binding = new Binding(key, this.opts.interpreter.bind(local.dtab, path), this.concreteLayer);
      this.logical.set(key, binding);
    }

    const traceCtx = nextTrace(trace, this.random);
    if (host !== undefined) out.push('host', host);
    out.push('via', via ? `${via}, ${req.httpVersion} switchyard` : `${req.httpVersion} switchyard`);
    out.push('l5d-dst-service', serviceName, 'l5d-reqid', traceCtx.traceId, 'l5d-ctx-trace', traceCtx.header);
    if (local.show) out.push('l5d-ctx-dtab', local.show);

    const ctx: Exchange = { req, res, srv, service, serviceName, local, uri, out, hasBody, start, binding, requeues: 0, fail };
    if (binding.state.kind === 'pending') this.waitThen(binding.whenSettled(), ctx, () => this.route(ctx));
    else this.route(ctx);
  }

  private route(x: Exchange): void {
    const b = x.binding;
    const s = b.state;
    if (s.kind === 'pending') return x.fail(this.bindingTimeout(x), x.service, 'binding_timeout');
    if (s.kind === 'neg') return x.fail(new RouterError(502, this.noRoute(x)), x.service, 'no_route');
    if (s.kind === 'failed') return x.fail(new RouterError(502, `${this.noRoute(x)}\n\n${s.error.message}`), x.service, 'binding_failed');
    const branch = b.pick(this.random());
    if (!branch?.client) return x.fail(new RouterError(502, this.noRoute(x)), x.service, 'no_route');
    const client = branch.client;
    if (client.state.kind === 'pending') return this.waitThen(client.whenReady(), x, () => this.dispatch(x, client, branch.residual));
    this.dispatch(x, client, branch.residual);
  }

  /** Waits for a pending binding or address set, bounded by bindingTimeoutMs. */
  private waitThen(ready: Promise<void>, x: Exchange, then: () => void): void {
    let done = false;
    const timer = this.deps.clock.setTimeout(() => {
      if (done) return;
      done = true;
      x.fail(this.bindingTimeout(x), x.service, 'binding_timeout');
    }, this.opts.bindingTimeoutMs);
    x.binding.active++;
    void ready.then(() => {
      x.binding.active--;
      if (done) return;
      done = true;
      timer.cancel();
      if (x.res.destroyed) return;
      then();
    });
  }

  private dispatch(x: Exchange, client: ConcreteClient, residual: string): void {
    const s = client.state;
    if (s.kind === 'pending') return x.fail(this.bindingTimeout(x), x.service, 'binding_timeout');
    if (s.kind !== 'bound' || client.nodes.length === 0) {
      const why = s.kind === 'failed' ? `: ${s.cause}` : '';
      return x.fail(new RouterError(502, `No hosts are available for ${client.id}${why}\n\nservice name: ${x.serviceName}\nclient name: ${client.id}`), x.service, 'no_hosts');
    }
    const node = client.balancer.pick();
    if (!node) return x.fail(new RouterError(502, `No hosts are available for ${client.id}`), x.service, 'no_hosts');
    if (x.requeues === 0) {
      x.out.push('l5d-dst-client', client.id);
      if (residual !== '/') x.out.push('l5d-dst-residual', residual);
    }
    this.forward(x, client, node);
  }

  private forward(x: Exchange, client: ConcreteClient, node: ClientNode): void {
    const { req, res, srv } = x;
    const endpoint = node.endpoint;
    const clear = srv.clearContext;
    const viaOut = `${req.httpVersion} switchyard`;
    let abort: ((err?: Error) => void) | undefined;
    let status = 0;
    let finished = false;
    endpoint.pending++;
    node.health.recordDispatch();
    x.binding.active++;
    const attemptStart = this.deps.clock.now();

    const complete = (ok: boolean, cause?: string) => {
      if (finished) return;
      finished = true;
      endpoint.pending--;
      x.binding.active--;
      res.off('close', onClose);
      const now = this.deps.clock.now();
      client.balancer.observe(node, now - attemptStart, ok);
      if (cause === 'cancelled') node.health.recordIgnorable();
      else if (ok) node.health.recordSuccess();
      else node.health.recordFailure();
      const latency = now - x.start;
      srv.stats.record(status, latency, ok, cause, now);
      x.service.record(status, latency, ok, cause, now);
      client.stats?.record(status, now - attemptStart, ok, cause, now);
    };
    const onClose = () => { if (!finished) { abort?.(); complete(false, 'cancelled'); } };
    res.on('close', onClose);

    const handler: Dispatcher.DispatchHandler = {
      onConnect: (a) => { abort = a; },
      onHeaders: (statusCode, rawHeaders, resume, statusText) => {
        status = statusCode;
        const headers: string[] = [];
        let upstreamVia: string | undefined;
        let conn: string | undefined;
        for (let i = 0; i < rawHeaders.length; i += 2) {
          const name = rawHeaders[i]!.toString('latin1');
          const h = classify(name);
          if (h === H.HopByHop) continue;
          if (h === H.Connection) { conn = rawHeaders[i + 1]!.toString('latin1'); continue; }
          if (h === H.Via) { const v = rawHeaders[i + 1]!.toString('latin1'); upstreamVia = upstreamVia ? `${upstreamVia}, ${v}` : v; continue; }
          if (clear && h >= H.L5dDtab && h <= H.L5dOther) continue;
          headers.push(name, rawHeaders[i + 1]!.toString('latin1'));
        }
        if (conn) stripNamed(headers, connectionTokens(conn));
        headers.push('via', upstreamVia ? `${upstreamVia}, ${viaOut}` : viaOut);
        if (!clear) headers.push('l5d-success-class', statusCode >= 500 ? '0.0' : '1.0');
        res.writeHead(statusCode, statusText || undefined, headers);
        res.on('drain', resume);
        return true;
      },
      onData: (chunk) => res.write(chunk),
      onComplete: () => {
        res.end();
        complete(status < 500);
      },
      onError: (err) => {
        if (finished) return;
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (res.headersSent) { complete(false, code || 'reset'); res.destroy(err); return; }
        const neverSent = CONNECT_ERRORS.has(code);
        if (neverSent && !x.hasBody && x.requeues < MAX_REQUEUES && client.nodes.length > 1 && !res.destroyed) {
          // The request never reached the endpoint: requeue it on another one.
          finished = true;
          endpoint.pending--;
          x.binding.active--;
          res.off('close', onClose);
          client.balancer.observe(node, this.deps.clock.now() - attemptStart, false);
          x.requeues++;
          this.dispatch(x, client, '');
          return;
        }
        const msg = neverSent
          ? `Unable to establish connection to ${endpoint.key}.\n\nservice name: ${x.serviceName}\nclient name: ${client.id}\naddresses: [${client.nodes.map((n) => n.key).join(', ')}]\nselected address: ${endpoint.key}\nerror: ${err.message}`
          : `Request to ${endpoint.key} failed: ${err.message}\n\nservice name: ${x.serviceName}\nclient name: ${client.id}`;
        status = 502;
        sendError(res, new RouterError(502, msg, neverSent), { maxHeaderBytes: this.opts.maxHeadersBytes, maxBodyBytes: this.opts.maxErrResponseBytes, clearContext: clear, via: viaOut });
        complete(false, neverSent ? 'connect' : code || 'upstream');
      },
    };

    endpoint.pool.dispatch({
      path: x.uri,
      method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: x.out,
      body: x.hasBody ? req : null,
    }, handler);
  }

  private get concreteLayer() {
    return {
      acquire: (name: BoundName): ConcreteClient => {
        const id = name.id.show();
        let c = this.concrete.get(id);
        if (!c) {
          const policy = this.opts.clientPolicy(id);
          c = new ConcreteClient(name, this.endpoints, policy.balancer, policy.newHealth);
          c.stats = new RequestStats(this.deps.scope.child('client', id));
          this.concrete.set(id, c);
        }
        c.refs++;
        return c;
      },
      release: (c: ConcreteClient): void => { c.refs--; },
    };
  }

  private statsFor(serviceName: string): RequestStats {
    let s = this.serviceStats.get(serviceName);
    if (!s) {
      if (this.serviceStats.size >= this.opts.cache.paths) this.serviceStats.clear();
      s = new RequestStats(this.deps.scope.child('service', serviceName));
      this.serviceStats.set(serviceName, s);
    }
    return s;
  }

  private localDtab(ctx: string[] | undefined, user: string[] | undefined): DtabOrError {
    const key = `${ctx ? ctx.join('\n') : ''}\u0000${user ? user.join('\n') : ''}`;
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
    return r;
  }

  private noRoute(x: Exchange): string {
    return `Unable to route request!\n\nservice name: ${x.serviceName}\nbase dtab:\n${this.baseDtabLines}\noverride dtab:\n${dtabLines(x.local.dtab)}`;
  }

  private bindingTimeout(x: Exchange): RouterError {
    return new RouterError(503, `Exceeded ${this.opts.bindingTimeoutMs}ms binding timeout while resolving name: ${x.serviceName}`);
  }

  async close(): Promise<void> {
    this.logical.clear();
    this.concrete.clear();
    await this.endpoints.closeAll();
  }
}

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  srv: ServerContext;
  service: RequestStats;
  serviceName: string;
  local: LocalDtab;
  uri: string;
  out: string[];
  hasBody: boolean;
  start: number;
  binding: Binding;
  requeues: number;
  fail: (e: RouterError, service?: RequestStats, cause?: string) => void;
}

function dtabLines(d: Dtab): string {
  return d.entries.map((e) => `  ${e.prefix.show()} => ${e.dst === undefined ? '' : showDst(e)}`).join('\n');
}
function showDst(e: Dtab['entries'][number]): string {
  const s = e.show();
  return s.slice(s.indexOf('=>') + 2);
}

/** Removes headers named in a Connection header from a flat [name, value, …] list. */
function stripNamed(headers: string[], names: readonly string[]): void {
  if (names.length === 0) return;
  for (let i = headers.length - 2; i >= 0; i -= 2) {
    if (names.includes(headers[i]!.toLowerCase())) headers.splice(i, 2);
  }
}
