/**
 * A running Switchyard for the admin server's tests: real upstreams behind an io.l5d.fs
 * directory, two routers (`outgoing` through the fs namer, `incoming` straight to an inet
 * address), the Prometheus telemeter, and the admin server on an OS-chosen port.
 *
 * Linker and metrics share one FakeClock, and each upstream advances it by its own latency
 * while it holds a request, so latencies are exact (world-v1: 25 ms, world-v2: 40 ms) and
 * histogram windows end only when the test says so.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadConfig } from '../../src/config/validate.js';
import { Linker } from '../../src/linker/linker.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { FakeClock } from '../../src/time/clock.js';
import { closedPort, discoDir, quietLog, send, startUpstream, type DiscoDir, type Reply, type Upstream } from '../helpers/http.js';

export const WORLD_V1_MS = 25;
export const WORLD_V2_MS = 40;

export interface WorldOptions {
  /** The `telemetry:` list as YAML flow text (default: the Prometheus telemeter with its defaults). */
  telemetry?: string;
  /** Passed to the metrics registry (e.g. a small cap on children per scope). */
  maxChildren?: number;
  /** More io.l5d.fs files, given the upstreams' ports: name → ports. */
  files?: (ports: Record<UpstreamName, number>) => Record<string, number[]>;
}

export type UpstreamName = 'v1' | 'v2' | 'broken' | 'flaky' | 'slow';

export interface World {
  readonly linker: Linker;
  readonly clock: FakeClock;
  readonly disco: DiscoDir;
  readonly upstreams: Record<UpstreamName, Upstream>;
  /** A port nothing listens on; the fs file `dead` points at it. */
  readonly deadPort: number;
  /** The port of a router's first server. */
  routerPort(label: 'outgoing' | 'incoming'): number;
  /** A request through a router, with `host` as the Host header. */
  route(host: string, headers?: Record<string, string>, label?: 'outgoing' | 'incoming'): Promise<Reply>;
  /** A request to the admin server. */
  admin(path: string, opts?: Parameters<typeof send>[1]): Promise<Reply>;
  /** The admin server's flat `/admin/metrics.json`. */
  metrics(): Promise<Record<string, number>>;
  /** Answers every request the `slow` upstream is holding. */
  releaseSlow(): void;
  close(): Promise<void>;
}

/** An upstream that advances the clock by `ms` while it holds each request, then answers `name`. */
function timed(clock: FakeClock, ms: number, name: string): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    req.resume();
    clock.advance(ms);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(name);
  };
}

export async function startWorld(opts: WorldOptions = {}): Promise<World> {
  const clock = new FakeClock();
  const held: ServerResponse[] = [];
  let flakyCalls = 0;
  const upstreams: Record<UpstreamName, Upstream> = {
    v1: await startUpstream('world-v1', timed(clock, WORLD_V1_MS, 'world-v1')),
    v2: await startUpstream('world-v2', timed(clock, WORLD_V2_MS, 'world-v2')),
    broken: await startUpstream('broken', (req, res) => { req.resume(); res.writeHead(500); res.end('broken'); }),
    // Fails every other request, starting with the first.
    flaky: await startUpstream('flaky', (req, res) => { req.resume(); res.writeHead(flakyCalls++ % 2 === 0 ? 500 : 200); res.end('flaky'); }),
    slow: await startUpstream('slow', (req, res) => { req.resume(); held.push(res); }),
  };
  const deadPort = await closedPort();
  const disco = discoDir({
    'world-v1': [upstreams.v1.port],
    'world-v2': [upstreams.v2.port],
    broken: [upstreams.broken.port],
    flaky: [upstreams.flaky.port],
    slow: [upstreams.slow.port],
    dead: [deadPort],
    garbled: 'this is not an address\n',
    ...opts.files?.(Object.fromEntries(Object.entries(upstreams).map(([k, u]) => [k, u.port])) as Record<UpstreamName, number>),
  });
  const yaml = `
admin: {port: 0}
namers:
- kind: io.l5d.fs
  rootDir: ${disco.dir}
telemetry: ${opts.telemetry ?? '[{kind: io.l5d.prometheus}]'}
routers:
- protocol: http
  label: outgoing
  dtab: |
    /srv       => /#/io.l5d.fs;
    /svc       => /srv;
    /svc/world => /srv/world-v1;
  servers: [{port: 0}]
  service:
    kind: io.l5d.static
    configs:
    - prefix: /svc/flaky
      responseClassifier: {kind: io.l5d.http.retryableRead5XX}
- protocol: http
  label: incoming
  dtab: /svc => /$/inet/127.0.0.1/${upstreams.v2.port}
  servers: [{port: 0}]
`;
  const metrics = new Metrics({ clock, ...(opts.maxChildren ? { maxChildren: opts.maxChildren } : {}) });
  let linker: Linker;
  try {
    linker = await Linker.start(loadConfig(yaml, 'admin-test.yaml'), { clock, metrics, log: quietLog });
  } catch (e) {
    for (const u of Object.values(upstreams)) await u.close();
    disco.remove();
    throw e;
  }
  const routerPort = (label: 'outgoing' | 'incoming') => linker.router(label)!.listeners[0]!.port;
  const admin = (path: string, o: Parameters<typeof send>[1] = {}) => send(linker.adminPort, { ...o, path });
  return {
    linker, clock, disco, upstreams, deadPort, routerPort, admin,
    route: (host, headers = {}, label = 'outgoing') => send(routerPort(label), { headers: { host, ...headers } }),
    metrics: async () => JSON.parse((await admin('/admin/metrics.json')).body) as Record<string, number>,
    releaseSlow: () => { for (const res of held.splice(0)) res.end('slow'); },
    close: async () => {
      for (const res of held.splice(0)) res.destroy();
      await linker.close(0);
      for (const u of Object.values(upstreams)) await u.close();
      disco.remove();
    },
  };
}
