/**
 * The admin server (Linkerd's port 9990): dashboard and dtab playground pages, the delegation
 * API, metrics (JSON and Prometheus), state dumps, ping and graceful shutdown. It holds no
 * state of its own: every answer is read from the running Linker.
 */
import { Buffer } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Linker } from '../linker/linker.js';
import type { TelemeterConfig } from '../config/schema.js';
import { delegateJson } from './delegator.js';
import { clientStates, clientsJson } from './state.js';
import { AdminSecurity, categoryOf } from './security.js';
import { toFlatJson, toTreeJson, queryTree, toPrometheus } from '../telemetry/exposition.js';
import { renderPage } from './ui/page.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/ui beside the compiled sources, or the checkout's dist/ui when run from src/ with tsx. */
const uiDirs = [join(here, '..', '..', 'ui'), join(here, '..', '..', 'dist', 'ui')];

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export class AdminServer {
  readonly server: Server;
  private readonly routes = new Map<string, Route>();
  private readonly prometheusPath: string | undefined;
  private readonly security: AdminSecurity | undefined;

  /** Throws when the config's security patterns do not compile, so a bad config fails at start-up. */
  constructor(private readonly linker: Linker, private readonly onShutdown: () => void) {
    const security = linker.config.admin.security;
    this.security = security && new AdminSecurity(security);
    const prom = linker.config.telemetry.find((t) => t.kind === 'io.l5d.prometheus') as TelemeterConfig | undefined;
    this.prometheusPath = prom?.path;
    this.register();
    this.server = createServer((req, res) => {
      void this.serve(req, res).catch((e) => {
        if (!res.headersSent) text(res, 500, `Internal error: ${(e as Error).message}`);
        else res.destroy();
      });
    });
  }

  listen(): Promise<number> {
    const { ip, port } = this.linker.config.admin;
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, ip, () => {
        this.server.off('error', reject);
        const a = this.server.address();
        resolve(typeof a === 'object' && a ? a.port : port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => { this.server.close(() => resolve()); this.server.closeAllConnections(); });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin');
    const path = url.pathname;
    if (this.security && !this.security.allows(path)) return text(res, 404, 'Not found');
    let route = this.routes.get(path);
    if (!route && path.startsWith('/namer_state/')) route = this.namerState;
    if (!route && (path.startsWith('/files/') || path.startsWith('/admin/files/'))) route = this.files;
    if (!route) return text(res, 404, `Not found: ${path}. See /admin for the list of endpoints.`);
    await route(req, res, url);
  }

  private register(): void {
    const r = this.routes;
    const page = (p: 'dashboard' | 'delegator', title: string): Route => (_req, res) => html(res, renderPage(p, title));
    r.set('/', page('dashboard', 'Switchyard'));
    r.set('/services', page('dashboard', 'Switchyard'));
    r.set('/delegator', page('delegator', 'Switchyard · dtab playground'));
    r.set('/admin/ping', (_req, res) => text(res, 200, 'pong'));
    r.set('/admin', (_req, res) => text(res, 200, this.index()));
    r.set('/admin/index.txt', (_req, res) => text(res, 200, this.index()));
    r.set('/config.json', (_req, res) => json(res, 200, this.linker.config));
    r.set('/client_state.json', (_req, res) => json(res, 200, clientStates(this.linker)));
    r.set('/admin/clients.json', (_req, res) => json(res, 200, clientsJson(this.linker)));
    r.set('/bound-names.json', (_req, res) => json(res, 200, [...new Set(this.linker.namers.flatMap((n) => n.instance.boundNames?.() ?? []))].sort()));
    r.set('/delegator.json', (req, res, url) => delegateJson(this.linker, req, res, url));
    r.set('/admin/metrics.json', (_req, res, url) => this.metricsJson(res, url));
    r.set('/metrics.json', (_req, res, url) => this.metricsJson(res, url));
    if (this.prometheusPath) {
      const { prefix, naming } = this.linker.config.telemetry.find((t) => t.kind === 'io.l5d.prometheus') as TelemeterConfig;
      r.set(this.prometheusPath, (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(toPrometheus(this.linker.metrics, { prefix, naming }));
      });
    }
    r.set('/admin/shutdown', (req, res) => {
      if (req.method !== 'POST') return text(res, 405, 'Use POST to shut down.');
      text(res, 200, 'shutting down');
      setImmediate(this.onShutdown);
    });
  }

  private index(): string {
    const paths = [...this.routes.keys(), '/namer_state/<prefix>.json', '/files/*'].sort();
    return paths.map((p) => `${p}\t(${categoryOf(p)})`).join('\n') + '\n';
  }

  private metricsJson(res: ServerResponse, url: URL): void {
    const pretty = url.searchParams.get('pretty') === 'true' || url.searchParams.get('pretty') === '1';
    const tree = url.searchParams.get('tree') === '1' || url.searchParams.get('tree') === 'true';
    const q = url.searchParams.get('q');
    let body: unknown;
    if (q) {
      const tr = toTreeJson(this.linker.metrics);
      const scope = this.linker.metrics.find(q);
      body = tree ? queryTree(tr, q) : scope && toFlatJson(scope);
      if (body === undefined) return json(res, 404, { error: `No such subtree: ${q}` });
    } else {
      body = tree ? toTreeJson(this.linker.metrics) : toFlatJson(this.linker.metrics);
    }
    if (pretty && !tree) body = Object.fromEntries(Object.entries(body as Record<string, number>).sort(([a], [b]) => (a < b ? -1 : 1)));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body));
  }

  private readonly namerState: Route = (_req, res, url) => {
    const m = /^\/namer_state\/(.+)\.json$/.exec(url.pathname);
    const wanted = m ? `/#/${decodeURIComponent(m[1]!).replace(/^\/?(#\/)?/, '')}` : '';
    const namer = this.linker.namers.find((n) => n.prefix.show() === wanted);
    if (!namer) return json(res, 404, { error: `No namer at ${wanted || url.pathname}; known: ${this.linker.namers.map((n) => n.prefix.show()).join(', ') || 'none'}` });
    json(res, 200, namer.instance.state?.() ?? {});
  };

  private readonly files: Route = async (_req, res, url) => {
    const rel = normalize(url.pathname.replace(/^\/(admin\/)?files\//, ''));
    if (rel.startsWith('..') || rel.includes(`${sep}..`)) return text(res, 404, 'Not found');
    for (const dir of uiDirs) {
      try {
        const body = await readFile(join(dir, rel));
        const type = rel.endsWith('.js') ? 'text/javascript' : rel.endsWith('.css') ? 'text/css' : rel.endsWith('.svg') ? 'image/svg+xml' : 'application/octet-stream';
        res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-cache' });
        res.end(body);
        return;
      } catch { /* try the next location */ }
    }
    text(res, 404, `Not found: ${url.pathname} (is the dashboard built? run: npm run build)`);
  };
}

export function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
export function json(res: ServerResponse, status: number, body: unknown): void {
  const s = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
  res.end(s);
}
function html(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
