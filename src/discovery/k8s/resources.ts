/**
 * The parts of Kubernetes objects the namer reads, normalised from their wire JSON: an
 * EndpointSlice (`discovery.k8s.io/v1`) or a legacy Endpoints object (`v1`) becomes a list of
 * endpoint groups (ready IPs that share a set of named ports), a Service becomes its TCP ports.
 *
 * Objects arrive from the network: every reader here is total. A field of the wrong type is
 * treated as absent, and whatever cannot be used (UDP ports, FQDN slices, endpoints that are not
 * ready) is left out rather than guessed at.
 */

/** Ready IPs that serve the same named ports: one EndpointSlice, or one subset of an Endpoints object. */
export interface EndpointGroup {
  /** Port name → number; TCP ports only. Unnamed ports have the name `""`. */
  readonly ports: ReadonlyMap<string, number>;
  readonly endpoints: readonly Endpoint[];
}

export interface Endpoint {
  readonly ip: string;
  /** The node the pod runs on, when the API says (used by the daemonset and localnode transformers). */
  readonly nodeName?: string;
}

/** One TCP port of a Service: `port` is what clients name, `targetPort` what pods listen on. */
export interface ServicePort {
  readonly name: string;
  readonly port: number;
  /** A number, or the name of a container port. Defaults to `port`, as the API server does. */
  readonly targetPort: number | string;
}

/** The API group, version and collection of each kind the namer watches. */
export const RESOURCES = {
  endpointSlices: { api: '/apis/discovery.k8s.io/v1', collection: 'endpointslices' },
  endpoints: { api: '/api/v1', collection: 'endpoints' },
  services: { api: '/api/v1', collection: 'services' },
} as const;
export type ResourceKind = keyof typeof RESOURCES;

/** The label every EndpointSlice carries with the name of its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** `metadata.name`, or undefined when the object has none. */
export function objectName(obj: unknown): string | undefined {
  const name = field(field(obj, 'metadata'), 'name');
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** `metadata.resourceVersion` of an object or a list, when present. */
export function resourceVersion(obj: unknown): string | undefined {
  const rv = field(field(obj, 'metadata'), 'resourceVersion');
  return typeof rv === 'string' && rv !== '' ? rv : undefined;
}

/** An EndpointSlice as one group: its ready endpoints and its ports. FQDN slices have no IPs to dial. */
export function endpointSliceGroups(slice: unknown): EndpointGroup[] {
  const addressType = field(slice, 'addressType');
  if (addressType !== 'IPv4' && addressType !== 'IPv6') return [];
  const endpoints: Endpoint[] = [];
  for (const ep of list(field(slice, 'endpoints'))) {
    // A missing `ready` means unknown, which the API says consumers should treat as ready.
    if (field(field(ep, 'conditions'), 'ready') === false) continue;
    const nodeName = field(ep, 'nodeName');
    for (const ip of list(field(ep, 'addresses'))) {
      if (typeof ip === 'string' && ip !== '') endpoints.push(endpoint(ip, nodeName));
    }
  }
  return [{ ports: tcpPorts(field(slice, 'ports')), endpoints }];
}

/** An Endpoints object as one group per subset; `notReadyAddresses` are left out. */
export function endpointsGroups(obj: unknown): EndpointGroup[] {
  return list(field(obj, 'subsets')).map((subset) => ({
    ports: tcpPorts(field(subset, 'ports')),
    endpoints: list(field(subset, 'addresses')).flatMap((a) => {
      const ip = field(a, 'ip');
      return typeof ip === 'string' && ip !== '' ? [endpoint(ip, field(a, 'nodeName'))] : [];
    }),
  }));
}

/** A Service's TCP ports. */
export function servicePorts(service: unknown): ServicePort[] {
  const out: ServicePort[] = [];
  for (const p of list(field(field(service, 'spec'), 'ports'))) {
    const port = portNumber(field(p, 'port'));
    if (port === undefined || !isTcp(p)) continue;
    const name = field(p, 'name');
    const target = field(p, 'targetPort');
    const targetPort = typeof target === 'string' && target !== '' ? (/^[0-9]+$/.test(target) ? Number(target) : target) : portNumber(target) ?? port;
    out.push({ name: typeof name === 'string' ? name : '', port, targetPort });
  }
  return out;
}

function tcpPorts(ports: unknown): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of list(ports)) {
    const port = portNumber(field(p, 'port'));
    if (port === undefined || !isTcp(p)) continue;
    const name = field(p, 'name');
    out.set(typeof name === 'string' ? name : '', port);
  }
  return out;
}

function isTcp(port: unknown): boolean {
  const protocol = field(port, 'protocol');
  return protocol === undefined || protocol === null || (typeof protocol === 'string' && protocol.toUpperCase() === 'TCP');
}

function portNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535 ? v : undefined;
}

function endpoint(ip: string, nodeName: unknown): Endpoint {
  return typeof nodeName === 'string' && nodeName !== '' ? { ip, nodeName } : { ip };
}

function field(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null && !Array.isArray(obj) ? (obj as Record<string, unknown>)[key] : undefined;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
