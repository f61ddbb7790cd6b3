/**
 * The watches behind each service name, shared by every route that uses it: one list+watch of
 * its endpoints (EndpointSlices, or the legacy Endpoints object) and, once a numbered port asks
 * for it, one of the Service itself.
 *
 * A service's watches run while anyone observes them and stop a while (`lingerMs`) after the
 * last observer leaves, so a route that is re-bound soon after finds them warm, while names
 * nobody routes to any more (a one-off `l5d-dtab` override) cost nothing for long.
 */
import type { Logger } from '../../config/plugin.js';
import { PENDING, type Activity, type State } from '../../naming/activity.js';
import type { Random } from '../../resilience/backoff.js';
import type { Clock, Timer } from '../../time/clock.js';
import type { K8sApi } from './api.js';
import { ListWatch } from './list-watch.js';
import { endpointSliceGroups, endpointsGroups, RESOURCES, SERVICE_NAME_LABEL, servicePorts, type EndpointGroup, type ServicePort } from './resources.js';

/** A service as the namer names it; `label` is `<labelSelector key>=<value>` when the namer has one. */
export interface ServiceKey {
  readonly namespace: string;
  readonly service: string;
  readonly label?: string;
}

export interface ServiceWatchesOptions {
  readonly api: K8sApi;
  readonly clock: Clock;
  readonly log: Logger;
  readonly random?: Random;
  /** EndpointSlices (`discovery.k8s.io/v1`), or the legacy Endpoints API (`v1`). */
  readonly useEndpointSlices: boolean;
  /** How long a service's watches outlive their last observer (default 30 s). */
  readonly lingerMs?: number;
}

export const DEFAULT_LINGER_MS = 30_000;

/** Endpoint groups by object name (one per slice, or the one Endpoints object). */
export type EndpointsMap = ReadonlyMap<string, readonly EndpointGroup[]>;
/** Service ports by Service name: empty while the Service does not exist. */
export type ServicesMap = ReadonlyMap<string, readonly ServicePort[]>;

class Entry {
  endpoints: ListWatch<readonly EndpointGroup[]> | undefined;
  service: ListWatch<readonly ServicePort[]> | undefined;
  observers = 0;
  expiry: Timer | undefined;
  /** Activities over this service's watches (and address sets per port), kept for identity. */
  readonly memo = new Map<string, unknown>();
  constructor(readonly key: ServiceKey) {}
}

export class ServiceWatches {
  private readonly entries = new Map<string, Entry>();
  private readonly lingerMs: number;
  private closed = false;

  constructor(private readonly opts: ServiceWatchesOptions) {
    this.lingerMs = opts.lingerMs ?? DEFAULT_LINGER_MS;
  }

  /** The service's endpoint groups, live while observed. */
  endpoints(key: ServiceKey): Activity<EndpointsMap> {
    return this.memo(key, 'endpoints', () => this.handle(key, (e) => e.endpoints, (e) => (e.endpoints ??= this.watchEndpoints(e.key))));
  }

  /** The Service object's ports, live while observed (for numbered ports). */
  services(key: ServiceKey): Activity<ServicesMap> {
    return this.memo(key, 'service', () => this.handle(key, (e) => e.service, (e) => (e.service ??= this.watchService(e.key))));
  }

  /**
   * `make()`'s result, kept with the service's watches: the same port of the same service gets the
   * same activity however often it is looked up, so routers see one address set, not copies.
   */
  memo<T>(key: ServiceKey, slot: string, make: () => T): T {
    const e = this.entry(key);
    if (!e.memo.has(slot)) e.memo.set(slot, make());
    return e.memo.get(slot) as T;
  }

  /** The services with running watches, for the namer's state and bound names. */
  watched(): { key: ServiceKey; observers: number; endpoints?: ListWatch<readonly EndpointGroup[]>; service?: ListWatch<readonly ServicePort[]> }[] {
    return [...this.entries.values()]
      .filter((e) => e.endpoints || e.service)
      .map((e) => ({ key: e.key, observers: e.observers, ...(e.endpoints ? { endpoints: e.endpoints } : {}), ...(e.service ? { service: e.service } : {}) }));
  }

  close(): void {
    this.closed = true;
    for (const e of this.entries.values()) this.stop(e);
    this.entries.clear();
  }

  /** An activity over one of the service's watches: `running` peeks at it, `start` starts it if needed. */
  private handle<T>(key: ServiceKey, running: (e: Entry) => ListWatch<T> | undefined, start: (e: Entry) => ListWatch<T>): Activity<ReadonlyMap<string, T>> {
    const id = keyId(key);
    return {
      current: (): State<ReadonlyMap<string, T>> => {
        const e = this.entries.get(id);
        const w = e && running(e);
        return w ? w.objects.current() : PENDING;
      },
      subscribe: (listener) => {
        if (this.closed) return () => {};
        const e = this.entry(key);
        e.observers++;
        e.expiry?.cancel();
        e.expiry = undefined;
        const unsubscribe = start(e).objects.subscribe(listener);
        let done = false;
        return () => {
          if (done) return;
          done = true;
          unsubscribe();
          if (--e.observers === 0) this.linger(e);
        };
      },
    };
  }

  private entry(key: ServiceKey): Entry {
    const id = keyId(key);
    let e = this.entries.get(id);
    if (!e) {
      e = new Entry(key);
      this.entries.set(id, e);
      // Looked up but perhaps never observed: forget it unless someone subscribes.
      if (!this.closed) this.linger(e);
    }
    return e;
  }

  private linger(e: Entry): void {
    e.expiry?.cancel();
    e.expiry = this.opts.clock.setTimeout(() => {
      if (e.observers > 0) return;
      this.stop(e);
      if (this.entries.get(keyId(e.key)) === e) this.entries.delete(keyId(e.key));
    }, this.lingerMs);
  }

  private stop(e: Entry): void {
    e.expiry?.cancel();
    e.endpoints?.stop();
    e.service?.stop();
  }

  private watchEndpoints(key: ServiceKey): ListWatch<readonly EndpointGroup[]> {
    const slices = this.opts.useEndpointSlices;
    const r = slices ? RESOURCES.endpointSlices : RESOURCES.endpoints;
    const labels = slices ? [`${SERVICE_NAME_LABEL}=${key.service}`, ...(key.label ? [key.label] : [])].join(',') : key.label;
    return new ListWatch({
      ...this.common(key, r.collection),
      collection: `${r.api}/namespaces/${key.namespace}/${r.collection}`,
      ...(labels ? { labelSelector: labels } : {}),
      ...(slices ? {} : { fieldSelector: `metadata.name=${key.service}` }),
      parse: slices ? endpointSliceGroups : endpointsGroups,
    });
  }

  private watchService(key: ServiceKey): ListWatch<readonly ServicePort[]> {
    const r = RESOURCES.services;
    return new ListWatch({
      ...this.common(key, r.collection),
      collection: `${r.api}/namespaces/${key.namespace}/${r.collection}`,
      ...(key.label ? { labelSelector: key.label } : {}),
      fieldSelector: `metadata.name=${key.service}`,
      parse: servicePorts,
    });
  }

  private common(key: ServiceKey, collection: string) {
    const { api, clock, log, random } = this.opts;
    return { api, clock, log, ...(random ? { random } : {}), what: `${collection} ${showKey(key)}` };
  }
}

/** `default/world`, or `default/world (version=v2)`. */
export function showKey(key: ServiceKey): string {
  return `${key.namespace}/${key.service}${key.label ? ` (${key.label})` : ''}`;
}

function keyId(key: ServiceKey): string {
  return `${key.namespace}/${key.service}/${key.label ?? ''}`;
}

