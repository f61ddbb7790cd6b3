// The delegation explanation (§11): construction, simplification, JSON with addresses, primary branch.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ActivitySource, constant, PENDING } from '../../src/naming/activity.js';
import { Addr } from '../../src/naming/addr.js';
import { delegateTreeToJson, simplifyDelegateTree, type DelegateJson, type DelegateTree } from '../../src/naming/delegate-tree.js';
import { Dentry, Dtab } from '../../src/naming/dtab.js';
import { NameInterpreter } from '../../src/naming/interpreter.js';
import { NameTree } from '../../src/naming/nametree.js';
import { BoundName, type Name, type Namer } from '../../src/naming/namer.js';
import { Path } from '../../src/naming/path.js';
import { HASH, vectorInterpreter } from './harness.js';

function explain(dtab: string, path: string, interpreter = vectorInterpreter()): DelegateTree {
  const s = interpreter.delegate(Dtab.read(dtab), Path.read(path)).current();
  if (s.status !== 'ok') assert.fail(`explanation is ${s.status}${s.status === 'failed' ? `: ${s.error.message}` : ''}`);
  return s.value;
}

/** Type, path and children only: the skeleton of an explanation. */
function skeleton(j: DelegateJson): unknown {
  const children = j.delegate ? [j.delegate] : j.alt ?? j.union?.map((u) => u.tree) ?? (j.tree ? [j.tree] : []);
  const label = `${j.type} ${j.path}${j.primary ? ' *' : ''}`;
  return children.length === 0 ? label : [label, ...children.map(skeleton)];
}

describe('explanation construction (§11.2)', () => {
  test('every alternative is followed, unlike binding', () => {
    const j = delegateTreeToJson(explain('/svc=>/#/io.l5d.fs/a | /$/bogus | /#/io.l5d.fs/b', '/svc'));
    assert.deepEqual(skeleton(j), ['alt /svc *', 'leaf /#/io.l5d.fs/a *', 'exception /$/bogus', 'leaf /#/io.l5d.fs/b']);
  });
  test('one lookup step\'s alternation is spliced into the enclosing one of the same path', () => {
    const j = delegateTreeToJson(explain('/svc=>/#/a | /#/b;/svc=>/#/c', '/svc'), { markPrimary: false });
    assert.deepEqual(skeleton(j), ['alt /svc', 'leaf /#/c', 'leaf /#/a', 'leaf /#/b']);
  });
  test('a loop in one branch is an exception about the alternation, the rest is explained', () => {
    const tree = explain('/svc=>/#/io.l5d.fs/web | /loop;/loop=>/loop', '/svc');
    const j = delegateTreeToJson(tree);
    assert.deepEqual(skeleton(j), ['alt /svc *', 'leaf /#/io.l5d.fs/web *', 'exception /svc']);
    assert.equal(j.alt![1]!.message, 'Delegation loop: max depth 100 exceeded; dentries going round: /loop=>/loop');
    assert.deepEqual(j.alt![1]!.dentry, { prefix: '/svc', dst: '/#/io.l5d.fs/web | /loop' });
    assert.equal(j.dentry, undefined);
  });
  test('a pure loop fails the whole explanation', () => {
    const s = vectorInterpreter().delegate(Dtab.read('/a=>/b;/b=>/a'), Path.read('/a')).current();
    assert.equal(s.status, 'failed');
  });
  test('unions keep their weights; a Neg inside a destination is about the empty path', () => {
    const j = delegateTreeToJson(explain('/svc=>0.9*/#/v1 & 0.1*~', '/svc'));
    assert.deepEqual(j.union?.map((u) => u.weight), [0.9, 0.1]);
    assert.deepEqual(skeleton(j), ['union /svc *', 'leaf /#/v1 *', 'neg ~']);
  });
  test('a rewriting namer\'s output is attributed to the dentry that named the namer', () => {
    const j = delegateTreeToJson(explain('/hp=>/$/inet;/svc=>/$/io.buoyant.hostportPfx/hp', '/svc/127.0.0.1:8080'), { markPrimary: false });
    assert.deepEqual(skeleton(j), ['delegate /svc/127.0.0.1:8080', ['delegate /hp/127.0.0.1/8080', 'leaf /$/inet/127.0.0.1/8080']]);
    assert.deepEqual(j.delegate?.dentry, { prefix: '/svc', dst: '/$/io.buoyant.hostportPfx/hp' });
    assert.deepEqual(j.delegate?.delegate?.dentry, { prefix: '/hp', dst: '/$/inet' });
  });
});

describe('primary branch', () => {
  test('the first non-Neg alternative is primary, Neg alternatives before it are not', () => {
    const j = delegateTreeToJson(explain('/svc=>/#/io.l5d.fs;/svc/web=>/missing', '/svc/web'));
    assert.deepEqual(skeleton(j), ['alt /svc/web *', 'neg /missing', 'leaf /#/io.l5d.fs/web *']);
  });
  test('Empty and Fail stop the alternation and are primary', () => {
    assert.deepEqual(skeleton(delegateTreeToJson(explain('/svc=>/$/nil | /#/x', '/svc'))), ['alt /svc *', 'empty /$/nil *', 'leaf /#/x']);
    assert.deepEqual(skeleton(delegateTreeToJson(explain('/svc=>! | /#/x', '/svc'))), ['alt /svc *', 'fail ! *', 'leaf /#/x']);
  });
  test('nothing is primary when nothing binds', () => {
    assert.deepEqual(skeleton(delegateTreeToJson(explain('/svc=>/a | /b', '/svc'))), ['alt /svc', 'neg /a', 'neg /b']);
  });
  test('union branches that bind are primary, failed ones are not', () => {
    const j = delegateTreeToJson(explain('/svc=>/#/a & /nowhere & /#/b', '/svc'));
    assert.deepEqual(skeleton(j), ['union /svc *', 'leaf /#/a *', 'neg /nowhere', 'leaf /#/b *']);
  });
});

describe('JSON rendering (§11.4)', () => {
  const addrs = new ActivitySource<Addr>(PENDING);
  const namer: Namer = { lookup: (rest) => constant(NameTree.leaf<Name>(new BoundName(HASH.concat(rest.take(1)), addrs, rest.drop(1)))) };
  const interpreter = new NameInterpreter([{ prefix: HASH, namer }]);

  test('the explanation waits for address sets to settle, then shows them', () => {
    const delegation = interpreter.delegate(Dtab.read('/svc=>/#/web'), Path.read('/svc/x/y'));
    assert.equal(delegation.current().status, 'pending');
    let notified = 0;
    delegation.subscribe(() => { notified++; });
    addrs.update(Addr.bound([Addr.address('10.0.0.1', 80), Addr.address('10.0.0.2', 81, 3, { nodeName: 'n2' })], { zone: 'a' }));
    assert.equal(notified, 1);
    const s = delegation.current();
    assert.equal(s.status, 'ok');
    if (s.status !== 'ok') return;
    assert.deepEqual(delegateTreeToJson(s.value, { markPrimary: false }), {
      type: 'delegate', path: '/svc/x/y',
      delegate: {
        type: 'leaf', path: '/#/web/x/y', dentry: { prefix: '/svc', dst: '/#/web' },
        bound: {
          addr: { type: 'bound', addrs: [{ ip: '10.0.0.1', port: 80, meta: {} }, { ip: '10.0.0.2', port: 81, meta: { nodeName: 'n2', endpoint_addr_weight: 3 } }], meta: { zone: 'a' } },
          id: '/#/web', path: '/x/y',
        },
      },
    });
  });

  test('neg, failed and pending address sets', () => {
    const leaf = (addr: ActivitySource<Addr>): DelegateTree => ({ kind: 'leaf', path: Path.read('/p'), dentry: null, value: new BoundName(Path.read('/p'), addr, Path.empty) });
    const addrOf = (a: ActivitySource<Addr>): unknown => delegateTreeToJson(leaf(a)).bound?.addr;
    assert.deepEqual(addrOf(new ActivitySource<Addr>(PENDING)), { type: 'pending' });
    assert.deepEqual(addrOf(new ActivitySource<Addr>({ status: 'ok', value: Addr.neg })), { type: 'neg' });
    assert.deepEqual(addrOf(new ActivitySource<Addr>({ status: 'ok', value: Addr.failed('dns') })), { type: 'failed', cause: 'dns' });
    assert.deepEqual(addrOf(new ActivitySource<Addr>({ status: 'failed', error: new Error('watch') })), { type: 'failed', cause: 'watch' });
  });

  test('fail paths show ! unless under /$/fail; the no-op dentry is omitted', () => {
    const fail = (path: string): DelegateJson => delegateTreeToJson({ kind: 'fail', path: Path.read(path), dentry: Dentry.read('/\\x2f=>~ | ~') });
    assert.deepEqual(fail('/svc'), { type: 'fail', path: '!', primary: true });
    assert.deepEqual(fail('/$/fail/x'), { type: 'fail', path: '/$/fail/x', primary: true });
  });

  test('a transformation shows its name, bound name and tree', () => {
    const bound = new BoundName(Path.read('/%/io.l5d.port/4141/#/web'), constant(Addr.neg), Path.empty);
    const t: DelegateTree = { kind: 'transformation', path: Path.read('/#/web'), dentry: null, name: 'io.l5d.port', value: bound,
      tree: { kind: 'leaf', path: Path.read('/#/web'), dentry: null, value: bound } };
    assert.deepEqual(delegateTreeToJson(t, { markPrimary: false }), {
      type: 'transformation', path: '/#/web', name: 'io.l5d.port',
      bound: { addr: { type: 'neg' }, id: '/%/io.l5d.port/4141/#/web', path: '/' },
      tree: { type: 'leaf', path: '/#/web', bound: { addr: { type: 'neg' }, id: '/%/io.l5d.port/4141/#/web', path: '/' } },
    });
  });
});

describe('simplification (§11.3)', () => {
  const p = Path.read('/p');
  const d = Dentry.read('/p=>/q');
  test('zero- and one-child nodes', () => {
    assert.deepEqual(simplifyDelegateTree({ kind: 'alt', path: p, dentry: d, trees: [] }), { kind: 'neg', path: p, dentry: d });
    const leaf: DelegateTree = { kind: 'neg', path: p, dentry: null };
    assert.deepEqual(simplifyDelegateTree({ kind: 'union', path: p, dentry: d, branches: [{ weight: 2, tree: leaf }] }),
      { kind: 'delegate', path: p, dentry: d, tree: leaf });
  });
  test('a delegate about the same path collapses into its child, taking its dentry', () => {
    const child: DelegateTree = { kind: 'exception', path: p, dentry: null, error: new Error('x') };
    assert.deepEqual(simplifyDelegateTree({ kind: 'delegate', path: p, dentry: d, tree: child }), { ...child, dentry: d });
  });
});
