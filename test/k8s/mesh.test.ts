/**
 * The linker-to-linker mesh of deploy/k8s, for real on one machine. All of 127.0.0.0/8 is
 * loopback, so two "nodes" are two /24s: node A's pods on 127.0.1.0/24, node B's on
 * 127.0.2.0/24, each node with its own Switchyard (127.0.1.1, 127.0.2.1) running the ingress,
 * outgoing and incoming routers, all discovering through one fake Kubernetes API.
 *
 *   client → A ingress → (daemonset) → A incoming → (localnode) → hello (A)
 *   hello → A outgoing → (daemonset) → B incoming → (localnode) → world-v1 | world-v2 (B)
 *
 * An `l5d-dtab` override given at the ingress travels as `l5d-ctx-dtab` through hello and both
 * routers of the second hop, and reaches world-v2 on the other node.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createHelloServer, createWorldServer } from '../../examples/apps.js';
import type { Linker } from '../../src/linker/linker.js';
import { closeServer, listen, routerPort, send, startLinker } from '../helpers/http.js';
import { FakeApiServer } from './fake-apiserver.js';
import { eventually } from './harness.js';
import { endpointSlice } from './objects.js';

/** One node's Switchyard: the reference config of deploy/k8s, with its IP and the fake API. */
function nodeConfig(ip: string, api: number): string {
  const daemonset = `
    transformers:
    - kind: io.l5d.k8s.daemonset
      namespace: default
      port: incoming
      service: l5d
      k8sHost: 127.0.0.1
      k8sPort: ${api}`;
  return `
admin: {ip: ${ip}, port: 0}
namers:
- kind: io.l5d.k8s
  host: 127.0.0.1
  port: ${api}
routers:
- protocol: http
  label: ingress
  dtab: |
    /srv                    => /#/io.l5d.k8s/default/http;
    /domain/world/hello/www => /srv/hello;
    /host                   => /$/io.buoyant.http.domainToPathPfx/domain;
    /svc                    => /host;
  interpreter:
    kind: default${daemonset}
  servers: [{ip: ${ip}, port: 0}]
- protocol: http
  label: outgoing
  dtab: |
    /srv        => /#/io.l5d.k8s/default/http;
    /host       => /srv;
    /host/world => /srv/world-v1;
    /svc        => /host;
  interpreter:
    kind: default${daemonset}
  servers: [{ip: ${ip}, port: 0}]
- protocol: http
  label: incoming
  dtab: |
    /srv                    => /#/io.l5d.k8s/default/http;
    /domain/world/hello/www => /srv/hello;
    /host                   => /$/io.buoyant.http.domainToPathPfx/domain;
    /host                   => /srv;
    /host/world             => /srv/world-v1;
    /svc                    => /host;
  interpreter:
    kind: default
    transformers:
    - kind: io.l5d.k8s.localnode
      podIp: ${ip}
  servers: [{ip: ${ip}, port: 0}]
`;
}

describe('linker-to-linker mesh across two loopback "nodes"', () => {
  let fake: FakeApiServer;
  const linkers: Record<'a' | 'b', Linker> = {} as Record<'a' | 'b', Linker>;
  const apps: Server[] = [];

  before(async () => {
    fake = await FakeApiServer.start();
    linkers.a = await startLinker(nodeConfig('127.0.1.1', fake.port));
    linkers.b = await startLinker(nodeConfig('127.0.2.1', fake.port));

    // The l5d daemonset: one pod per node, each Switchyard with its own ports (one slice per pod).
    for (const [node, ip] of [['a', '127.0.1.1'], ['b', '127.0.2.1']] as const) {
      fake.apply('endpointslices', endpointSlice(`l5d-${node}`, 'l5d', {
        ports: (['ingress', 'outgoing', 'incoming'] as const).map((name) => ({ name, port: routerPort(linkers[node], name) })),
        endpoints: [{ ip, nodeName: `node-${node}` }],
      }));
    }

    const worldV1 = createWorldServer({ ip: '127.0.2.10', word: 'world' });
    const worldV2 = createWorldServer({ ip: '127.0.2.11', word: 'earth' });
    apps.push(worldV1, worldV2);
    const app = (name: string, ip: string, node: string, port: number) =>
      fake.apply('endpointslices', endpointSlice(`${name}-${node}`, name, { ports: [{ name: 'http', port }], endpoints: [{ ip, nodeName: `node-${node}` }] }));
    app('world-v1', '127.0.2.10', 'b', await listen(worldV1, '127.0.2.10'));
    app('world-v2', '127.0.2.11', 'b', await listen(worldV2, '127.0.2.11'));
    // hello uses its node's Switchyard as HTTP proxy (http_proxy=$(NODE_NAME):4140 in deploy/k8s).
    const hello = createHelloServer({ ip: '127.0.1.10', proxyHost: '127.0.1.1', proxyPort: routerPort(linkers.a, 'outgoing'), world: 'world' });
    apps.push(hello);
    app('hello', '127.0.1.10', 'a', await listen(hello, '127.0.1.10'));
  });

  after(async () => {
    await Promise.all(Object.values(linkers).map((l) => l.close(0)));
    await Promise.all(apps.map(closeServer));
    await fake.close();
  });

  const ingress = () => ({ host: '127.0.1.1', port: routerPort(linkers.a, 'ingress') });
  const clientIds = (node: 'a' | 'b', router: string) => linkers[node].router(router)!.router.clients().map((c) => c.id).sort();

  test('hello on node A reaches world on node B through A outgoing and B incoming', async () => {
    const { host, port } = ingress();
    const r = await send(port, { host, headers: { host: 'www.hello.world' } });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.body, 'Hello (127.0.1.10) world (127.0.2.10)!!');

    // Each hop went where the mesh says: the ingress and A's outgoing router sent to the l5d pod
    // on the destination's node, and each incoming router delivered only to its own node.
    assert.deepEqual(clientIds('a', 'ingress'), ['/%/io.l5d.k8s.daemonset/default/incoming/l5d/#/io.l5d.k8s/default/http/hello']);
    assert.deepEqual(clientIds('a', 'incoming'), ['/%/io.l5d.k8s.localnode/127.0.1.1/#/io.l5d.k8s/default/http/hello']);
    assert.deepEqual(clientIds('a', 'outgoing'), ['/%/io.l5d.k8s.daemonset/default/incoming/l5d/#/io.l5d.k8s/default/http/world-v1']);
    assert.deepEqual(clientIds('b', 'incoming'), ['/%/io.l5d.k8s.localnode/127.0.2.1/#/io.l5d.k8s/default/http/world-v1']);
    const outgoingNodes = linkers.a.router('outgoing')!.router.clients()[0]!.nodes.map((n) => n.key);
    assert.deepEqual(outgoingNodes, [`127.0.2.1:${routerPort(linkers.b, 'incoming')}`]);
  });

  test('an l5d-dtab override at the ingress reaches world-v2 across both routers', async () => {
    const { host, port } = ingress();
    const r = await send(port, { host, headers: { host: 'www.hello.world', 'l5d-dtab': '/host/world => /srv/world-v2;' } });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.body, 'Hello (127.0.1.10) earth (127.0.2.11)!!');
    assert.ok(clientIds('b', 'incoming').includes('/%/io.l5d.k8s.localnode/127.0.2.1/#/io.l5d.k8s/default/http/world-v2'));
    const plain = await send(port, { host, headers: { host: 'www.hello.world' } });
    assert.equal(plain.body, 'Hello (127.0.1.10) world (127.0.2.10)!!', 'nobody else\'s traffic changed');
  });

  test('when world moves to node A, A outgoing follows it to A incoming', async () => {
    const moved = createWorldServer({ ip: '127.0.1.20', word: 'world' });
    apps.push(moved);
    const port = await listen(moved, '127.0.1.20');
    fake.apply('endpointslices', endpointSlice('world-v1-b', 'world-v1', { ports: [{ name: 'http', port }], endpoints: [{ ip: '127.0.1.20', nodeName: 'node-a' }] }));
    await eventually(() => linkers.a.router('outgoing')!.router.clients().some((c) => c.nodes.some((n) => n.key.startsWith('127.0.1.1:'))), 'A outgoing to follow world to node A');
    const r = await send(ingress().port, { host: '127.0.1.1', headers: { host: 'www.hello.world' } });
    assert.equal(r.body, 'Hello (127.0.1.10) world (127.0.1.20)!!');
  });
});
