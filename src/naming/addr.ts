/** Address sets as namers publish them (Finagle's Addr). */

export interface Address {
  readonly host: string;
  readonly port: number;
  /** Load-balancing weight from the namer (fs `* w`, union weights); 1 by default. */
  readonly weight: number;
  /** Free-form metadata (e.g. `nodeName` from Kubernetes). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

export type Addr =
  | { readonly type: 'pending' }
  | { readonly type: 'bound'; readonly addresses: readonly Address[]; readonly meta?: Readonly<Record<string, unknown>> }
  | { readonly type: 'neg' }
  | { readonly type: 'failed'; readonly cause: string };

export const Addr = {
  pending: Object.freeze({ type: 'pending' }) as Addr,
  neg: Object.freeze({ type: 'neg' }) as Addr,
  bound(addresses: readonly Address[], meta?: Record<string, unknown>): Addr {
    return meta ? { type: 'bound', addresses, meta } : { type: 'bound', addresses };
  },
  failed(cause: string): Addr { return { type: 'failed', cause }; },
  address(host: string, port: number, weight = 1, meta?: Record<string, unknown>): Address {
    return meta ? { host, port, weight, meta } : { host, port, weight };
  },
  /** `host:port` (IPv6 hosts bracketed). */
  show(a: Address): string { return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`; },
  /** Structural equality, so republishing an identical set does not churn pools. */
  equals(a: Addr, b: Addr): boolean {
    if (a === b) return true;
    if (a.type !== b.type) return false;
    if (a.type === 'failed' && b.type === 'failed') return a.cause === b.cause;
    if (a.type !== 'bound' || b.type !== 'bound') return true;
    if (a.addresses.length !== b.addresses.length) return false;
    for (let i = 0; i < a.addresses.length; i++) {
      const x = a.addresses[i]!, y = b.addresses[i]!;
      if (x.host !== y.host || x.port !== y.port || x.weight !== y.weight || JSON.stringify(x.meta) !== JSON.stringify(y.meta)) return false;
    }
    return JSON.stringify(a.meta) === JSON.stringify(b.meta);
  },
} as const;
