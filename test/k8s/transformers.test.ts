/** io.l5d.k8s.daemonset (against the fake API server) and io.l5d.k8s.localnode. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PluginContext, Transformer } from '../../src/config/plugin.js';
import { k8sDaemonsetTransformer } from '../../src/discovery/transformers/k8s-daemonset.js';
import { k8sLocalnodeTransformer } from '../../src/discovery/transformers/k8s-localnode.js';
import { ActivitySource, ok } from '../../src/naming/activity.js';
import { Addr, type Address } from '../../src/naming/addr.js';
import { BoundName } from '../../src/naming/namer.js';
import { NameTree } from '../../src/naming/nametree.js';
import { Path } from '../../src/naming/path.js';
import { systemClock } from '../../src/time/clock.js';
import { recordingLog, value } from '../discovery/helpers.js';
import { FakeApiServer } from './fake-apiserver.js';
import { addrIs, addrText, observe } from './harness.js';
import { endpointSlice } from './objects.js';

const ctx = (): PluginContext => ({ clock: systemClock, log: recordingLog(), baseDir: '.' });
const at = (host: string, port: number, nodeName?: string): Address => Addr.address(host, port, 1, nodeName ? { nodeName } : undefined);

/** A bound name `/#/io.l5d.k8s/default/http/<name>` whose address set the test sets. */
function destination(name: string, ...addresses: Address[]) {
  const addr = new ActivitySource<Addr>(ok(Addr.bound(addresses)));
  return { bound: new BoundName(Path.read(`/#/io.l5d.k8s/default/http/${name}`), addr, Path.read('/rest')), addr };
}

function transformLeaf(t: Transformer, bound: BoundName): BoundName {
  const tree = value(t.transform(NameTree.leaf(bound)).current());
  assert.ok(tree.kind === 'leaf');
  return tree.value;
}

describe('io.l5d.k8s.daemonset', () => {
  let fake: FakeApiServer;
  const l5dSlice = (endpoints: { ip: string; nodeName: string }[]) =>
    endpointSlice('l5d-abc', 'l5d', { ports: [{ name: 'incoming', port: 4141 }, { name: 'outgoing', port: 4140 }], endpoints });

  before(async () => { fake = await FakeApiServer.start(); });
  after(() => fake.close());

  test('replaces each destination by the daemonset pod on its /24, live', async () => {
    fake.apply('endpointslices', l5dSlice([{ ip: '10.1.1.2', nodeName: 'node-a' }, { ip: '10.1.2.2', nodeName: 'node-b' }]));
    const config = k8sDaemonsetTransformer.schema.parse({ kind: 'io.l5d.k8s.daemonset', namespace: 'default', service: 'l5d', port: 'incoming', k8sHost: '127.0.0.1', k8sPort: fake.port });
    const t = k8sDaemonsetTransformer.create(config, ctx());
    try {
      const { bound, addr } = destination('world-v1', at('10.1.2.7', 7778), at('10.1.2.8', 7778), at('10.1.1.5', 7778));
      const out = transformLeaf(t, bound);
      assert.equal(out.id.show(), '/%/io.l5d.k8s.daemonset/default/incoming/l5d/#/io.l5d.k8s/default/http/world-v1');
      assert.equal(out.residual.show(), '/rest');
      const stop = observe(out.addr);
      await addrIs(out.addr, ['10.1.2.2:4141', '10.1.1.2:4141']);

      addr.update(Addr.bound([at('10.1.2.7', 7778)]));
      await addrIs(out.addr, ['10.1.2.2:4141']);
      // The daemonset pod on node B is replaced.
      fake.apply('endpointslices', l5dSlice([{ ip: '10.1.1.2', nodeName: 'node-a' }, { ip: '10.1.2.3', nodeName: 'node-b' }]));
      await addrIs(out.addr, ['10.1.2.3:4141']);
      // A destination on a node without a daemonset pod: nothing to send to, Neg (502), no bypass.
      addr.update(Addr.bound([at('10.1.3.1', 7778)]));
      await addrIs(out.addr, 'neg');
      addr.update(Addr.neg);
      await addrIs(out.addr, 'neg');
      stop();
    } finally {
      t.close?.();
    }
  });

  test('with hostNetwork, pods are matched by nodeName', async () => {
    fake.apply('endpointslices', l5dSlice([{ ip: '192.168.0.10', nodeName: 'node-a' }, { ip: '192.168.0.11', nodeName: 'node-b' }]));
    const config = k8sDaemonsetTransformer.schema.parse({ kind: 'io.l5d.k8s.daemonset', namespace: 'default', service: 'l5d', port: 4141, hostNetwork: true, k8sHost: '127.0.0.1', k8sPort: fake.port });
    assert.equal(config.port, '4141');
    fake.apply('services', { metadata: { name: 'l5d' }, spec: { ports: [{ name: 'incoming', port: 4141, targetPort: 'incoming', protocol: 'TCP' }] } });
    const t = k8sDaemonsetTransformer.create(config, ctx());
    try {
      const { bound } = destination('world-v1', at('10.1.9.7', 7778, 'node-b'), at('10.1.9.8', 7778));
      const out = transformLeaf(t, bound);
      assert.equal(out.id.show(), '/%/io.l5d.k8s.daemonset/default/4141/l5d/#/io.l5d.k8s/default/http/world-v1');
      const stop = observe(out.addr);
      await addrIs(out.addr, ['192.168.0.11:4141']);
      stop();
    } finally {
      t.close?.();
    }
  });

  test('while the daemonset service does not exist, every destination is Neg', async () => {
    const config = k8sDaemonsetTransformer.schema.parse({ kind: 'io.l5d.k8s.daemonset', namespace: 'mesh', service: 'l5d', port: 'incoming', k8sHost: '127.0.0.1', k8sPort: fake.port });
    const t = k8sDaemonsetTransformer.create(config, ctx());
    try {
      const out = transformLeaf(t, destination('world-v1', at('10.1.1.5', 7778)).bound);
      const stop = observe(out.addr);
      await addrIs(out.addr, 'neg');
      fake.apply('endpointslices', { ...l5dSlice([{ ip: '10.1.1.2', nodeName: 'node-a' }]), metadata: { ...l5dSlice([]).metadata, namespace: 'mesh' } });
      await addrIs(out.addr, ['10.1.1.2:4141']);
      stop();
    } finally {
      t.close?.();
    }
  });

  test('schema: namespace, service and port are required; credentials need inCluster', () => {
    const parse = (v: object) => k8sDaemonsetTransformer.schema.safeParse({ kind: 'io.l5d.k8s.daemonset', ...v }).success;
    assert.equal(parse({ namespace: 'default', service: 'l5d' }), false);
    assert.equal(parse({ namespace: 'default', service: 'l5d', port: 'incoming', caFile: '/ca' }), false);
    assert.equal(parse({ namespace: 'default', service: 'l5d', port: 'incoming', inCluster: true, caFile: '/ca' }), true);
  });
});

describe('io.l5d.k8s.localnode', () => {
  const dests = () => destination('world-v1', at('10.1.2.7', 7778, 'node-b'), at('10.1.1.5', 7778, 'node-a'), at('10.1.2.9', 7778, 'node-b'));

  test('keeps the addresses in this pod\'s /24', () => {
    const t = k8sLocalnodeTransformer.create(k8sLocalnodeTransformer.schema.parse({ kind: 'io.l5d.k8s.localnode', podIp: '10.1.2.1' }), ctx());
    const { bound, addr } = dests();
    const out = transformLeaf(t, bound);
    assert.equal(out.id.show(), '/%/io.l5d.k8s.localnode/10.1.2.1/#/io.l5d.k8s/default/http/world-v1');
    assert.deepEqual(addrText(value(out.addr.current())), ['10.1.2.7:7778', '10.1.2.9:7778']);
    addr.update(Addr.bound([at('10.1.1.5', 7778)]));
    assert.equal(value(out.addr.current()).type, 'neg', 'nothing on this node: Neg');
  });

  test('with hostNetwork, keeps the addresses whose nodeName is this node', () => {
    const t = k8sLocalnodeTransformer.create(k8sLocalnodeTransformer.schema.parse({ kind: 'io.l5d.k8s.localnode', hostNetwork: true, nodeName: 'node-a' }), ctx());
    const out = transformLeaf(t, dests().bound);
    assert.equal(out.id.show(), '/%/io.l5d.k8s.localnode/node-a/#/io.l5d.k8s/default/http/world-v1');
    assert.deepEqual(addrText(value(out.addr.current())), ['10.1.1.5:7778']);
  });

  test('reads POD_IP / NODE_NAME when not configured, and says so when they are missing', () => {
    const saved = { POD_IP: process.env.POD_IP, NODE_NAME: process.env.NODE_NAME };
    try {
      process.env.POD_IP = '10.1.1.1';
      const t = k8sLocalnodeTransformer.create(k8sLocalnodeTransformer.schema.parse({ kind: 'io.l5d.k8s.localnode' }), ctx());
      assert.deepEqual(addrText(value(transformLeaf(t, dests().bound).addr.current())), ['10.1.1.5:7778']);
      delete process.env.POD_IP;
      delete process.env.NODE_NAME;
      assert.throws(() => k8sLocalnodeTransformer.create(k8sLocalnodeTransformer.schema.parse({ kind: 'io.l5d.k8s.localnode' }), ctx()), /io\.l5d\.k8s\.localnode: it needs this pod's IP: set POD_IP/);
      assert.throws(() => k8sLocalnodeTransformer.create(k8sLocalnodeTransformer.schema.parse({ kind: 'io.l5d.k8s.localnode', hostNetwork: true }), ctx()), /set NODE_NAME/);
      process.env.POD_IP = 'fd00::1';
      assert.throws(() => k8sLocalnodeTransformer.create(k8sLocalnodeTransformer.schema.parse({ kind: 'io.l5d.k8s.localnode' }), ctx()), /is not an IPv4 address/);
      assert.equal(k8sLocalnodeTransformer.schema.safeParse({ kind: 'io.l5d.k8s.localnode', podIp: 'node-a' }).success, false);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  });
});
