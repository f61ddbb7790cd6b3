// The language traps of dtab.md §13 (1–7, 16) and the syntax error messages.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Dentry, Dtab, Prefix } from '../../src/naming/dtab.js';
import { DtabSyntaxError } from '../../src/naming/errors.js';
import { NameTree } from '../../src/naming/nametree.js';
import { Path } from '../../src/naming/path.js';
import { formatWeight } from '../../src/naming/weight.js';

const show = (text: string): string => NameTree.show(NameTree.read(text));

describe('labels are bytes (§13.1, §13.2)', () => {
  test('escapes of showable bytes are the same label', () => {
    assert.ok(Path.read('/\\x41').equals(Path.read('/A')));
    assert.deepEqual(Path.read('/\\x41\\x4a').labels, ['AJ']);
  });
  test('one unshowable byte escapes the whole label, in lower-case hex', () => {
    assert.equal(Path.read('/a\\x2fb/c').show(), '/\\x61\\x2f\\x62/c');
    assert.equal(Path.read('/\\x2A').show(), '/\\x2a');
    assert.equal(Path.read('/\\xff\\x00').show(), '/\\xff\\x00');
  });
  test('Path.of encodes UTF-8; Path.fromLabels takes bytes', () => {
    const p = Path.of('caf\u00e9', 'x');
    assert.deepEqual(p.labels, ['caf\u00c3\u00a9', 'x']);
    assert.equal(p.show(), '/\\x63\\x61\\x66\\xc3\\xa9/x');
    assert.ok(Path.read(p.show()).equals(p));
    assert.throws(() => Path.of(''), RangeError);
    assert.throws(() => Path.fromLabels(['\u0100']), RangeError);
  });
  test('an escaped * in a prefix is a literal label, not a wildcard', () => {
    const p = Prefix.read('/\\x2a');
    assert.deepEqual(p.elems, ['*']);
    assert.equal(p.show(), '/\\x2a');
    assert.equal(p.match(Path.read('/x')), null);
    assert.deepEqual(Prefix.read('/*').elems, [Prefix.ANY]);
  });
  test('% is an ordinary character; there is no URL decoding', () => {
    assert.deepEqual(Path.read('/%41').labels, ['%41']);
  });
});

describe('path operations', () => {
  const p = Path.read('/a/b/c');
  test('take, drop, concat, startsWith are label-wise', () => {
    assert.equal(p.take(2).show(), '/a/b');
    assert.equal(p.drop(1).show(), '/b/c');
    assert.equal(p.drop(5), Path.empty);
    assert.equal(p.take(0), Path.empty);
    assert.equal(p.concat(Path.empty), p);
    assert.equal(Path.empty.concat(p), p);
    assert.ok(p.startsWith(Path.read('/a/b')));
    assert.ok(!p.startsWith(Path.read('/a/bc')));
    assert.ok(p.startsWith(Path.empty));
    assert.equal(`${p}`, '/a/b/c');
  });
  test('prefix match returns the residual', () => {
    assert.equal(Prefix.read('/a/*').match(p)?.show(), '/c');
    assert.equal(Prefix.read('/a/*/c/d').match(p), null);
    assert.equal(Prefix.read('/').match(p), p);
  });
});

describe('whitespace and comments (§13.3)', () => {
  test('# inside a label is a byte, after whitespace a comment', () => {
    assert.deepEqual(Path.read('/foo#bar').labels, ['foo#bar']);
    assert.deepEqual(Path.read('/foo #bar').labels, ['foo']);
    assert.equal(Dtab.read('#/x=>/y\n/a=>/b').show(), '/a=>/b');
  });
  test('a comment swallows the rest of its line, ; and entries included', () => {
    assert.equal(Dtab.read('/a=>/b;/c=>/d # x ; /e=>/f').size, 2);
  });
  test('Java whitespace: Unicode spaces yes, no-break spaces no', () => {
    assert.equal(Path.read('\u2003/a\u3000').show(), '/a');
    assert.equal(Path.read('\u000b\u001f/a\u2028').show(), '/a');
    for (const nb of ['\u00a0', '\u2007', '\u202f']) assert.throws(() => Path.read(`${nb}/a`), DtabSyntaxError);
  });
  test('no whitespace inside a label, after a slash, or inside =>', () => {
    for (const bad of ['/a b', '/ a', '/\\ x41']) assert.throws(() => Path.read(bad), DtabSyntaxError);
    assert.throws(() => Dtab.read('/a = > /b'), DtabSyntaxError);
  });
});

describe('paths and prefixes (§13.4)', () => {
  const bad = ['', 'foo', '//', '/foo/', '/foo//bar', '/foo/*', '/x;', '/\\x4', '/\\y', '/\\'];
  for (const text of bad) test(`path ${JSON.stringify(text)} is rejected`, () => assert.throws(() => Path.read(text), DtabSyntaxError));
  test('/ alone is the empty path and the empty prefix', () => {
    assert.equal(Path.read(' / ').size, 0);
    assert.equal(Prefix.read('/').size, 0);
    assert.ok(Prefix.read('/').match(Path.empty)?.equals(Path.empty));
  });
  for (const text of ['/a*', '/*a', '/a/*b']) {
    test(`prefix ${text} is rejected`, () => assert.throws(() => Dtab.read(`${text}=>/b`), DtabSyntaxError));
  }
});

describe('weights (§13.5, §13.6)', () => {
  test('a lone weighted term loses its weight', () => {
    assert.deepEqual(NameTree.read('2*/a'), NameTree.leaf(Path.read('/a')));
    assert.equal(show('2 * /a | /b'), '/a | /b');
    assert.equal(show('2*(/a & /b)'), '/a & /b');
  });
  test('weights print as Java %.2f: half-up on the shortest decimal, positional', () => {
    const cases: [number, string][] = [[0.5, '0.50'], [3, '3.00'], [0.125, '0.13'], [1.005, '1.01'], [2.675, '2.68'],
      [0.015, '0.02'], [99.995, '100.00'], [0.999, '1.00'], [0.001, '0.00'], [1.2345678901234568e29, '123456789012345680000000000000.00'],
      [1e21, '1000000000000000000000.00'], [5e-7, '0.00'], [-1.005, '-1.01'], [-0.001, '-0.00']];
    for (const [w, text] of cases) assert.equal(formatWeight(w), text, String(w));
  });
  test('printing is lossy: 0.999 prints as 1.00, which re-reads as 1 and then prints bare', () => {
    const t = NameTree.union({ weight: 0.999, tree: NameTree.leaf(Path.read('/a')) }, { weight: 1, tree: NameTree.leaf(Path.read('/b')) });
    assert.equal(NameTree.show(t), '1.00*/a & /b');
    assert.equal(show(NameTree.show(t)), '/a & /b');
  });
  test('weight syntax', () => {
    assert.equal(show('1. * /a & .5*/b & 00.50*/c & 0*/d'), '/a & 0.50*/b & 0.50*/c & 0.00*/d');
    for (const bad of ['-1*/a & /b', '1e3*/a & /b', '1.2.3*/a & /b', '.*/a & /b', '1 /a & /b', '2 * 3 * /a & /b', '\u0663*/a & /b']) {
      assert.throws(() => NameTree.read(bad), DtabSyntaxError, bad);
    }
  });
});

describe('tree structure and printing', () => {
  test('& binds tighter than |, groups stay nested', () => {
    assert.deepEqual(NameTree.read('/a & /b | /c').kind, 'alt');
    assert.equal(show('(/a|/b)|/c'), '(/a | /b) | /c');
    assert.equal(show('(/a & /b) & /c'), '(/a & /b) & /c');
    assert.equal(show('2*(/a & /b) & /c'), '2.00*(/a & /b) & /c');
    assert.equal(show('(/a | /b) & /c'), '(/a | /b) & /c');
  });
  test('~ ! $ are the frozen singletons', () => {
    assert.equal(NameTree.read('~'), NameTree.neg);
    assert.equal(NameTree.read('!'), NameTree.fail);
    assert.equal(NameTree.read('$'), NameTree.empty);
    assert.ok(Object.isFrozen(NameTree.neg) && Object.isFrozen(NameTree.fail) && Object.isFrozen(NameTree.empty));
  });
  test('$ alone is Empty, /$ is a path', () => {
    assert.equal(NameTree.read('$').kind, 'empty');
    assert.equal(NameTree.read('/$').kind, 'leaf');
  });
  test('one-child nodes print transparently; zero-child nodes print as Finagle does', () => {
    const a = NameTree.leaf(Path.read('/a'));
    assert.equal(NameTree.show(NameTree.alt(NameTree.union({ weight: 3, tree: a }))), '/a');
    assert.equal(NameTree.show(NameTree.alt()), '');
    assert.equal(NameTree.show(NameTree.union({ weight: 1, tree: NameTree.alt() }, { weight: 1, tree: a })), '() & /a');
  });
});

describe('simplify (§13.16)', () => {
  const cases: [string, string][] = [
    ['! | /a', '!'], ['/a | ! | /b', '/a | !'], ['$ | /a', '$ | /a'], ['! & !', '~'], ['0.3*/a & 0.7*~', '/a'],
    ['(/a | /b) | /c', '(/a | /b) | /c'], ['(/a & /b) & /c', '(/a & /b) & /c'], ['$ & ~ & /a', '$ & /a'], ['~ | (~ | !) | /a', '!'],
  ];
  for (const [input, out] of cases) test(`${input} → ${out}`, () => assert.equal(NameTree.show(NameTree.simplify(NameTree.read(input))), out));
  test('empty and single-child nodes', () => {
    assert.equal(NameTree.simplify(NameTree.alt()), NameTree.neg);
    assert.equal(NameTree.simplify(NameTree.union()), NameTree.neg);
    assert.equal(NameTree.simplify(NameTree.union({ weight: 2, tree: NameTree.fail })), NameTree.fail);
  });
});

describe('eval (§8.2)', () => {
  const a = Path.read('/a'), b = Path.read('/b');
  test('Empty is the empty set, Alt takes the first non-Neg, Union merges sets', () => {
    assert.deepEqual(NameTree.eval(NameTree.read('$ | /a')), NameTree.leaf(new Set()));
    assert.equal(NameTree.eval(NameTree.read('~ | ! | /a')), NameTree.fail);
    const u = NameTree.eval(NameTree.union({ weight: 1, tree: NameTree.leaf(a) }, { weight: 1, tree: NameTree.fail }, { weight: 1, tree: NameTree.leaf(b) }));
    assert.deepEqual(u, NameTree.leaf(new Set([a, b])));
    assert.equal(NameTree.eval(NameTree.read('~ & !')), NameTree.neg);
  });
});

describe('dtab separators (§13.7)', () => {
  for (const ok of ['', '  ', '# c', '/a=>/b;', '/a=>/b ; ', '/a=>/b;/c=>/d;']) {
    test(`${JSON.stringify(ok)} parses`, () => assert.doesNotThrow(() => Dtab.read(ok)));
  }
  for (const bad of [';', ';/a=>/b', '/a=>/b;;', '/a=>/b ; ; ', '/a=>/b;;/c=>/d', '/a=>/b\n/c=>/d', '/a=>/b,/c=>/d', '/a -> /b', '/a /b', '/a=>', '=>/b']) {
    test(`${JSON.stringify(bad)} is rejected`, () => assert.throws(() => Dtab.read(bad), DtabSyntaxError));
  }
  test('printing: no spaces, no trailing ;', () => {
    assert.equal(Dtab.read(' /svc => 1*/a & 2*/b ; /x=>~ ').show(), '/svc=>/a & 2.00*/b;/x=>~');
    assert.equal(Dtab.empty.show(), '');
  });
  test('Dentry.read and Prefix.read take exactly one', () => {
    assert.equal(Dentry.read(' /a => /b | /c ').show(), '/a=>/b | /c');
    assert.throws(() => Dentry.read('/a=>/b;'), DtabSyntaxError);
    assert.throws(() => Prefix.read('/a=>/b'), DtabSyntaxError);
  });
});

describe('syntax error messages', () => {
  function error(read: (s: string) => unknown, input: string): DtabSyntaxError {
    try {
      read(input);
    } catch (e) {
      assert.ok(e instanceof DtabSyntaxError);
      return e;
    }
    assert.fail(`${JSON.stringify(input)} parsed`);
  }
  test('dentry without =>: column, expected, found', () => {
    const e = error(Dtab.read, '/svc=>/a;/web /b');
    assert.equal(e.message, "Invalid dtab at column 15: expected '=>' but found '/' (a dentry is written /prefix=>tree)");
    assert.equal(e.offset, 14);
    assert.equal(e.column, 15);
    assert.equal(e.expected, "'=>'");
    assert.equal(e.found, "'/'");
    assert.equal(e.what, 'dtab');
    assert.equal(e.input, '/svc=>/a;/web /b');
  });
  test('exactly the documented shape when there is no advice to give', () => {
    assert.equal(error(Dtab.read, '/a=>/b & (/c').message, "Invalid dtab at column 13: expected ')' but found end of input (close the group opened with '(')");
    assert.equal(error(Path.read, '/a/\\x4').message, "Invalid path at column 7: expected a hex digit but found end of input (\\x must be followed by exactly two hex digits)");
    assert.equal(error(Dtab.read, '/a=>@/b').message, "Invalid dtab at column 5: expected a path, '!', '~', '$' or '(' but found '@'");
  });
  test('a character a label cannot hold says which ones it can and how to escape', () => {
    assert.equal(error(Path.read, '/svc/we+b').message,
      "Invalid path at column 8: expected end of input but found '+' (label characters are 0-9 A-Z a-z _ : . # $ % -; write any other byte as \\xHH)");
    assert.equal(error(Path.read, '/caf\u00e9').message,
      "Invalid path at column 5: expected end of input but found '\u00e9' (non-ASCII text is escaped byte by byte: '\u00e9' is \\xc3\\xa9)");
  });
  test('the usual dtab mistakes get advice', () => {
    assert.match(error(Dtab.read, '/a=>/b\n/c=>/d').message, /^Invalid dtab at line 2, column 1: expected ';' or end of input but found '\/' \(dentries are separated by ';'/);
    assert.match(error(Dtab.read, '/a=>/b,/c=>/d').message, /found ',' \(',' is not a separator/);
    assert.match(error(Dtab.read, '/a=>/b;;').message, /column 8: expected '\/' but found ';' \(a ';' must follow a dentry/);
    assert.match(error(Dtab.read, '/a = > /b').message, /column 5: expected '>' to complete '=>' but found ' ' \(no space is allowed inside '=>'\)/);
    assert.match(error(Dtab.read, '/a -> /b').message, /write '=>', not '->'/);
    assert.match(error(Dtab.read, '/a*=>/b').message, /found '\*' \('\*' must be a whole prefix element/);
    assert.match(error(Dtab.read, '/a/=>/b').message, /found '=' \(a path cannot end with '\/'\)/);
    assert.match(error(Dtab.read, '/a=>-1*/b & /c').message, /weights cannot be negative/);
    assert.match(error(Dtab.read, '/a=>/b |').message, /found end of input \('\|' must be followed by a tree\)/);
    assert.match(error(Path.read, '/\\X41').message, /expected 'x' after '\\' but found 'X'/);
    assert.match(error(Path.read, '/a\tb').message, /found 'b' \(a path cannot contain whitespace\)/);
  });
  test('line and column are counted from the start of the offending line', () => {
    const e = error(Dtab.read, '/a=>/b;\n/c=>/d;\n/e=>/f g');
    assert.equal(e.line, 3);
    assert.equal(e.column, 8);
    assert.equal(e.offset, 23);
  });
  test('withSource names where the text came from', () => {
    const e = error(Dtab.read, '/a=>').withSource('l5d-dtab header');
    assert.match(e.message, /^Invalid dtab in l5d-dtab header at column 5: /);
  });
  test('each reader names itself', () => {
    assert.equal(error(Prefix.read, 'x').what, 'prefix');
    assert.equal(error(NameTree.read, 'x').what, 'name tree');
    assert.equal(error(Dentry.read, 'x').what, 'dentry');
    assert.match(error(NameTree.read, '').message, /^Invalid name tree at column 1: .* \(the input is empty\)$/);
  });
});
