/**
 * An in-process Kubernetes API server for tests: the real wire format for the parts a
 * controller uses, checked against the official client (apiserver-fidelity.test.ts).
 *
 * - Collections `endpointslices` (discovery.k8s.io/v1), `endpoints`, `services`, `pods` (v1),
 *   namespaced (`/api/v1/namespaces/<ns>/services`) or cluster-wide (`/api/v1/services`); a
 *   single object by name; `labelSelector` (equality, inequality, exists, `in`, `notin`) and
 *   `fieldSelector` (`metadata.name`, `metadata.namespace`).
 * - One resourceVersion counter for everything (as etcd's revision); lists carry the current
 *   version; objects carry the version of their last change.
 * - Watches (`?watch=1`) stream `{"type","object"}` JSON lines: from a given resourceVersion they
 *   replay the changes since, from none (or "0") they start with ADDED for what exists; an
 *   object that stops or starts matching the selector is sent as DELETED or ADDED; BOOKMARK
 *   events when asked for (`allowWatchBookmarks`); the stream ends after `timeoutSeconds`.
 * - `compact()` forgets history: watching from an older version then answers
 *   `ERROR` with a 410 Status (as kube-apiserver does), or HTTP 410 with `expiredWatch: 'status'`.
 * - Optional TLS and a required bearer token (`401 Unauthorized` otherwise), for in-cluster mode.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export type Resource = 'endpointslices' | 'endpoints' | 'services' | 'pods';

const RESOURCES: Record<Resource, { prefix: string; apiVersion: string; kind: string }> = {
  endpointslices: { prefix: '/apis/discovery.k8s.io/v1', apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' },
  endpoints: { prefix: '/api/v1', apiVersion: 'v1', kind: 'Endpoints' },
  services: { prefix: '/api/v1', apiVersion: 'v1', kind: 'Service' },
  pods: { prefix: '/api/v1', apiVersion: 'v1', kind: 'Pod' },
};

/** A stored object: any JSON with metadata. */
export type KubeObject = { metadata: { name: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string; [k: string]: unknown }; [k: string]: unknown };

export interface FakeApiServerOptions {
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
  /** Require `Authorization: Bearer <token>`. */
  token?: string;
  /** How a watch from a compacted version is refused (default: an ERROR event, as kube-apiserver). */
  expiredWatch?: 'event' | 'status';
}

export interface SeenRequest { method: string; path: string; query: URLSearchParams; authorization: string | undefined }

interface Change { rv: number; resource: Resource; type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject; old: KubeObject | undefined }

interface Watcher {
  resource: Resource;
  namespace: string | undefined;
  matches: (o: KubeObject) => boolean;
  bookmarks: boolean;
  query: URLSearchParams;
  res: ServerResponse;
  end(): void;
}

export class FakeApiServer {
  readonly requests: SeenRequest[] = [];
  private rv = 100;
  /** Changes up to and including this version are forgotten. */
  private compactedThrough = 100;
  private readonly store = new Map<Resource, Map<string, KubeObject>>();
  private readonly history: Change[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly watchWaiters = new Set<{ test: (w: Watcher) => boolean; resolve: () => void }>();
  private token: string | undefined;

  private constructor(private readonly server: Server, readonly url: string, private readonly opts: FakeApiServerOptions) {
    this.token = opts.token;
    for (const r of Object.keys(RESOURCES) as Resource[]) this.store.set(r, new Map());
  }

  static async start(opts: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    let fake: FakeApiServer | undefined;
    const handler = (req: IncomingMessage, res: ServerResponse) => fake!.handle(req, res);
    const server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : createHttpServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    fake = new FakeApiServer(server, `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`, opts);
    return fake;
  }

  get port(): number { return Number(new URL(this.url).port); }
  /** The current resourceVersion. */
  get resourceVersion(): string { return String(this.rv); }

  /** Creates or replaces an object (namespace from its metadata, default `default`); returns it as stored. */
  apply(resource: Resource, object: KubeObject): KubeObject {
    const namespace = object.metadata.namespace ?? 'default';
    const objects = this.store.get(resource)!;
    const key = `${namespace}/${object.metadata.name}`;
    const old = objects.get(key);
    const stored: KubeObject = structuredClone({
      ...object,
      kind: RESOURCES[resource].kind,
      apiVersion: RESOURCES[resource].apiVersion,
      metadata: {
        ...object.metadata,
        namespace,
        uid: old?.metadata.uid ?? randomUUID(),
        creationTimestamp: old?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        resourceVersion: String(++this.rv),
      },
    });
    objects.set(key, stored);
    this.record({ rv: this.rv, resource, type: old ? 'MODIFIED' : 'ADDED', object: stored, old });
    return structuredClone(stored);
  }

  /** Deletes an object; false if there was none. */
  remove(resource: Resource, namespace: string, name: string): boolean {
    const objects = this.store.get(resource)!;
    const key = `${namespace}/${name}`;
    const old = objects.get(key);
    if (!old) return false;
    objects.delete(key);
    const gone = structuredClone({ ...old, metadata: { ...old.metadata, resourceVersion: String(++this.rv) } });
    this.record({ rv: this.rv, resource, type: 'DELETED', object: gone, old });
    return true;
  }

  get(resource: Resource, namespace: string, name: string): KubeObject | undefined {
    const o = this.store.get(resource)!.get(`${namespace}/${name}`);
    return o && structuredClone(o);
  }

  /** Forgets all history: watches from any version seen so far now answer 410. */
  compact(): void {
    this.compactedThrough = this.rv;
    this.history.length = 0;
  }

  /** Sends a BOOKMARK with the current version to every watch that allowed bookmarks. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (w.bookmarks) send(w.res, { type: 'BOOKMARK', object: { kind: RESOURCES[w.resource].kind, apiVersion: RESOURCES[w.resource].apiVersion, metadata: { resourceVersion: String(this.rv) } } });
    }
  }

  /** Ends every open watch cleanly, as the server does when `timeoutSeconds` runs out. */
  endWatches(): void {
    for (const w of [...this.watchers]) w.end();
  }

  /** Cuts every open watch's connection mid-stream. */
  breakWatches(): void {
    for (const w of [...this.watchers]) { this.watchers.delete(w); w.res.destroy(); }
  }

  /** Changes the token clients must present (a rotated service-account token); undefined: none. */
  setToken(token: string | undefined): void { this.token = token; }

  /** Open watches on `resource` (all resources when omitted). */
  openWatches(resource?: Resource): number {
    return [...this.watchers].filter((w) => resource === undefined || w.resource === resource).length;
  }

  /** Resolves once a watch on `resource` whose request path and query `test` accepts is open. */
  watching(resource: Resource, test: (query: URLSearchParams) => boolean = () => true): Promise<void> {
    const accept = (w: Watcher) => w.resource === resource && test(w.query);
    if ([...this.watchers].some(accept)) return Promise.resolve();
    return new Promise((resolve) => { this.watchWaiters.add({ test: accept, resolve }); });
  }

  async close(): Promise<void> {
    this.breakWatches();
    await new Promise<void>((resolve) => { this.server.close(() => resolve()); this.server.closeAllConnections(); });
  }

  private record(change: Change): void {
    this.history.push(change);
    for (const w of this.watchers) {
      const event = eventFor(w, change);
      if (event) send(w.res, event);
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, authorization: req.headers.authorization });
    req.resume();
    if (this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`) {
      return status(res, 401, 'Unauthorized', 'Unauthorized');
    }
    if (req.method !== 'GET') return status(res, 405, 'MethodNotAllowed', `${req.method} is not supported by this fake`);
    const route = parseRoute(url.pathname);
    if (!route) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const { resource, namespace, name } = route;
    const q = url.searchParams;
    if (name !== undefined) {
      const o = this.store.get(resource)!.get(`${namespace}/${name}`);
      if (!o) return status(res, 404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });
      return json(res, 200, o);
    }
    let matches: (o: KubeObject) => boolean;
    try {
      matches = selector(namespace, q.get('labelSelector') ?? '', q.get('fieldSelector') ?? '');
    } catch (e) {
      return status(res, 400, 'BadRequest', (e as Error).message);
    }
    const watch = q.get('watch');
    if (watch === '1' || watch === 'true') return this.watch(res, { resource, namespace, matches }, q);
    const items = [...this.store.get(resource)!.values()].filter(matches).map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
    const { apiVersion, kind } = RESOURCES[resource];
    json(res, 200, { kind: `${kind}List`, apiVersion, metadata: { resourceVersion: String(this.rv) }, items });
  }

  private watch(res: ServerResponse, w: Pick<Watcher, 'resource' | 'namespace' | 'matches'>, q: URLSearchParams): void {
    const from = q.get('resourceVersion') ?? '';
    const fromRv = from === '' || from === '0' ? undefined : Number(from);
    if (fromRv !== undefined && !(Number.isInteger(fromRv) && fromRv >= 0)) return status(res, 400, 'BadRequest', `invalid resourceVersion "${from}"`);
    const expired = fromRv !== undefined && fromRv < this.compactedThrough;
    if (expired && this.opts.expiredWatch === 'status') {
      return status(res, 410, 'Expired', `too old resource version: ${fromRv} (${this.compactedThrough + 1})`);
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    // As kube-apiserver: the status line goes out at once, before any event.
    res.flushHeaders();
    if (expired) {
      send(res, { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${fromRv} (${this.compactedThrough + 1})`, reason: 'Expired', code: 410 } });
      res.end();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const watcher: Watcher = {
      ...w,
      bookmarks: q.get('allowWatchBookmarks') === 'true',
      query: q,
      res,
      end: () => {
        clearTimeout(timer);
        if (this.watchers.delete(watcher)) res.end();
      },
    };
    if (fromRv === undefined) {
      for (const o of this.store.get(w.resource)!.values()) if (w.matches(o)) send(res, { type: 'ADDED', object: o });
    } else {
      for (const change of this.history) {
        if (change.rv <= fromRv) continue;
        const event = eventFor(watcher, change);
        if (event) send(res, event);
      }
    }
    this.watchers.add(watcher);
    res.on('close', () => { clearTimeout(timer); this.watchers.delete(watcher); });
    const timeout = Number(q.get('timeoutSeconds') ?? '');
    if (Number.isFinite(timeout) && timeout > 0) { timer = setTimeout(() => watcher.end(), timeout * 1000); timer.unref(); }
    for (const waiter of [...this.watchWaiters]) if (waiter.test(watcher)) { this.watchWaiters.delete(waiter); waiter.resolve(); }
  }
}

/** The event a watcher sees for a change, given whether the object matched before and after. */
function eventFor(w: Watcher, c: Change): { type: string; object: KubeObject } | undefined {
  if (c.resource !== w.resource) return undefined;
  const now = c.type !== 'DELETED' && w.matches(c.object);
  const before = c.old !== undefined && w.matches(c.old);
  if (c.type === 'DELETED') return before ? { type: 'DELETED', object: c.object } : undefined;
  if (now && before) return { type: 'MODIFIED', object: c.object };
  if (now) return { type: 'ADDED', object: c.object };
  // It no longer matches: to this watcher it is gone (the last matching state, at the new version).
  if (before) return { type: 'DELETED', object: { ...c.old!, metadata: { ...c.old!.metadata, resourceVersion: c.object.metadata.resourceVersion } } };
  return undefined;
}

function parseRoute(path: string): { resource: Resource; namespace: string | undefined; name: string | undefined } | undefined {
  for (const [resource, { prefix }] of Object.entries(RESOURCES) as [Resource, { prefix: string }][]) {
    if (!path.startsWith(`${prefix}/`)) continue;
    const parts = path.slice(prefix.length + 1).split('/').map(decodeURIComponent);
    if (parts.length === 1 && parts[0] === resource) return { resource, namespace: undefined, name: undefined };
    if (parts[0] === 'namespaces' && parts[2] === resource && parts.length <= 4 && parts[1]) {
      return { resource, namespace: parts[1], name: parts.length === 4 && parts[3] ? parts[3] : undefined };
    }
  }
  return undefined;
}

/** The filter for a namespace plus label and field selectors; throws on selector syntax it does not know. */
function selector(namespace: string | undefined, labels: string, fields: string): (o: KubeObject) => boolean {
  const tests: ((o: KubeObject) => boolean)[] = [];
  if (namespace !== undefined) tests.push((o) => o.metadata.namespace === namespace);
  for (const req of splitRequirements(labels)) tests.push(labelRequirement(req));
  for (const req of splitRequirements(fields)) tests.push(fieldRequirement(req));
  return (o) => tests.every((t) => t(o));
}

/** Requirements are comma-separated, except for the commas inside `in (a,b)`. */
function splitRequirements(text: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) { out.push(text.slice(start, i)); start = i + 1; }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

function labelRequirement(req: string): (o: KubeObject) => boolean {
  const labels = (o: KubeObject) => o.metadata.labels ?? {};
  let m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(req);
  if (m) {
    const [, key, op, value] = m as unknown as [string, string, string, string];
    return op === '!=' ? (o) => labels(o)[key] !== value : (o) => labels(o)[key] === value;
  }
  m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(req);
  if (m) {
    const [, key, op, list] = m as unknown as [string, string, string, string];
    const values = new Set(list.split(',').map((s) => s.trim()));
    return op === 'in' ? (o) => values.has(labels(o)[key] ?? '\u0000') : (o) => !values.has(labels(o)[key] ?? '\u0000');
  }
  if (/^![^\s!=]+$/.test(req)) return (o) => !(req.slice(1) in labels(o));
  if (/^[^\s!=(),]+$/.test(req)) return (o) => req in labels(o);
  throw new Error(`unable to parse requirement: ${req}`);
}

function fieldRequirement(req: string): (o: KubeObject) => boolean {
  const m = /^(metadata\.name|metadata\.namespace)\s*(==|=|!=)\s*(\S*)$/.exec(req);
  if (!m) throw new Error(`field label not supported: ${req}`);
  const [, field, op, value] = m as unknown as [string, 'metadata.name' | 'metadata.namespace', string, string];
  const get = (o: KubeObject) => (field === 'metadata.name' ? o.metadata.name : o.metadata.namespace);
  return op === '!=' ? (o) => get(o) !== value : (o) => get(o) === value;
}

function send(res: ServerResponse, event: unknown): void {
  if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify(event)}\n`);
}

function json(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function status(res: ServerResponse, code: number, reason: string, message: string, details?: Record<string, unknown>): void {
  json(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}
