/**
 * A stand-in admin server for the UI's browser tests: serves the page shell, the built bundle
 * and the JSON endpoints with realistic data. Counters grow on every metrics poll, and the
 * delegator explains names with the real dtab parser, so override and error paths are real.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderPage } from '../../src/admin/ui/page.js';
import type { ClientJson, ConfigJson, DelegateNode, DelegateRequest, DentryJson } from '../../src/admin/ui/api.js';
import type { MetricsTree } from '../../src/admin/ui/metrics.js';
import { Dtab, type Dentry } from '../../src/naming/dtab.js';
import { DtabSyntaxError } from '../../src/naming/errors.js';
import { NameTree } from '../../src/naming/nametree.js';
import { Path } from '../../src/naming/path.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const UI_DIR = join(ROOT, 'dist', 'ui');

export const CONFIG: ConfigJson & Record<string, unknown> = {
  admin: { ip: '127.0.0.1', port: 9990 },
  namers: [{ kind: 'io.l5d.fs', prefix: '/io.l5d.fs', rootDir: 'disco' }],
  telemetry: [{ kind: 'io.l5d.prometheus', path: '/admin/metrics/prometheus' }],
  routers: [
    {
      protocol: 'http',
      label: 'outgoing',
      dstPrefix: '/svc',
      // As written in YAML block style: newlines, padding and a comment.
      dtab: [
        '/srv        => /#/io.l5d.fs ;',
        '/svc        => /srv ;',
        '# the v1 fleet takes the traffic until v2 is proven',
        '/svc/world  => /srv/world-v1 ;',
        '/svc/search => 9 * /srv/search-v1 & 1 * /srv/search-v2 ;',
        '',
      ].join('\n'),
      servers: [{ ip: '127.0.0.1', port: 4140 }],
    },
    {
      protocol: 'http',
      label: 'incoming',
      dstPrefix: '/svc',
      dtab: '/svc => /$/inet/127.1/7777',
      servers: [{ ip: '0.0.0.0', port: 4141 }],
    },
  ],
};

/** What each concrete name of the fs namer resolves to. */
const FS_NAMES: Record<string, string[]> = {
  'world-v1': ['127.0.0.1:7778', '127.0.0.1:7779', '127.0.0.1:7780'],
  'world-v2': ['127.0.0.1:7781'],
  'search-v1': ['127.0.0.1:7790', '127.0.0.1:7791'],
  'search-v2': ['127.0.0.1:7792'],
  users: ['127.0.0.1:7800'],
};

export const CLIENTS: ClientJson[] = [
  {
    router: 'outgoing', id: '/#/io.l5d.fs/world-v1', state: 'bound', endpoints: [
      { addr: '127.0.0.1:7778', weight: 1, pending: 2, status: 'alive' },
      { addr: '127.0.0.1:7779', weight: 1, pending: 0, status: 'dead' },
      { addr: '127.0.0.1:7780', weight: 1, pending: 1, status: 'probing' },
    ],
  },
  {
    router: 'outgoing', id: '/#/io.l5d.fs/search-v1', state: 'bound', endpoints: [
      { addr: '127.0.0.1:7790', weight: 1, pending: 0, status: 'alive' },
      { addr: '127.0.0.1:7791', weight: 1, pending: 3, status: 'alive' },
    ],
  },
  {
    router: 'outgoing', id: '/#/io.l5d.fs/search-v2', state: 'bound', endpoints: [
      { addr: '127.0.0.1:7792', weight: 1, pending: 0, status: 'alive' },
    ],
  },
  { router: 'outgoing', id: '/#/io.l5d.fs/users', state: 'failed: ENOENT: disco/users is unreadable', endpoints: [] },
  {
    router: 'incoming', id: '/$/inet/127.1/7777', state: 'bound', endpoints: [
      { addr: '127.1:7777', weight: 1, pending: 0, status: 'alive' },
    ],
  },
];

/** Per poll, how many requests each logical name gets and which clients serve them. */
const TRAFFIC: { router: string; service: string; perPoll: number; failEvery: number; clients: [string, number][] }[] = [
  { router: 'outgoing', service: '/svc/world', perPoll: 40, failEvery: 3, clients: [['/#/io.l5d.fs/world-v1', 1]] },
  { router: 'outgoing', service: '/svc/search', perPoll: 20, failEvery: 0, clients: [['/#/io.l5d.fs/search-v1', 0.9], ['/#/io.l5d.fs/search-v2', 0.1]] },
  { router: 'incoming', service: '/svc/hello', perPoll: 6, failEvery: 0, clients: [['/$/inet/127.1/7777', 1]] },
];

interface Counts { requests: number; success: number; failures: number }

/**
 * Cumulative counters that grow by a varying amount on every poll, laid out as Switchyard's
 * registry writes them: a client or service id is one key (`"#/io.l5d.fs/world-v1"`).
 */
class TrafficSim {
  private polls = 0;
  private readonly counts = new Map<string, { names: string[]; counts: Counts }>();

  private add(names: string[], requests: number, failures: number): void {
    const key = names.join('\0');
    const entry = this.counts.get(key) ?? { names, counts: { requests: 0, success: 0, failures: 0 } };
    entry.counts.requests += requests;
    entry.counts.failures += failures;
    entry.counts.success += requests - failures;
    this.counts.set(key, entry);
  }

  tree(): MetricsTree {
    this.polls++;
    for (const t of TRAFFIC) {
      const requests = t.perPoll + ((this.polls * 7) % 11);
      const failures = t.failEvery > 0 && this.polls % t.failEvery === 0 ? 2 : 0;
      const server = t.router === 'outgoing' ? ['127.0.0.1', '4140'] : ['0.0.0.0', '4141'];
      this.add(['rt', t.router, 'server', ...server], requests, failures);
      this.add(['rt', t.router, 'service', t.service.slice(1)], requests, failures);
      for (const [client, share] of t.clients) this.add(['rt', t.router, 'client', client.slice(1)], Math.round(requests * share), failures);
    }
    const tree: MetricsTree = {};
    for (const { names, counts: c } of this.counts.values()) {
      const node = names.reduce<MetricsTree>((n, name) => (n[name] ??= {}) as MetricsTree, tree);
      node['requests'] = { counter: c.requests };
      node['success'] = { counter: c.success };
      node['failures'] = { counter: c.failures };
      node['status'] = { '200': { counter: c.success }, '5XX': { counter: c.failures } };
      node['request_latency_ms'] = {
        'stat.count': c.requests, 'stat.p50': 4, 'stat.p90': 9, 'stat.p95': 14, 'stat.p99': 31, 'stat.max': 48,
      };
      if (names[2] === 'server') {
        node['connections'] = { gauge: 3 + (this.polls % 3) };
        node['pending'] = { gauge: this.polls % 4 };
      }
    }
    return tree;
  }
}

const dentryJson = (d: Dentry): DentryJson => ({ prefix: d.prefix.show(), dst: NameTree.show(d.dst) });

/**
 * The explanation tree of `path` under `dtab`, in Linkerd's shape, with the fs namer above:
 * enough of delegation for the playground's tests (rewrites, alternatives, unions, neg).
 */
function explain(dtab: Dtab, path: Path, dentry: DentryJson | null, depth = 0): DelegateNode {
  const shown = path.show();
  const [hash, namer, name] = path.labels;
  if (hash === '#' && namer === 'io.l5d.fs' && name !== undefined) {
    const addrs = FS_NAMES[name];
    if (!addrs) return { type: 'neg', path: shown, dentry };
    return {
      type: 'leaf', path: shown, dentry,
      bound: {
        id: `/#/io.l5d.fs/${name}`, path: path.drop(3).show(),
        addr: { type: 'bound', addrs: addrs.map((a) => ({ ip: a.split(':')[0]!, port: Number(a.split(':')[1]), meta: {} })), meta: {} },
      },
    };
  }
  const matches = depth > 8 ? [] : dtab.matches(path);
  if (matches.length === 0) return { type: 'neg', path: shown, dentry };
  const branches = matches.map((m) => fromTree(dtab, m.dentry.dst, m.residual, dentryJson(m.dentry), depth + 1));
  return branches.length === 1
    ? { type: 'delegate', path: shown, dentry, delegate: branches[0]! }
    : { type: 'alt', path: shown, dentry, alt: branches };
}

function fromTree(dtab: Dtab, tree: NameTree<Path>, residual: Path, dentry: DentryJson, depth: number): DelegateNode {
  const path = NameTree.show(tree);
  switch (tree.kind) {
    case 'leaf': return explain(dtab, tree.value.concat(residual), dentry, depth);
    case 'union': return { type: 'union', path, dentry, union: tree.branches.map((b) => ({ weight: b.weight, tree: fromTree(dtab, b.tree, residual, dentry, depth) })) };
    case 'alt': return { type: 'alt', path, dentry, alt: tree.trees.map((t) => fromTree(dtab, t, residual, dentry, depth)) };
    case 'neg': return { type: 'neg', path: '~', dentry };
    case 'fail': return { type: 'fail', path: '!', dentry };
    case 'empty': return { type: 'empty', path: '$', dentry };
  }
}

/** Marks the branch routing takes; returns whether `node` binds. */
function markPrimary(node: DelegateNode): boolean {
  const set = (ok: boolean): boolean => { if (ok) (node as { primary?: boolean }).primary = true; return ok; };
  switch (node.type) {
    case 'leaf': return set(node.bound.addr.type === 'bound');
    case 'delegate': return set(markPrimary(node.delegate));
    case 'alt': return set(node.alt.some((b) => markPrimary(b)));
    case 'union': return set(node.union.map((b) => markPrimary(b.tree)).some(Boolean));
    default: return false;
  }
}

function delegation(body: DelegateRequest): { status: number; body: string | DelegateNode } {
  let path: Path;
  let dtab: Dtab;
  try { path = Path.read(body.path); } catch (e) { return { status: 400, body: `Invalid path: ${(e as Error).message}` }; }
  try { dtab = Dtab.read(body.dtab); } catch (e) {
    if (e instanceof DtabSyntaxError) return { status: 400, body: `Invalid dtab: ${e.message}` };
    throw e;
  }
  const tree = explain(dtab, path, null);
  markPrimary(tree);
  return { status: 200, body: tree };
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

export interface Fixture {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every delegation request received, in order. */
  readonly delegations: DelegateRequest[];
  /** While true, `/admin/metrics.json` answers 503, as an admin server that went away. */
  metricsDown: boolean;
  close(): Promise<void>;
}

/** Starts the stand-in admin server on 127.0.0.1 with an OS-chosen port. */
export async function startFixture(): Promise<Fixture> {
  const sim = new TrafficSim();
  const delegations: DelegateRequest[] = [];
  let fixture: Fixture | undefined;
  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer): void => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  const json = (res: ServerResponse, value: unknown): void => send(res, 200, 'application/json', JSON.stringify(value));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const p = url.pathname;
    if (p === '/' || p === '/services') return send(res, 200, 'text/html; charset=utf-8', renderPage('dashboard', 'Switchyard'));
    if (p === '/delegator') return send(res, 200, 'text/html; charset=utf-8', renderPage('delegator', 'Switchyard · dtab playground'));
    if (p === '/config.json') return json(res, CONFIG);
    if (p === '/admin/metrics.json') return fixture?.metricsDown ? send(res, 503, 'text/plain', 'down') : json(res, sim.tree());
    if (p === '/admin/clients.json') return json(res, CLIENTS);
    if (p === '/delegator.json' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as DelegateRequest;
      delegations.push(body);
      const out = delegation(body);
      return typeof out.body === 'string' ? send(res, out.status, 'text/plain', out.body) : json(res, out.body);
    }
    if (p.startsWith('/files/')) {
      const rel = normalize(p.slice('/files/'.length));
      if (rel.startsWith('..')) return send(res, 404, 'text/plain', 'Not found');
      try {
        return send(res, 200, TYPES[extname(rel)] ?? 'application/octet-stream', await readFile(join(UI_DIR, rel)));
      } catch {
        return send(res, 404, 'text/plain', `Not found: ${p}`);
      }
    }
    send(res, 404, 'text/plain', `Not found: ${p}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => send(res, 500, 'text/plain', String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fixture = {
    url: `http://127.0.0.1:${port}`,
    delegations,
    metricsDown: false,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  return fixture;
}
