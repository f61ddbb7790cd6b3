/**
 * The endpoint layer: one keep-alive connection pool per address, shared by every concrete
 * client (and so by every route) that lands on that address.
 */
import { Pool } from 'undici';
import { Addr, type Address } from '../naming/addr.js';

export interface PoolOptions {
  /** Max connections per endpoint (client.hostConnectionPool.maxSize). */
  maxConnections?: number;
  /** Idle keep-alive time of an upstream connection. */
  idleTimeMs: number;
  connectTimeoutMs: number;
}

export class Endpoint {
  readonly key: string;
  readonly pool: Pool;
  /** Requests in flight to this address, over all clients (the load balancers' load). */
  pending = 0;
  refs = 0;

  constructor(readonly host: string, readonly port: number, opts: PoolOptions) {
    this.key = Addr.show({ host, port, weight: 1 });
    this.pool = new Pool(`http://${this.key}`, {
      connections: opts.maxConnections ?? null,
      pipelining: 1,
      keepAliveTimeout: opts.idleTimeMs,
      keepAliveMaxTimeout: opts.idleTimeMs,
      connectTimeout: opts.connectTimeoutMs,
      headersTimeout: 0,
      bodyTimeout: 0,
      strictContentLength: false,
    });
    // A pool with no listener would crash the process on a connection error event.
    this.pool.on('connectionError', () => {});
  }

  close(): Promise<void> { return this.pool.close().catch(() => {}); }
  destroy(): Promise<void> { return this.pool.destroy().catch(() => {}); }
}

/** Refcounted endpoints by address. An endpoint closes when its last client releases it. */
export class EndpointRegistry {
  private readonly byKey = new Map<string, Endpoint>();
  constructor(private readonly opts: PoolOptions) {}

  acquire(a: Address): Endpoint {
    const key = Addr.show(a);
    let e = this.byKey.get(key);
    if (!e) {
      e = new Endpoint(a.host, a.port, this.opts);
      this.byKey.set(key, e);
    }
    e.refs++;
    return e;
  }

  release(e: Endpoint): void {
    if (--e.refs > 0) return;
    this.byKey.delete(e.key);
    void e.close();
  }

  get size(): number { return this.byKey.size; }
  all(): Endpoint[] { return [...this.byKey.values()]; }

  async closeAll(): Promise<void> {
    const all = [...this.byKey.values()];
    this.byKey.clear();
    await Promise.all(all.map((e) => e.destroy()));
  }
}
