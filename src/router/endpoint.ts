/**
 * The endpoint layer: one keep-alive connection pool per address, shared by every concrete
 * client (and so by every route) that lands on that address.
 */
import { Addr, type Address } from '../naming/addr.js';
import { WirePool } from '../protocol/http1/wire/client.js';

export interface PoolOptions {
  /** Max connections per endpoint (client.hostConnectionPool.maxSize). */
  maxConnections?: number;
  /** Idle keep-alive time of an upstream connection. */
  idleTimeMs: number;
  connectTimeoutMs: number;
}

export class Endpoint {
  readonly key: string;
  readonly pool: WirePool;
  /** Requests in flight to this address, over all clients (the load balancers' load). */
  pending = 0;
  refs = 0;

  constructor(readonly host: string, readonly port: number, opts: PoolOptions) {
    this.key = Addr.show({ host, port, weight: 1 });
    this.pool = new WirePool(host, port, {
      connections: opts.maxConnections ?? null,
      keepAliveTimeout: opts.idleTimeMs,
      connectTimeout: opts.connectTimeoutMs,
    });
  }

  /** Lets requests in flight finish, then closes the connections. */
  close(): Promise<void> { return this.pool.close(); }
  /** Fails requests in flight and closes the connections now. */
  destroy(): Promise<void> { return this.pool.destroy(); }
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
