/**
 * The composition root: builds a running Switchyard from a validated Config — namers,
 * interpreters, routers and their listeners, the admin server — and shuts it all down again.
 */
import { Dtab } from '../naming/dtab.js';
import { globalNamer } from '../naming/global-namer.js';
import { Path } from '../naming/path.js';
import type { Config, RouterConfig } from '../config/schema.js';
import { registries } from '../config/registry.js';
import type { Logger, NamerInstance, PluginContext, Transformer } from '../config/plugin.js';
import { createInetResolver } from '../discovery/inet.js';
import { RouterInterpreter, type MountedNamer } from '../interpreter/interpreter.js';
import { Http1Listener } from '../protocol/http1/server.js';
import type { Identifier } from '../protocol/http1/identifier.js';
import { HttpRouter, type ServerContext } from '../router/router.js';
import { RequestStats } from '../router/stats.js';
import { Metrics } from '../telemetry/metrics.js';
import { systemClock, type Clock } from '../time/clock.js';
import { createBalancer } from '../balancer/create.js';
import { failureAccrualFactory } from '../resilience/failure-accrual.js';
import { resolvePerPrefixConfig } from '../resilience/static-config.js';
import { RetryBudget } from '../resilience/retry-budget.js';
import type { ClientNode } from '../router/client.js';
import { consoleLogger } from './log.js';
import { AdminServer } from '../admin/server.js';

export interface LinkerOptions {
  baseDir?: string;
  clock?: Clock;
  log?: Logger;
  metrics?: Metrics;
  /** Run the admin server (default true; in multi-core mode only worker 1 does). */
  admin?: boolean;
  /** Called when /admin/shutdown is requested (default: close this linker). */
  onShutdown?: () => void;
}

export interface RunningRouter {
  label: string;
  config: RouterConfig;
  router: HttpRouter;
  interpreter: RouterInterpreter;
  listeners: Http1Listener[];
}

export class Linker {
  readonly routers: RunningRouter[] = [];
  readonly namers: { prefix: Path; kind: string; instance: NamerInstance }[] = [];
  private readonly transformers: Transformer[] = [];
  private readonly serverContexts = new Map<Http1Listener, ServerContext>();
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  private closing: Promise<void> | undefined;
  admin: AdminServer | undefined;
  /** The admin server's port once listening (useful when configured as 0). */
  adminPort = 0;
  private closedResolve!: () => void;
  /** Resolves once a shutdown (signal, /admin/shutdown) has completed. */
  readonly closed = new Promise<void>((resolve) => { this.closedResolve = resolve; });

  private constructor(readonly config: Config, readonly opts: LinkerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? consoleLogger();
    this.metrics = opts.metrics ?? new Metrics({ clock: this.clock });
  }

  /** Instantiates namers, interpreters and routers without listening (for `switchyard delegate`). */
  static create(config: Config, opts: LinkerOptions = {}): Linker {
    const linker = new Linker(config, opts);
    linker.build();
    return linker;
  }

  /** Instantiates everything and starts listening. A port already taken fails with its name and number. */
  static async start(config: Config, opts: LinkerOptions = {}): Promise<Linker> {
    const linker = new Linker(config, opts);
    try {
      linker.build();
      await linker.listen();
    } catch (e) {
      await linker.close(0);
      throw e;
    }
    return linker;
  }

  private ctx(bind?: PluginContext['bind']): PluginContext {
    const listening = [...new Set([this.config.admin.ip, ...this.config.routers.flatMap((r) => r.servers.map((s) => s.ip))])]
      .filter((ip) => ip !== '0.0.0.0' && ip !== '::');
    return { clock: this.clock, log: this.log, baseDir: this.opts.baseDir ?? process.cwd(), localAddresses: listening, ...(bind ? { bind } : {}) };
  }

  private build(): void {
    const mounted: MountedNamer[] = [];
    for (const block of this.config.namers) {
      const plugin = registries.namers.get(block.kind)!;
      const prefix = Path.read(`/#/${(block as { prefix?: string }).prefix?.replace(/^\//, '') ?? plugin.defaultPrefix}`);
      const instance = plugin.create(block, this.ctx(), prefix);
      this.namers.push({ prefix, kind: block.kind, instance });
      mounted.push({ prefix, namer: instance });
    }
    // Linkerd consults same-prefix namers in reverse config order.
    mounted.reverse();
    const global = globalNamer({ inet: createInetResolver({ clock: this.clock }) });

    for (const rc of this.config.routers) {
      const label = rc.label ?? rc.protocol;
      const interpreter = new RouterInterpreter(Dtab.read(rc.dtab), mounted, global);
      const bind = (p: Path) => interpreter.bindRaw(interpreter.baseDtab, p);
      const transformers = (rc.interpreter?.transformers ?? []).map((t) => ({ kind: t.kind, transformer: registries.transformers.get(t.kind)!.create(t, this.ctx(bind)) }));
      this.transformers.push(...transformers.map((t) => t.transformer));
      interpreter.setTransformers(transformers);

      const dstPrefix = Path.read(rc.dstPrefix);
      const idBlocks = rc.identifier === undefined ? [{ kind: 'io.l5d.header.token' }] : Array.isArray(rc.identifier) ? rc.identifier : [rc.identifier];
      const identifiers: Identifier[] = idBlocks.map((b) => {
        const plugin = registries.identifiers.get(b.kind)!;
        return plugin.create(plugin.schema.parse(b), { dstPrefix });
      });
      const scope = this.metrics.scope('rt', label);
      // Connection pools are shared per address across clients, so pool limits come from the global client block.
      const globalClient = rc.client && rc.client.kind !== 'io.l5d.static' ? rc.client : undefined;
      const cache = rc.bindingCache ?? { paths: 1000, clients: 1000, idleTtlSecs: 600 };
      const router = new HttpRouter({
        label,
        identifiers,
        interpreter,
        bindingTimeoutMs: rc.bindingTimeoutMs,
        cache: { paths: cache.paths, clients: cache.clients, idleTtlMs: cache.idleTtlSecs * 1000 },
        maxHeadersBytes: rc.maxHeadersKB * 1024,
        maxErrResponseBytes: rc.maxErrResponseKB * 1024,
        clientPolicy: (id) => {
          const params = resolvePerPrefixConfig(rc.client, id);
          const deps = { clock: this.clock, random: Math.random };
          return {
            balancer: createBalancer<ClientNode>(params.loadBalancer, deps),
            newHealth: failureAccrualFactory(params.failureAccrual, deps),
            requeueBudget: new RetryBudget(params.requeueBudget ?? {}, this.clock),
            attemptTimeoutMs: params.requestAttemptTimeoutMs,
          };
        },
        service: rc.service,
        pool: {
          idleTimeMs: globalClient?.hostConnectionPool?.idleTimeMs ?? 60_000,
          connectTimeoutMs: 3_000,
          ...(globalClient?.hostConnectionPool?.maxSize ? { maxConnections: globalClient.hostConnectionPool.maxSize } : {}),
        },
      }, { clock: this.clock, log: this.log, scope });

      const listeners = rc.servers.map((s) => {
        // Server stats are keyed by the bound port, known once listening (see listen()).
        const srv: ServerContext = { clearContext: s.clearContext, maxCallDepth: s.maxCallDepth, stats: undefined as unknown as RequestStats };
        const listener = new Http1Listener({
          ip: s.ip,
          port: s.port,
          clearContext: s.clearContext,
          maxConcurrentRequests: s.maxConcurrentRequests,
          maxHeadersBytes: rc.maxHeadersKB * 1024,
          maxErrResponseBytes: rc.maxErrResponseKB * 1024,
        }, (req, res) => router.handle(req, res, srv));
        this.serverContexts.set(listener, srv);
        return listener;
      });
      this.routers.push({ label, config: rc, router, interpreter, listeners });
    }
  }

  private async listen(): Promise<void> {
    if (this.opts.admin ?? true) {
      this.admin = new AdminServer(this, this.opts.onShutdown ?? (() => void this.close()));
      const { ip, port } = this.config.admin;
      try {
        this.adminPort = await this.admin.listen();
      } catch (e) {
        throw listenError(e, 'admin server', ip, port);
      }
      this.log.info(`admin server on http://${ip}:${this.adminPort}/`);
    }
    for (const r of this.routers) {
      for (const [i, l] of r.listeners.entries()) {
        try {
          const a = await l.listen();
          const scope = this.metrics.scope('rt', r.label).child('server', `${a.ip}/${a.port}`);
          this.serverContexts.get(l)!.stats = new RequestStats(scope);
          scope.gauge('connections', () => l.connections);
          scope.gauge('pending', () => l.pending);
          this.log.info(`router ${r.label} listening on ${a.ip}:${a.port}`);
        } catch (e) {
          throw listenError(e, `router "${r.label}" server ${i}`, l.opts.ip, l.opts.port);
        }
      }
    }
  }

  router(label: string): RunningRouter | undefined { return this.routers.find((r) => r.label === label); }

  /** Graceful shutdown: stop accepting, drain for up to `graceMs`, close pools and namers. */
  close(graceMs = this.config.admin.shutdownGraceMs): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all(this.routers.flatMap((r) => r.listeners.map((l) => l.close(graceMs))));
      await Promise.all(this.routers.map((r) => r.router.close()));
      for (const t of this.transformers) t.close?.();
      await Promise.all(this.namers.map((n) => n.instance.close?.()));
      await this.admin?.close();
      this.closedResolve();
    })();
    return this.closing;
  }
}

/** "router "outgoing" server 0: 127.0.0.1:4140 is already in use", not a stack trace. */
export function listenError(e: unknown, what: string, ip: string, port: number): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'EADDRINUSE' ? 'is already in use' : code === 'EACCES' ? 'needs more privileges' : code === 'EADDRNOTAVAIL' ? 'is not an address of this machine' : `cannot be listened on (${(e as Error).message})`;
  const err = new Error(`${what}: ${ip}:${port} ${why}`);
  (err as NodeJS.ErrnoException).code = code;
  return err;
}
