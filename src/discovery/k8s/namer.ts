/**
 * The Kubernetes namer: `/<namespace>/<port>/<service>[/<label value>]/residual…` (the namespace
 * is fixed for io.l5d.k8s.ns) binds to the ready endpoints of that service's port, live.
 *
 * The answer follows Linkerd 1's EndpointsNamer: the first three or four segments are lower-cased
 * and form the bound id; a port the service does not have, or a service that does not exist,
 * answers Neg (dtab alternatives fall through); a port whose endpoints are all gone or not ready
 * answers a bound, empty address set (no fall-through: the service exists, it is just down).
 * Every address carries the pod's `nodeName` as metadata.
 */
import type { Logger, NamerInstance } from '../../config/plugin.js';
import { constant, derive, type Activity, type Read } from '../../naming/activity.js';
import { Addr, type Address } from '../../naming/addr.js';
import { BoundName, type Name } from '../../naming/namer.js';
import { NameTree } from '../../naming/nametree.js';
import { Path } from '../../naming/path.js';
import type { Random } from '../../resilience/backoff.js';
import type { Clock } from '../../time/clock.js';
import { showTarget, type K8sApi } from './api.js';
import { portAddresses, portNames, portRef, type PortRef } from './port.js';
import { ServiceWatches, showKey, type ServiceKey } from './service-watches.js';

export interface K8sNamerOptions {
  readonly api: K8sApi;
  readonly clock: Clock;
  readonly log: Logger;
  readonly random?: Random;
  /** EndpointSlices (default), or the legacy Endpoints API. */
  readonly useEndpointSlices: boolean;
  /** A label key: paths then carry its value as a fourth segment, and only objects with that label value count. */
  readonly labelSelector?: string;
  /** Fixes the namespace (io.l5d.k8s.ns): paths start at the port segment. */
  readonly namespace?: string;
  readonly lingerMs?: number;
}

export class K8sNamer implements NamerInstance {
  private readonly watches: ServiceWatches;
  /** Segments that name the service, after the prefix: [namespace,] port, service[, label value]. */
  private readonly width: number;

  constructor(private readonly prefix: Path, private readonly opts: K8sNamerOptions) {
    this.watches = new ServiceWatches(opts);
    this.width = (opts.namespace === undefined ? 3 : 2) + (opts.labelSelector === undefined ? 0 : 1);
  }

  lookup(path: Path): Activity<NameTree<Name>> {
    if (path.size < this.width) return constant(NameTree.neg);
    const segments = path.take(this.width).labels.map((l) => l.toLowerCase());
    const [namespace, portSegment, service, labelValue] = this.opts.namespace === undefined ? segments : [this.opts.namespace, ...segments];
    const ref = portRef(portSegment!);
    // A name the API could not hold is not a service that might appear later: Neg at once.
    if (!ref || !isDnsLabel(namespace!) || !isDnsLabel(service!) || (ref.kind === 'name' && !isPortName(ref.name))) return constant(NameTree.neg);
    if (labelValue !== undefined && !isLabelValue(labelValue)) return constant(NameTree.neg);

    const key: ServiceKey = { namespace: namespace!, service: service!, ...(labelValue !== undefined ? { label: `${this.opts.labelSelector}=${labelValue}` } : {}) };
    const addr = this.watches.memo(key, `addr ${portSegment}`, () => derive((read) => {
      const found = this.resolve(key, ref, read);
      return found === undefined ? Addr.neg : Addr.bound(found);
    }, Addr.equals));
    const id = this.prefix.concat(Path.fromLabels(segments));
    const residual = path.drop(this.width);
    let leaf: NameTree<Name> | undefined;
    return derive((read) => {
      if (this.resolve(key, ref, read) === undefined) return NameTree.neg;
      return (leaf ??= NameTree.leaf(new BoundName(id, addr, residual)));
    });
  }

  /** Concrete names of every named port of the services being watched. */
  boundNames(): string[] {
    const names: string[] = [];
    for (const { key, endpoints } of this.watches.watched()) {
      const s = endpoints?.objects.current();
      if (s?.status !== 'ok') continue;
      const label = key.label === undefined ? [] : [key.label.slice(key.label.indexOf('=') + 1)];
      const ns = this.opts.namespace === undefined ? [key.namespace] : [];
      for (const port of portNames([...s.value.values()].flat())) {
        names.push(this.prefix.concat(Path.of(...ns, port, key.service, ...label)).show());
      }
    }
    return names.sort();
  }

  /** Watch state for `/namer_state/<prefix>.json`. */
  state(): unknown {
    const services: Record<string, unknown> = {};
    for (const { key, observers, endpoints, service } of this.watches.watched()) {
      services[showKey(key)] = {
        observers,
        ...(endpoints ? { endpoints: endpoints.state() } : {}),
        ...(service ? { service: service.state() } : {}),
      };
    }
    return {
      api: showTarget(this.opts.api.target),
      endpoints: this.opts.useEndpointSlices ? 'discovery.k8s.io/v1 EndpointSlice' : 'v1 Endpoints',
      ...(this.opts.namespace !== undefined ? { namespace: this.opts.namespace } : {}),
      ...(this.opts.labelSelector !== undefined ? { labelSelector: this.opts.labelSelector } : {}),
      services,
    };
  }

  close(): void {
    this.watches.close();
    this.opts.api.close();
  }

  /** The port's addresses, or undefined when the port (or the service) does not exist. */
  private resolve(key: ServiceKey, ref: PortRef, read: Read): Address[] | undefined {
    const groups = [...read(this.watches.endpoints(key)).values()].flat();
    if (ref.kind === 'name') return portAddresses(groups, ref);
    return portAddresses(groups, ref, read(this.watches.services(key)).get(key.service));
  }
}

/** RFC 1123 label: what namespace and Service names are. */
function isDnsLabel(s: string): boolean {
  return s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);
}

/** An IANA service name, which named container and Service ports must be (at most 15 characters, a letter among them). */
function isPortName(s: string): boolean {
  return s.length <= 15 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s) && /[a-z]/.test(s) && !s.includes('--');
}

/** A label value (lower-cased, as the path is). */
function isLabelValue(s: string): boolean {
  return s.length <= 63 && /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/.test(s);
}
