/**
 * The concrete layer: one client per bound id (`/#/io.l5d.fs/world-v2`), holding the live
 * address set, per-endpoint failure accrual and a load balancer. Shared by every logical
 * binding (every override) that lands on this id.
 */
import type { Addr } from '../naming/addr.js';
import type { BoundName } from '../naming/namer.js';
import type { Balancer, BalancerNode } from '../balancer/balancer.js';
import type { FailureAccrual } from '../resilience/failure-accrual.js';
import type { RetryBudget } from '../resilience/retry-budget.js';
import type { Counter, Scope } from '../telemetry/metrics.js';
import type { Endpoint, EndpointRegistry } from './endpoint.js';
import { RequestStats } from './stats.js';

/** An endpoint as one client sees it: its weight in this client's address set and its failure accrual. */
export class ClientNode implements BalancerNode {
  constructor(readonly endpoint: Endpoint, readonly weight: number, readonly health: FailureAccrual) {}
  get key(): string { return this.endpoint.key; }
  get pending(): number { return this.endpoint.pending; }
  available(): boolean { return this.health.available(); }
  status(): 'alive' | 'dead' | 'probing' { return this.health.state; }
}

/** What Linkerd's `client` params give one client. */
export interface ClientPolicy {
  balancer: Balancer<ClientNode>;
  newHealth: () => FailureAccrual;
  /** Budget for requeueing requests that never reached an endpoint (client.requeueBudget). */
  requeueBudget: RetryBudget;
  attemptTimeoutMs: number | undefined;
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
  refs = 0;
  readonly stats: RequestStats;
  readonly balancer: Balancer<ClientNode>;
  readonly requeueBudget: RetryBudget;
  readonly requeueCounter: Counter;
  readonly attemptTimeoutMs: number | undefined;
  /** Failure-accrual counts of endpoints that have left the set, so totals survive churn. */
  private departed = { removals: 0, revivals: 0 };
  private unsubscribe: (() => void) | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(readonly name: BoundName, private readonly endpoints: EndpointRegistry, private readonly policy: ClientPolicy, private readonly scope: Scope) {
    this.id = name.id.show();
    this.balancer = policy.balancer;
    this.requeueBudget = policy.requeueBudget;
    this.attemptTimeoutMs = policy.attemptTimeoutMs;
    this.stats = new RequestStats(scope);
    this.requeueCounter = scope.scope('retries').counter('requeues');
    scope.gauge('pending', () => this.nodes.reduce((n, x) => n + x.pending, 0));
    const lb = scope.scope('loadbalancer');
    lb.gauge('size', () => this.nodes.length);
    lb.gauge('available', () => this.nodes.reduce((n, x) => n + (x.available() ? 1 : 0), 0));
    lb.gauge('load', () => this.nodes.reduce((n, x) => n + x.pending, 0));
    const fa = scope.scope('failure_accrual');
    fa.gauge('removals', () => this.nodes.reduce((n, x) => n + x.health.removals, this.departed.removals));
    fa.gauge('revivals', () => this.nodes.reduce((n, x) => n + x.health.revivals, this.departed.revivals));
    fa.gauge('removed', () => this.nodes.reduce((n, x) => n + (x.available() ? 0 : 1), 0));
    this.unsubscribe = name.addr.subscribe(() => this.refresh());
    this.refresh();
  }

  /** Calls `ready` once the address set is no longer pending; returns a cancel function. */
  whenReady(ready: () => void): () => void {
    if (this.state.kind !== 'pending') { ready(); return () => {}; }
    this.waiters.add(ready);
    return () => { this.waiters.delete(ready); };
  }

  private refresh(): void {
    const s = this.name.addr.current();
    const addr: Addr = s.status === 'ok' ? s.value : s.status === 'pending' ? { type: 'pending' } : { type: 'failed', cause: s.error.message };
    if (addr.type === 'bound') {
      const old = new Map(this.nodes.map((n) => [`${n.key}*${n.weight}`, n]));
      const next: ClientNode[] = [];
      for (const a of addr.addresses) {
        const e = this.endpoints.acquire(a);
        const key = `${e.key}*${a.weight}`;
        const reuse = old.get(key);
        if (reuse) {
          this.endpoints.release(e); // the node we keep already holds a reference
          old.delete(key);
          next.push(reuse);
        } else {
          next.push(new ClientNode(e, a.weight, this.policy.newHealth()));
        }
      }
      for (const gone of old.values()) this.retire(gone);
      this.nodes = next;
      this.balancer.update(next);
      this.state = { kind: 'bound' };
    } else {
      // Pending after bound keeps serving the last set; neg and failed are answers.
      this.state = addr.type === 'pending' ? (this.state.kind === 'bound' ? this.state : { kind: 'pending' })
        : addr.type === 'neg' ? { kind: 'neg' } : { kind: 'failed', cause: addr.cause };
    }
    if (this.state.kind !== 'pending' && this.waiters.size > 0) {
      const ws = [...this.waiters];
      this.waiters.clear();
      for (const w of ws) w();
    }
  }

  private retire(n: ClientNode): void {
    this.departed.removals += n.health.removals;
    this.departed.revivals += n.health.revivals;
    this.endpoints.release(n.endpoint);
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const n of this.nodes) this.retire(n);
    this.nodes = [];
    this.balancer.update([]);
    this.scope.remove(); // its gauges refer to this client
  }
}
