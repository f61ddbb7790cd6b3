import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { describe, test } from 'node:test';
import type { PluginContext, Transformer } from '../../src/config/plugin.js';
import { constTransformer } from '../../src/discovery/transformers/const.js';
import { localhostTransformer } from '../../src/discovery/transformers/localhost.js';
import { portTransformer } from '../../src/discovery/transformers/port.js';
import { replaceTransformer } from '../../src/discovery/transformers/replace.js';
import { createSpecificHostTransformer, specificHostTransformer } from '../../src/discovery/transformers/specific-host.js';
import { ActivitySource, ok, type Activity } from '../../src/naming/activity.js';
import { Addr } from '../../src/naming/addr.js';
import { BoundName } from '../../src/naming/namer.js';
import { NameTree } from '../../src/naming/nametree.js';
import { Path } from '../../src/naming/path.js';
import { FakeClock } from '../../src/time/clock.js';
import { boundName, recordingLog, settle, show, until, value } from './helpers.js';

const ctx = (bind?: PluginContext['bind']): PluginContext => ({ clock: new FakeClock(), log: recordingLog(), baseDir: '.', ...(bind ? { bind } : {}) });
const a = (host: string, port: number, weight = 1) => Addr.address(host, port, weight);

/** The tree a transformer answers now (transformers over fixed trees answer at once). */
function transformNow(t: Transformer, tree: NameTree<BoundName>): NameTree<BoundName> {
  return value(t.transform(tree).current());
}
function leafOf(tree: NameTree<BoundName>): BoundName {
  assert.equal(tree.kind, 'leaf');
  return (tree as { value: BoundName }).value;
}
const showTree = (tree: NameTree<BoundName>) => NameTree.show(tree, (b) => b.id.show());
const addrNow = (b: BoundName) => value(b.addr.current());

describe('io.l5d.port', () => {
  const port = portTransformer.create(portTransformer.schema.parse({ kind: 'io.l5d.port', port: 4141 }), ctx());

  test('prefixes ids and rewrites every port, live', async () => {
    const { bound, addr } = boundName('hello', a('10.0.0.1', 8080, 2), a('10.0.0.2', 8081));
    const out = leafOf(transformNow(port, NameTree.leaf(bound)));
    assert.equal(out.id.show(), '/%/io.l5d.port/4141/#/io.l5d.fs/hello');
    assert.equal(out.residual, bound.residual);
    assert.deepEqual(show(addrNow(out)), ['10.0.0.1:4141*2', '10.0.0.2:4141*1']);

    addr.update(Addr.bound([a('10.0.0.3', 9000), a('10.0.0.3', 9001)]));
    assert.deepEqual(show(addrNow(out)), ['10.0.0.3:4141*1'], 'two ports of one host become one endpoint');

    const seen = until(out.addr, (s) => s.status === 'ok' && s.value.type === 'neg');
    addr.update(Addr.neg);
    await seen;
  });

  test('keeps the tree shape, passes Neg/Fail/Empty through, and reuses its bound names', () => {
    const x = boundName('x', a('10.0.0.1', 1)).bound;
    const y = boundName('y', a('10.0.0.2', 2)).bound;
    const tree = NameTree.alt<BoundName>(NameTree.union({ weight: 0.3, tree: NameTree.leaf(x) }, { weight: 0.7, tree: NameTree.leaf(y) }), NameTree.neg, NameTree.empty, NameTree.fail);
    const out = transformNow(port, tree);
    assert.equal(showTree(out), '0.30*/%/io.l5d.port/4141/#/io.l5d.fs/x & 0.70*/%/io.l5d.port/4141/#/io.l5d.fs/y | ~ | $ | !');
    assert.ok(out.kind === 'alt');
    const union = out.trees[0]!;
    assert.ok(union.kind === 'union');
    assert.equal(leafOf(transformNow(port, NameTree.leaf(x))), leafOf(union.branches[0]!.tree), 'the same input name yields the same output name');
  });

  test('schema requires a port in range', () => {
    assert.equal(portTransformer.schema.safeParse({ kind: 'io.l5d.port' }).success, false);
    assert.equal(portTransformer.schema.safeParse({ kind: 'io.l5d.port', port: 70000 }).success, false);
    assert.equal(portTransformer.schema.safeParse({ kind: 'io.l5d.port', port: 4141, extra: 1 }).success, false);
  });
});

describe('io.l5d.localhost', () => {
  // This Switchyard listens on 127.8.9.10 (a host simulated on loopback); 127.0.0.2 is another host.
  const localhost = localhostTransformer.create({ kind: 'io.l5d.localhost' }, { ...ctx(), localAddresses: ['127.8.9.10'] });
  const interfaceIps = Object.values(networkInterfaces()).flatMap((l) => (l ?? []).map((i) => i.address));

  test("keeps interface addresses and the addresses it listens on, not other loopback hosts", () => {
    const { bound } = boundName('web', a('127.0.0.1', 1), a('127.8.9.10', 2), a('::1', 3), a('localhost', 4), a('192.0.2.1', 5), a('example.com', 6), a('127.0.0.2', 8), ...interfaceIps.map((ip) => a(ip, 7)));
    const out = leafOf(transformNow(localhost, NameTree.leaf(bound)));
    assert.equal(out.id.show(), '/%/io.l5d.localhost/#/io.l5d.fs/web');
    const kept = show(addrNow(out)) as string[];
    assert.deepEqual(kept.slice(0, 4), ['127.0.0.1:1*1', '127.8.9.10:2*1', '[::1]:3*1', 'localhost:4*1']);
    assert.ok(!kept.some((k) => k.startsWith('192.0.2.1:') || k.startsWith('example.com:') || k.startsWith('127.0.0.2:')));
    assert.equal(kept.filter((k) => k.endsWith(':7*1')).length, interfaceIps.length);
  });

  test('a set with no local address becomes Neg', () => {
    const { bound } = boundName('remote', a('192.0.2.1', 80), a('198.51.100.7', 80));
    assert.deepEqual(addrNow(leafOf(transformNow(localhost, NameTree.leaf(bound)))), Addr.neg);
  });
});

describe('io.l5d.specificHost', () => {
  test('keeps only the given IP, by address not by spelling', () => {
    const t = specificHostTransformer.create({ kind: 'io.l5d.specificHost', host: '10.0.0.2' }, ctx());
    const { bound } = boundName('web', a('10.0.0.1', 80), a('10.0.0.2', 80), a('::ffff:10.0.0.2', 81));
    const out = leafOf(transformNow(t, NameTree.leaf(bound)));
    assert.equal(out.id.show(), '/%/io.l5d.specificHost/10.0.0.2/#/io.l5d.fs/web');
    assert.deepEqual(show(addrNow(out)), ['10.0.0.2:80*1', '[::ffff:10.0.0.2]:81*1']);

    const none = boundName('other', a('10.0.0.1', 80)).bound;
    assert.deepEqual(addrNow(leafOf(transformNow(t, NameTree.leaf(none)))), Addr.neg);
  });

  test('a hostname is resolved once; addresses wait for it', async () => {
    let answer!: (ips: { address: string; family: number }[]) => void;
    let asked = 0;
    const t = createSpecificHostTransformer('node-7', () => { asked++; return new Promise((r) => { answer = r; }); });
    await settle();
    const { bound } = boundName('web', a('10.0.0.7', 80), a('10.0.0.8', 80));
    const out = leafOf(transformNow(t, NameTree.leaf(bound)));
    assert.equal(out.addr.current().status, 'pending');
    const done = until(out.addr, (s) => s.status === 'ok');
    answer([{ address: '10.0.0.7', family: 4 }]);
    assert.deepEqual(show(value(await done)), ['10.0.0.7:80*1']);
    transformNow(t, NameTree.leaf(boundName('again', a('10.0.0.7', 1)).bound));
    assert.equal(asked, 1);
  });

  test('a host that cannot be resolved fails its address sets with the reason', async () => {
    const t = createSpecificHostTransformer('nowhere', async () => { throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere'), { code: 'ENOTFOUND' }); });
    await settle();
    const { bound } = boundName('web', a('10.0.0.7', 80));
    const s = leafOf(transformNow(t, NameTree.leaf(bound))).addr.current();
    assert.equal(s.status, 'failed');
    assert.equal((s as { error: Error }).error.message, 'io.l5d.specificHost: cannot resolve nowhere: getaddrinfo ENOTFOUND nowhere');
    // Neg and pending sets do not need the host at all.
    const neg = new BoundName(Path.of('#', 'x'), new ActivitySource(ok(Addr.neg)), Path.empty);
    assert.deepEqual(addrNow(leafOf(transformNow(t, NameTree.leaf(neg)))), Addr.neg);
  });
});

describe('io.l5d.replace and io.l5d.const', () => {
  /** A binder that answers one path with a live tree the test controls. */
  function binder() {
    const egress = new BoundName(Path.of('$', 'inet', '127.0.0.1', '3128'), new ActivitySource(ok(Addr.bound([a('127.0.0.1', 3128)]))), Path.empty);
    const answer = new ActivitySource<NameTree<BoundName>>(ok(NameTree.leaf(egress)));
    const asked: string[] = [];
    const bind = (p: Path): Activity<NameTree<BoundName>> => { asked.push(p.show()); return answer; };
    return { bind, answer, asked, egress };
  }

  test('replace swaps every leaf for the binding of path, live, and leaves Neg alone', async () => {
    const b = binder();
    const t = replaceTransformer.create(replaceTransformer.schema.parse({ kind: 'io.l5d.replace', path: '/egress' }), ctx(b.bind));

    assert.equal(transformNow(t, NameTree.neg), NameTree.neg);
    assert.deepEqual(b.asked, [], 'nothing to replace, nothing bound');

    const x = boundName('x').bound;
    const y = boundName('y').bound;
    const tree = NameTree.union<BoundName>({ weight: 1, tree: NameTree.leaf(x) }, { weight: 2, tree: NameTree.alt(NameTree.neg, NameTree.leaf(y)) });
    const out = t.transform(tree);
    assert.equal(showTree(value(out.current())), '/%/io.l5d.replace/$/inet/127.0.0.1/3128 & 2.00*(~ | /%/io.l5d.replace/$/inet/127.0.0.1/3128)');
    assert.equal(leafOf(transformNow(t, NameTree.leaf(x))).addr, b.egress.addr, 'addresses are the replacement\'s own');
    assert.deepEqual(b.asked, ['/egress'], 'bound once, shared');

    const changed = until(out, (s) => s.status === 'ok' && s.value.kind === 'union' && s.value.branches[0]!.tree.kind === 'neg');
    b.answer.update(NameTree.neg);
    await changed;
  });

  test('const answers the binding of path whatever the tree, even Neg', () => {
    const b = binder();
    const t = constTransformer.create({ kind: 'io.l5d.const', path: '/egress' }, ctx(b.bind));
    const fromNeg = leafOf(transformNow(t, NameTree.neg));
    assert.equal(fromNeg.id.show(), '/%/io.l5d.const/$/inet/127.0.0.1/3128');
    assert.equal(leafOf(transformNow(t, NameTree.leaf(boundName('x').bound))), fromNeg);
    assert.deepEqual(b.asked, ['/egress']);
  });

  test('path must parse, and a binder is required', () => {
    const bad = replaceTransformer.schema.safeParse({ kind: 'io.l5d.replace', path: 'no-slash' });
    assert.equal(bad.success, false);
    assert.match(bad.error!.issues[0]!.message, /^not a path: /);
    assert.equal(constTransformer.schema.safeParse({ kind: 'io.l5d.const' }).success, false);
    assert.throws(() => constTransformer.create({ kind: 'io.l5d.const', path: '/egress' }, ctx()), /io\.l5d\.const binds its path under a router's dtab/);
  });
});
