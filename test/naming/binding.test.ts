// Delegation and binding (§7, §8, §13.8–15): semantics, depth errors, namer order, live updates.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ActivitySource, constant, ok, PENDING, type Activity } from '../../src/naming/activity.js';
import { Addr } from '../../src/naming/addr.js';
import { Dtab } from '../../src/naming/dtab.js';
import { NamingError } from '../../src/naming/errors.js';
import { globalNamer } from '../../src/naming/global-namer.js';
import { NameInterpreter } from '../../src/naming/interpreter.js';
import { NameTree } from '../../src/naming/nametree.js';
import { BoundName, type Name, type Namer } from '../../src/naming/namer.js';
import { Path } from '../../src/naming/path.js';
import { HASH, outcome, vectorInterpreter } from './harness.js';

const bind = (dtab: string, path: string, absent?: string[]): string =>
  outcome(vectorInterpreter(absent).bind(Dtab.read(dtab), Path.read(path)));
const expand = (dtab: string, path: string): string =>
  outcome(vectorInterpreter().expand(Dtab.read(dtab), Path.read(path)));

function failure(a: Activity<unknown>): Error {
  const s = a.current();
  assert.equal(s.status, 'failed');
  return (s as { error: Error }).error;
}

describe('lookup (§7, §13.8, §13.9)', () => {
  const lookup = (dtab: string, path: string): string => NameTree.show(Dtab.read(dtab).lookup(Path.read(path)));
  test('later entries first, prefix length irrelevant, earlier ones stay as fallback', () => {
    assert.equal(lookup('/svc/web=>/x;/svc=>/y', '/svc/web'), '/y/web | /x');
  });
  test('a destination alternation is nested, not flattened', () => {
    assert.equal(lookup('/svc=>/a | /b;/svc=>/c', '/svc'), '/c | (/a | /b)');
  });
  test('* matches exactly one label and is not substituted', () => {
    assert.equal(lookup('/http/1.1/*=>/svc', '/http/1.1/GET/web'), '/svc/web');
    assert.equal(lookup('/svc/*=>/x', '/svc'), '~');
  });
  test('the empty prefix and a leading * also match /$/ and /#/ paths', () => {
    assert.equal(lookup('/=>/x', '/$/inet/1/2'), '/x/$/inet/1/2');
    assert.equal(lookup('/*=>/x', '/#/io.l5d.fs/a'), '/x/io.l5d.fs/a');
  });
  test('matching is label-wise and byte-wise', () => {
    assert.equal(lookup('/$/fail=>/x', '/$/failure'), '~');
    assert.equal(lookup('/caf\\xc3\\xa9=>/x', '/caf\\xc3\\xa9/y'), '/x/y');
  });
});

describe('binding semantics (§8.3.3, §13.10–14)', () => {
  test('the dtab is consulted before any namer, even for /$/ names', () => {
    assert.equal(bind('/$/inet/127.0.0.1/80=>/$/inet/127.0.0.1/81', '/$/inet/127.0.0.1/80'), '/$/inet/127.0.0.1/81');
  });
  test('one ~ entry is invisible, two hide the namer', () => {
    assert.equal(bind('/#/io.l5d.fs/web=>~', '/#/io.l5d.fs/web'), '/#/io.l5d.fs/web');
    assert.equal(bind('/#/io.l5d.fs/web=>~;/#/io.l5d.fs/web=>~', '/#/io.l5d.fs/web'), '~');
  });
  test('/$/nil is Empty: it stops fallback and stays in unions; /$/fail is Fail', () => {
    assert.equal(bind('/svc=>/$/nil | /#/x', '/svc'), '$');
    assert.equal(bind('/svc=>/$/nil/more & /#/x', '/svc'), '$ & /#/x');
    assert.equal(bind('/svc=>/$/fail/x | /#/x', '/svc'), '!');
  });
  test('an unknown namer in a later, unreached alternative is harmless', () => {
    assert.equal(bind('/svc=>/#/x | /$/bogus', '/svc'), '/#/x');
    assert.equal(bind('/svc=>/$/bogus | /#/x', '/svc'), 'error:namer');
    assert.equal(expand('/svc=>/#/x | /$/bogus', '/svc'), 'error:namer');
  });
  test('a failing union branch is dropped when another binds; all failing gives the first failure', () => {
    assert.equal(bind('/svc=>/$/bogus & /#/x', '/svc'), '/#/x');
    assert.equal(bind('/svc=>/$/bogus & /$/inet/x', '/svc'), 'error:namer');
    assert.equal(bind('/svc=>~ & !', '/svc'), '~');
  });
  test('/$/inet ports follow Integer.parseInt', () => {
    assert.equal(bind('', '/$/inet/h/\\x2b80/x'), '/$/inet/h/\\x2b\\x38\\x30/x');
    assert.equal(bind('', '/$/inet/h/-1'), '/$/inet/h/-1');
    assert.equal(bind('', '/$/inet/8080/9090'), '/$/inet/8080/9090');
    assert.equal(bind('', '/$/fixedinet/7'), '/$/fixedinet/7');
    for (const bad of ['/$/inet/h/http', '/$/inet/h/2147483648', '/$/inet/h/8\\xd9\\xa0', '/$/inet/h/\\x2b', '/$/fixedinet']) {
      assert.equal(bind('', bad), 'error:namer', bad);
    }
  });
  test('/$ alone and /# with no configured namer are Neg', () => {
    assert.equal(bind('', '/$'), '~');
    assert.equal(outcome(new NameInterpreter([]).bind(Dtab.empty, Path.read('/#/io.l5d.fs/x'))), '~');
  });
  test('the bound id and residual of an inet name', () => {
    const s = new NameInterpreter([]).bind(Dtab.read('/svc=>/$/inet/127.0.0.1/8080'), Path.read('/svc/users/42')).current();
    assert.equal(s.status, 'ok');
    if (s.status !== 'ok' || s.value.kind !== 'leaf') return assert.fail('not a leaf');
    assert.equal(s.value.value.id.show(), '/$/inet/127.0.0.1/8080');
    assert.equal(s.value.value.residual.show(), '/users/42');
    assert.deepEqual(s.value.value.addr.current(), ok(Addr.bound([Addr.address('127.0.0.1', 8080)])));
  });
  test('the default inet binds the port-only form to 127.0.0.1, and refuses bad ports', () => {
    const addrOf = (path: string): unknown => {
      const s = new NameInterpreter([]).bind(Dtab.empty, Path.read(path)).current();
      return s.status === 'ok' && s.value.kind === 'leaf' ? s.value.value.addr.current() : s;
    };
    assert.deepEqual(addrOf('/$/inet/9090'), ok(Addr.bound([Addr.address('127.0.0.1', 9090)])));
    assert.deepEqual(addrOf('/$/inet/h/70000'), ok(Addr.failed('port 70000 is out of range 0-65535')));
  });
  test('an injected inet resolver receives host, port and fixed', () => {
    const calls: unknown[] = [];
    const inet = (host: string, port: number, fixed: boolean): Activity<Addr> => { calls.push([host, port, fixed]); return constant(Addr.bound([])); };
    const interpreter = new NameInterpreter([], { global: globalNamer({ inet }) });
    interpreter.bind(Dtab.empty, Path.read('/$/fixedinet/example.com/443')).current();
    interpreter.bind(Dtab.empty, Path.read('/$/inet/80')).current();
    interpreter.bind(Dtab.empty, Path.read('/$/io.buoyant.rinet/53/ns1')).current();
    assert.deepEqual(calls, [['example.com', 443, true], ['', 80, false], ['ns1', 53, false]]);
  });
});

describe('configured namers (§8.3.1 step 2)', () => {
  const leafNamer = (id: string): Namer => ({
    lookup: (rest) => constant(NameTree.leaf(new BoundName(Path.read(id), constant(Addr.neg), rest))),
  });
  const negNamer: Namer = { lookup: () => constant(NameTree.neg) };
  test('consulted in order, Neg falls through to the next, the mount prefix is stripped', () => {
    const interpreter = new NameInterpreter([
      { prefix: Path.read('/#/io.l5d.fs'), namer: negNamer },
      { prefix: Path.read('/#/io.l5d.fs'), namer: leafNamer('/#/second') },
      { prefix: Path.read('/#'), namer: leafNamer('/#/third') },
    ]);
    assert.equal(outcome(interpreter.bind(Dtab.empty, Path.read('/#/io.l5d.fs/web/x'))), '/#/second/web/x');
    assert.equal(outcome(interpreter.bind(Dtab.empty, Path.read('/#/other'))), '/#/third/other');
  });
  test('a namer answering a path has it delegated again', () => {
    const rewrite: Namer = { lookup: (rest) => constant(NameTree.leaf<Name>(Path.read('/svc').concat(rest))) };
    const interpreter = new NameInterpreter([{ prefix: Path.read('/#/rw'), namer: rewrite }]);
    const dtab = Dtab.read('/svc=>/$/inet/127.0.0.1');
    assert.equal(outcome(interpreter.bind(dtab, Path.read('/#/rw/8080'))), '/$/inet/127.0.0.1/8080');
  });
  test('a namer that throws or fails is a namer error naming the namer and the path', () => {
    const throwing: Namer = { lookup: () => { throw new Error('boom'); } };
    const failing: Namer = { lookup: () => new ActivitySource<NameTree<Name>>({ status: 'failed', error: new Error('api down') }) };
    for (const namer of [throwing, failing]) {
      const e = failure(new NameInterpreter([{ prefix: HASH, namer }]).bind(Dtab.empty, Path.read('/#/a')));
      assert.ok(e instanceof NamingError);
      assert.equal(e.kind, 'namer');
      assert.match(e.message, /^Namer for \/# failed on \/#\/a: (boom|api down)$/);
    }
  });
  test('an unknown /$/ kind names the kind, the path and the known kinds', () => {
    const e = failure(vectorInterpreter().bind(Dtab.read('/svc=>/$/no.such.Namer'), Path.read('/svc/x')));
    assert.match(e.message, /^Unknown namer: no\.such\.Namer for path: \/\$\/no\.such\.Namer\/x \(known: inet, fixedinet, fail, nil, .*io\.buoyant\.rinet\)$/);
    assert.match(failure(vectorInterpreter().bind(Dtab.empty, Path.read('/$/inet/h/http'))).message, /\/\$\/inet needs \/\$\/inet\/<host>\/<port>/);
  });
});

describe('depth limit (§8.3.2, §13.15)', () => {
  const chain = (n: number, end: string): string =>
    Array.from({ length: n }, (_, i) => `/h${i}=>${i === n - 1 ? end : `/h${i + 1}`}`).join(';');
  test('99 rewriting dentries then a bound path succeed, 100 fail', () => {
    assert.equal(bind(chain(99, '/$/inet/127.0.0.1/80'), '/h0'), '/$/inet/127.0.0.1/80');
    assert.equal(bind(chain(100, '/$/inet/127.0.0.1/80'), '/h0'), 'error:depth');
  });
  test('a loop is an error, never Neg, and the message names the dentries going round', () => {
    const e = failure(vectorInterpreter().bind(Dtab.read('/a=>/b;/b=>/a'), Path.read('/a')));
    assert.ok(e instanceof NamingError && e.kind === 'depth');
    assert.equal(e.message, 'Delegation loop: max depth 100 exceeded; dentries going round: /a=>/b, /b=>/a');
    assert.equal(failure(vectorInterpreter().bind(Dtab.read('/a=>/a/x'), Path.read('/a'))).message,
      'Delegation loop: max depth 100 exceeded; dentries going round: /a=>/a/x');
    assert.equal(failure(vectorInterpreter().expand(Dtab.read('/=>/#/io.l5d.fs'), Path.read('/svc'))).message,
      'Delegation loop: max depth 100 exceeded; dentries going round: /=>/#/io.l5d.fs');
  });
  test('a loop through an override names both dtabs\' dentries', () => {
    const dtab = Dtab.read('/svc=>/#/io.l5d.fs').concat(Dtab.read('/#/io.l5d.fs=>/svc'));
    assert.equal(failure(vectorInterpreter().bind(dtab, Path.read('/svc/web'))).message,
      'Delegation loop: max depth 100 exceeded; dentries going round: /svc=>/#/io.l5d.fs, /#/io.l5d.fs=>/svc');
  });
  test('a long chain without repetition under a smaller limit', () => {
    const interpreter = new NameInterpreter([], { maxDepth: 3 });
    const e = failure(interpreter.bind(Dtab.read(chain(5, '/x')), Path.read('/h0')));
    assert.equal(e.message, 'Delegation too deep: max depth 3 exceeded; no dentry repeats, the last one applied was /h3=>/h4');
  });
});

describe('live binding', () => {
  /** A `/#` namer whose answer for every name is whatever the test sets. */
  function switchable(): { namer: Namer; answer: ActivitySource<NameTree<Name>> } {
    const answer = new ActivitySource<NameTree<Name>>(ok(NameTree.neg));
    return { namer: { lookup: () => answer }, answer };
  }
  const web = new BoundName(Path.read('/#/web'), constant(Addr.bound([Addr.address('10.0.0.1', 80)])), Path.empty);

  test('a namer flipping from Neg to bound changes the bound tree and notifies subscribers', () => {
    const { namer, answer } = switchable();
    const interpreter = new NameInterpreter([{ prefix: HASH, namer }]);
    const bound = interpreter.bind(Dtab.read('/svc=>/#/web | /$/inet/127.0.0.1/9000'), Path.read('/svc'));
    assert.equal(outcome(bound), '/$/inet/127.0.0.1/9000');
    let notified = 0;
    const unsubscribe = bound.subscribe(() => { notified++; });
    answer.update(NameTree.leaf(web));
    assert.equal(notified, 1);
    assert.equal(outcome(bound), '/#/web');
    answer.update(NameTree.leaf(web)); // the same answer again: no change, no notification
    assert.equal(notified, 1);
    answer.update(NameTree.neg);
    assert.equal(notified, 2);
    assert.equal(outcome(bound), '/$/inet/127.0.0.1/9000');
    unsubscribe();
    assert.equal(answer.observers, 0);
  });

  test('a pending answer makes binding pending, then it resolves', () => {
    const { namer, answer } = switchable();
    answer.set(PENDING);
    const bound = new NameInterpreter([{ prefix: HASH, namer }]).bind(Dtab.read('/svc=>/#/web'), Path.read('/svc'));
    let notified = 0;
    bound.subscribe(() => { notified++; });
    assert.equal(outcome(bound), 'pending');
    answer.update(NameTree.leaf(web));
    assert.equal(notified, 1);
    assert.equal(outcome(bound), '/#/web');
  });

  test('a union binds its ready branches while another is pending; a pending Alt branch blocks', () => {
    const { namer, answer } = switchable();
    answer.set(PENDING);
    const interpreter = new NameInterpreter([{ prefix: HASH, namer }]);
    assert.equal(outcome(interpreter.bind(Dtab.read('/svc=>/#/web & /$/inet/127.0.0.1/1'), Path.read('/svc'))), '/$/inet/127.0.0.1/1');
    assert.equal(outcome(interpreter.bind(Dtab.read('/svc=>/#/web | /$/inet/127.0.0.1/1'), Path.read('/svc'))), 'pending');
  });

  test('a namer failure that heals', () => {
    const { namer, answer } = switchable();
    const bound = new NameInterpreter([{ prefix: HASH, namer }]).bind(Dtab.read('/svc=>/#/web'), Path.read('/svc'));
    const states: string[] = [];
    bound.subscribe(() => { states.push(outcome(bound)); });
    answer.fail(new Error('watch broke'));
    answer.update(NameTree.leaf(web));
    assert.deepEqual(states, ['error:namer', '/#/web']);
  });
});
