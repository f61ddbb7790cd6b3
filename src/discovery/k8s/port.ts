/**
 * The `<port>` segment of `/#/io.l5d.k8s/<namespace>/<port>/<service>`: a port name matched
 * against the endpoints' named ports, or a Service port number mapped through the Service to its
 * target port (Linkerd's EndpointsNamer rules).
 */
import { Addr, type Address } from '../../naming/addr.js';
import type { EndpointGroup, ServicePort } from './resources.js';

export type PortRef =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'number'; readonly port: number };

/** A path segment as a port reference: digits are a Service port number, anything else a port name. */
export function portRef(segment: string): PortRef | undefined {
  if (/^[0-9]+$/.test(segment)) {
    const port = Number(segment);
    return port >= 1 && port <= 65535 ? { kind: 'number', port } : undefined;
  }
  return { kind: 'name', name: segment };
}

/**
 * The addresses behind a port, or `undefined` when the port does not exist, which the namer
 * answers with Neg so that dtab alternatives fall through:
 * - a named port exists when some endpoint group has it; its addresses are every ready IP of
 *   those groups at the group's number (an empty list when none is ready: bound, but empty);
 * - a numbered port exists when the Service has it (`services` is undefined while the Service is
 *   missing); a numeric target port then always exists, a named one is looked up as above.
 */
export function portAddresses(groups: readonly EndpointGroup[], ref: PortRef, services?: readonly ServicePort[]): Address[] | undefined {
  if (ref.kind === 'name') return namedPort(groups, ref.name);
  const mapping = services?.find((p) => p.port === ref.port);
  if (!mapping) return undefined;
  if (typeof mapping.targetPort === 'string') return namedPort(groups, mapping.targetPort);
  const target = mapping.targetPort;
  return ordered(groups.flatMap((g) => g.endpoints.map((e) => address(e.ip, target, e.nodeName))));
}

/** Every named port of the groups, for the namer's list of bound names. */
export function portNames(groups: readonly EndpointGroup[]): string[] {
  return [...new Set(groups.flatMap((g) => [...g.ports.keys()].filter((n) => n !== '')))].sort();
}

function namedPort(groups: readonly EndpointGroup[], name: string): Address[] | undefined {
  let found = false;
  const out: Address[] = [];
  for (const g of groups) {
    const port = g.ports.get(name);
    if (port === undefined) continue;
    found = true;
    for (const e of g.endpoints) out.push(address(e.ip, port, e.nodeName));
  }
  return found ? ordered(out) : undefined;
}

function address(ip: string, port: number, nodeName: string | undefined): Address {
  return nodeName === undefined ? Addr.address(ip, port) : Addr.address(ip, port, 1, { nodeName });
}

/**
 * Sorted and without repeats: the API gives no order, and an address set that only changed order
 * must compare equal so that clients see no change at all.
 */
function ordered(addresses: Address[]): Address[] {
  const byKey = new Map<string, Address>();
  for (const a of addresses) {
    const key = `${a.host} ${a.port}`;
    if (!byKey.has(key)) byKey.set(key, a);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, a]) => a);
}
