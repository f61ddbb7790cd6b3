/** Builders for the Kubernetes objects tests put into the fake API server. */
import type { KubeObject } from './fake-apiserver.js';

export interface SliceEndpoint { ip: string; nodeName?: string; ready?: boolean; terminating?: boolean }
export interface NamedPort { name: string; port: number; protocol?: string }

/** An EndpointSlice of `service` (labelled as the EndpointSlice controller does). */
export function endpointSlice(name: string, service: string, opts: { namespace?: string; ports: NamedPort[]; endpoints: SliceEndpoint[]; labels?: Record<string, string>; addressType?: string }): KubeObject {
  return {
    metadata: { name, namespace: opts.namespace ?? 'default', labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', ...opts.labels } },
    addressType: opts.addressType ?? 'IPv4',
    endpoints: opts.endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true, serving: e.ready ?? true, terminating: e.terminating ?? false },
      ...(e.nodeName ? { nodeName: e.nodeName } : {}),
    })),
    ports: opts.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })),
  };
}

/** A legacy Endpoints object with one subset. */
export function endpoints(name: string, opts: { namespace?: string; ports: NamedPort[]; ready: SliceEndpoint[]; notReady?: SliceEndpoint[]; labels?: Record<string, string> }): KubeObject {
  const address = (e: SliceEndpoint) => ({ ip: e.ip, ...(e.nodeName ? { nodeName: e.nodeName } : {}) });
  return {
    metadata: { name, namespace: opts.namespace ?? 'default', ...(opts.labels ? { labels: opts.labels } : {}) },
    subsets: [{
      addresses: opts.ready.map(address),
      ...(opts.notReady ? { notReadyAddresses: opts.notReady.map(address) } : {}),
      ports: opts.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })),
    }],
  };
}

/** A Service with ports `{name, port, targetPort}`. */
export function service(name: string, ports: { name: string; port: number; targetPort?: number | string }[], opts: { namespace?: string; labels?: Record<string, string> } = {}): KubeObject {
  return {
    metadata: { name, namespace: opts.namespace ?? 'default', ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: { selector: { app: name }, ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: 'TCP', targetPort: p.targetPort ?? p.port })) },
  };
}
