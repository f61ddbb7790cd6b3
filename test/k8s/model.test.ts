/** The pure parts of the Kubernetes namer: reading objects, resolving ports, connection settings. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiTarget, SERVICE_ACCOUNT_DIR } from '../../src/discovery/k8s/connection.js';
import { sameSubnet24 } from '../../src/discovery/k8s/node.js';
import { k8sNamer, k8sNsNamer } from '../../src/discovery/k8s/plugins.js';
import { portAddresses, portNames, portRef } from '../../src/discovery/k8s/port.js';
import { endpointSliceGroups, endpointsGroups, servicePorts } from '../../src/discovery/k8s/resources.js';
import { Addr, type Address } from '../../src/naming/addr.js';
import { endpointSlice, endpoints, service } from './objects.js';

const show = (list: Address[] | undefined) => list?.map((a) => `${Addr.show(a)}${a.meta?.nodeName ? `@${a.meta.nodeName}` : ''}`);

describe('reading objects', () => {
  test('an EndpointSlice: ready endpoints (unknown readiness counts as ready), TCP ports, nodeName', () => {
    const slice = endpointSlice('s', 'web', {
      ports: [{ name: 'http', port: 8080 }, { name: 'dns', port: 53, protocol: 'UDP' }],
      endpoints: [{ ip: '10.0.0.1', nodeName: 'a' }, { ip: '10.0.0.2', ready: false, terminating: true }, { ip: '10.0.0.3' }],
    });
    (slice.endpoints as any[])[2].conditions = {};
    const [g] = endpointSliceGroups(slice);
    assert.deepEqual([...g!.ports], [['http', 8080]]);
    assert.deepEqual(g!.endpoints, [{ ip: '10.0.0.1', nodeName: 'a' }, { ip: '10.0.0.3' }]);
    assert.deepEqual(endpointSliceGroups({ ...slice, addressType: 'FQDN' }), [], 'FQDN slices name no IP to dial');
    assert.deepEqual(endpointSliceGroups({ garbage: true }), []);
    assert.deepEqual(endpointSliceGroups({ addressType: 'IPv4', endpoints: 'x', ports: [{ port: 'x' }] }), [{ ports: new Map(), endpoints: [] }]);
  });

  test('an Endpoints object: one group per subset, notReadyAddresses left out', () => {
    const groups = endpointsGroups(endpoints('web', { ports: [{ name: 'http', port: 80 }], ready: [{ ip: '10.0.0.1', nodeName: 'a' }], notReady: [{ ip: '10.0.0.9' }] }));
    assert.deepEqual(groups, [{ ports: new Map([['http', 80]]), endpoints: [{ ip: '10.0.0.1', nodeName: 'a' }] }]);
    assert.deepEqual(endpointsGroups({ metadata: { name: 'web' } }), [], 'a service without endpoints has no subsets');
  });

  test('a Service: TCP ports, target ports by number, by name, by digit string, or defaulted', () => {
    const s = service('web', [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'admin', port: 9990, targetPort: 'admin' }]);
    (s.spec as any).ports.push({ name: 'str', port: 81, targetPort: '8081' }, { name: 'none', port: 82 }, { name: 'udp', port: 53, protocol: 'UDP' });
    assert.deepEqual(servicePorts(s), [
      { name: 'http', port: 80, targetPort: 8080 },
      { name: 'admin', port: 9990, targetPort: 'admin' },
      { name: 'str', port: 81, targetPort: 8081 },
      { name: 'none', port: 82, targetPort: 82 },
    ]);
  });
});

describe('resolving a port', () => {
  const groups = [
    ...endpointSliceGroups(endpointSlice('a', 'web', { ports: [{ name: 'http', port: 8080 }, { name: 'admin', port: 9990 }], endpoints: [{ ip: '10.0.0.2', nodeName: 'b' }, { ip: '10.0.0.1', nodeName: 'a' }] })),
    // A second slice, mid-rollout, where `http` is another number.
    ...endpointSliceGroups(endpointSlice('b', 'web', { ports: [{ name: 'http', port: 8081 }], endpoints: [{ ip: '10.0.0.3' }, { ip: '10.0.0.1', nodeName: 'a' }] })),
  ];
  const services = servicePorts(service('web', [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'raw', port: 81, targetPort: 7000 }, { name: 'gone', port: 82, targetPort: 'nope' }]));

  test('by name: every group that has it, at that group\'s number, sorted and without repeats', () => {
    assert.deepEqual(show(portAddresses(groups, { kind: 'name', name: 'http' })), ['10.0.0.1:8080@a', '10.0.0.1:8081@a', '10.0.0.2:8080@b', '10.0.0.3:8081']);
    assert.deepEqual(show(portAddresses(groups, { kind: 'name', name: 'admin' })), ['10.0.0.1:9990@a', '10.0.0.2:9990@b']);
    assert.equal(portAddresses(groups, { kind: 'name', name: 'grpc' }), undefined, 'absent: Neg');
    assert.deepEqual(portAddresses(endpointSliceGroups(endpointSlice('c', 'web', { ports: [{ name: 'http', port: 1 }], endpoints: [] })), { kind: 'name', name: 'http' }), [], 'present, none ready: empty, not Neg');
    assert.deepEqual(portNames(groups), ['admin', 'http']);
  });

  test('by number: through the Service to a named or numeric target port', () => {
    assert.deepEqual(show(portAddresses(groups, { kind: 'number', port: 80 }, services)), ['10.0.0.1:8080@a', '10.0.0.1:8081@a', '10.0.0.2:8080@b', '10.0.0.3:8081']);
    assert.deepEqual(show(portAddresses(groups, { kind: 'number', port: 81 }, services)), ['10.0.0.1:7000@a', '10.0.0.2:7000@b', '10.0.0.3:7000']);
    assert.equal(portAddresses(groups, { kind: 'number', port: 82 }, services), undefined, 'named target the endpoints lack');
    assert.equal(portAddresses(groups, { kind: 'number', port: 83 }, services), undefined, 'no such Service port');
    assert.equal(portAddresses(groups, { kind: 'number', port: 80 }, undefined), undefined, 'no Service');
    assert.deepEqual(portAddresses([], { kind: 'number', port: 81 }, services), [], 'numeric target, no endpoints: empty');
  });

  test('path segments: digits are numbers, the rest names', () => {
    assert.deepEqual(portRef('8080'), { kind: 'number', port: 8080 });
    assert.deepEqual(portRef('http'), { kind: 'name', name: 'http' });
    assert.equal(portRef('70000'), undefined);
    assert.equal(portRef('0'), undefined);
  });
});

describe('connection settings', () => {
  test('kubectl proxy by default, as Linkerd 1', () => {
    assert.deepEqual(apiTarget('io.l5d.k8s', { inCluster: false }, '/etc'), { host: 'localhost', port: 8001 });
    assert.deepEqual(apiTarget('io.l5d.k8s', { inCluster: false, host: '127.0.0.1', port: 9001 }, '/etc'), { host: '127.0.0.1', port: 9001 });
  });

  test('in-cluster: the service environment and the service-account files', () => {
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '6443' };
    assert.deepEqual(apiTarget('io.l5d.k8s', { inCluster: true }, '/etc', env), {
      host: '10.96.0.1', port: 6443, tokenFile: `${SERVICE_ACCOUNT_DIR}/token`, caFile: `${SERVICE_ACCOUNT_DIR}/ca.crt`,
    });
    assert.deepEqual(apiTarget('io.l5d.k8s', { inCluster: true, host: 'api', tokenFile: 'tok', caFile: '/ca.pem' }, '/etc/switchyard', {}), {
      host: 'api', port: 443, tokenFile: '/etc/switchyard/tok', caFile: '/ca.pem',
    });
    assert.throws(() => apiTarget('io.l5d.k8s', { inCluster: true }, '/', {}), /io\.l5d\.k8s: inCluster needs the API server's address, but KUBERNETES_SERVICE_HOST is not set/);
    assert.throws(() => apiTarget('io.l5d.k8s', { inCluster: true }, '/', { KUBERNETES_SERVICE_HOST: 'x', KUBERNETES_SERVICE_PORT: 'https' }), /KUBERNETES_SERVICE_PORT "https" is not a port number/);
  });

  test('config schemas: Linkerd keys, additions, and precise refusals', () => {
    const ok = k8sNamer.schema.parse({ kind: 'io.l5d.k8s', experimental: true, host: 'localhost', port: 8001, labelSelector: 'version' });
    assert.equal(ok.useEndpointSlices, true);
    assert.equal(ok.inCluster, false);
    const issues = (v: unknown) => { const r = k8sNamer.schema.safeParse(v); return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`); };
    assert.deepEqual(issues({ kind: 'io.l5d.k8s', tokenFile: '/t' }), ['tokenFile: tokenFile applies only with inCluster: true (through kubectl proxy the proxy authenticates)']);
    assert.match(issues({ kind: 'io.l5d.k8s', labelSelector: 'bad key!' })[0]!, /^labelSelector: not a Kubernetes label key/);
    assert.equal(issues({ kind: 'io.l5d.k8s', port: 0 }).length, 1);
    assert.equal(issues({ kind: 'io.l5d.k8s', hots: 'x' }).length, 1);
    assert.equal(k8sNsNamer.schema.parse({ kind: 'io.l5d.k8s.ns' }).envVar, 'POD_NAMESPACE');
  });
});

test('same /24: IPv4 only', () => {
  assert.equal(sameSubnet24('10.1.2.3', '10.1.2.250'), true);
  assert.equal(sameSubnet24('10.1.2.3', '10.1.3.3'), false);
  assert.equal(sameSubnet24('::ffff:10.1.2.3', '10.1.2.4'), true);
  assert.equal(sameSubnet24('fd00::1', 'fd00::2'), false);
  assert.equal(sameSubnet24('world', 'world'), false);
});
