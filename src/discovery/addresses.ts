/** Small address-set utilities shared by namers and transformers. */
import { BlockList, isIP } from 'node:net';
import { ok, type ActivitySource } from '../naming/activity.js';
import { Addr, type Address } from '../naming/addr.js';

/** Sets a new address set only if it differs, so republishing an identical set churns nothing. */
export function publishAddr(source: ActivitySource<Addr>, addr: Addr): void {
  const s = source.current();
  if (s.status === 'ok' && Addr.equals(s.value, addr)) return;
  source.set(ok(addr));
}

/**
 * Drops exact repeats (same host, port and weight), keeping first-seen order: an address set is a
 * set, and a repeated line or two ports rewritten to one must not double an endpoint's share.
 */
export function uniqueAddresses(addresses: readonly Address[]): Address[] {
  const seen = new Set<string>();
  const out: Address[] = [];
  for (const a of addresses) {
    const key = `${a.host}\u0000${a.port}\u0000${a.weight}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(a);
  }
  return out;
}

/**
 * A set of IP addresses and subnets that answers "is this host one of them?". Comparison is by
 * address, not by text: `::ffff:127.0.0.1` matches `127.0.0.1` and `fe80:0::1` matches `fe80::1`.
 * Hosts that are not IP literals never match.
 */
export class IpSet {
  private readonly list = new BlockList();

  constructor(ips: Iterable<string> = [], subnets: Iterable<{ network: string; prefix: number }> = []) {
    for (const ip of ips) {
      const family = isIP(stripZone(ip));
      if (family !== 0) this.list.addAddress(stripZone(ip), family === 4 ? 'ipv4' : 'ipv6');
    }
    for (const s of subnets) this.list.addSubnet(s.network, s.prefix, isIP(s.network) === 6 ? 'ipv6' : 'ipv4');
  }

  has(host: string): boolean {
    const ip = stripZone(host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);
    const family = isIP(ip);
    return family !== 0 && this.list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** `fe80::1%eth0` → `fe80::1`: the zone names an interface, not a different address. */
function stripZone(ip: string): string {
  const i = ip.indexOf('%');
  return i < 0 ? ip : ip.slice(0, i);
}
