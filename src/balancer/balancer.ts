/**
 * The load-balancer contract between the router and the balancing policies. The router's
 * endpoints are nodes; a balancer picks one per request attempt, skipping nodes that failure
 * accrual marked unavailable. Balancers never do I/O and read time only from the injected clock,
 * and picking allocates nothing: it is on every request's path.
 */
import type { Clock } from '../time/clock.js';

export interface BalancerNode {
  readonly key: string;
  /** Relative share of traffic under equal load (from namers and dtab union weights). */
  readonly weight: number;
  /** Outstanding requests. */
  readonly pending: number;
  /** False while failure accrual marks it dead. */
  available(): boolean;
}

export interface Balancer<N extends BalancerNode> {
  /** Replaces the node set (on every address-set change); per-node history survives by key. */
  update(nodes: readonly N[]): void;
  /**
   * A node for the next attempt; undefined only when there are no nodes. When every node is
   * unavailable one of them is returned anyway, as Finagle does: a request to a node that is
   * probably down beats failing it outright.
   */
  pick(): N | undefined;
  /** Called when a request to n completes. */
  observe(n: N, latencyMs: number, ok: boolean): void;
  readonly size: number;
}

export interface BalancerDeps {
  clock: Clock;
  /** Uniform in [0, 1), like Math.random; injected so tests are deterministic. */
  random: () => number;
}

/** How many picks a balancer tries before settling for an unavailable node (Finagle's default). */
export const DEFAULT_MAX_EFFORT = 5;
