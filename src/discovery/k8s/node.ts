/**
 * "On the same node", as Linkerd 1's Kubernetes transformers decide it: pods of one node share a
 * /24 subnet (the usual per-node pod CIDR), or, for pods with host networking whose IPs are the
 * nodes' own, the `nodeName` the API reports for each endpoint.
 */
import { isIPv4 } from 'node:net';
import type { Address } from '../../naming/addr.js';

/** True when both hosts are IPv4 addresses in the same /24. Anything else never matches. */
export function sameSubnet24(a: string, b: string): boolean {
  const x = ipv4(a), y = ipv4(b);
  return x !== undefined && y !== undefined && x.slice(0, x.lastIndexOf('.')) === y.slice(0, y.lastIndexOf('.'));
}

/** The node an address's pod runs on, from the namer's metadata. */
export function nodeNameOf(a: Address): string | undefined {
  const n = a.meta?.nodeName;
  return typeof n === 'string' && n !== '' ? n : undefined;
}

/** The IPv4 address a host names (IPv4-mapped IPv6 included), or undefined. */
function ipv4(host: string): string | undefined {
  const h = host.toLowerCase().startsWith('::ffff:') ? host.slice(7) : host;
  return isIPv4(h) ? h : undefined;
}
