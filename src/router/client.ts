/**
 * The concrete layer: one client per bound id (`/#/io.l5d.fs/world-v2`), holding the live
 * address set, per-endpoint state and a load balancer. Shared by every logical binding (every
 * override) that lands on this id.
 */
import type { Addr } from '../naming/addr.js';
import type { BoundName } from '../naming/namer.js';
import type { Balancer, BalancerNode } from '../balancer/balancer.js';
import type { Endpoint, EndpointRegistry } from './endpoint.js';
import type { RequestStats } from './stats.js';
import type { FailureAccrual } from '../resilience/failure-accrual.js';

/** An endpoint as one client sees it: its weight in this client's address set and its failure accrual. */
export class ClientNode implements BalancerNode {
  constructor(readonly endpoint: Endpoint, readonly weight: number, readonly health: FailureAccrual) {}
  get key(): string { return this.endpoint.key; }
  get pending(): number { return this.endpoint.pending; }
  available(): boolean { return this.health.available(); }
  status(): 'alive' | 'dead' | 'probing' { return this.health.state; }
}

export type ClientState =
  | { kind: 'pending' }
  | { kind: 'neg' }
  | { kind: 'failed'; cause: string }
  | { kind: 'bound' };

export class ConcreteClient {
  readonly id: string;
  nodes: readonly ClientNode[] = [];
  state: ClientState = { kind: 'pending' };
  addr: Addr = { type: 'pending' };
  refs = 0;
  stats: RequestStats | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly name: BoundName,
    private readonly endpoints: EndpointRegistry,
    readonly balancer: Balancer<ClientNode>,
    private readonly newHealth: () => FailureAccrual,
  ) {
    this.id = name.id.show();
    this.unsubscribe = name.addr.subscribe(() => this.refresh());
    this.refresh();
  }

  /** Resolves when the address set is no longer pending (the caller bounds the wait). */
  whenReady(): Promise<void> {
    if (this.state.kind !== 'pending') return Promise.resolve();
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  private refresh(): void {
    const s = this.name.addr.current();
    const addr: Addr = s.status === 'ok' ? s.value : s.status === 'pending' ? { type: 'pending' } : { type: 'failed', cause: s.error.message };
    this.addr = addr;
    if (addr.type === 'bound') {
      const old = this.nodes;
      const byKey = new Map(old.map((n) => [`${n.key}*${n.weight}`, n]));
      const next: ClientNode[] = [];
      for (const a of addr.addresses) {
        const reuse = byKey.get(`${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}*${a.weight}`);
        if (reuse) { byKey.delete(`${reuse.key}*${reuse.weight}`); next.push(reuse); continue; }
        const e = this.endpoints.acquire(a);
        next.push(new ClientNode(e, a.weight, this.newHealth()));
      }
      for (const gone of byKey.values()) this.endpoints.release(gone.endpoint);
      this.nodes = next;
      this.balancer.update(next);
      this.state = { kind: 'bound' };
    } else {
      this.state = addr.type === 'pending' ? { kind: 'pending' } : addr.type === 'neg' ? { kind: 'neg' } : { kind: 'failed', cause: addr.cause };
    }
    if (this.state.kind !== 'pending' && this.waiters.size > 0) {
      const ws = [...this.waiters];
      this.waiters.clear();
      for (const w of ws) w();
    }
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const n of this.nodes) this.endpoints.release(n.endpoint);
    this.nodes = [];
    this.balancer.update([]);
  }
}
