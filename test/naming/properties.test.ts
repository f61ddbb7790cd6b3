// Property tests: print/read round trips, simplify laws, parser totality, indexed lookup.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Dentry, Dtab, Prefix, type PrefixElem } from '../../src/naming/dtab.js';
import { DtabSyntaxError } from '../../src/naming/errors.js';
import { NameTree } from '../../src/naming/nametree.js';
import { Path } from '../../src/naming/path.js';

const bytes = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 6 }).map((b) => String.fromCharCode(...b));
const showable = fc.array(fc.constantFrom(...'az09_:.#$%-AZ'), { minLength: 1, maxLength: 6 }).map((c) => c.join(''));
const label = fc.oneof(showable, bytes);
const path = fc.array(label, { maxLength: 4 }).map((l) => Path.fromLabels(l));

/** Weights that survive printing: at most two decimals. */
const weight = fc.integer({ min: 0, max: 20000 }).map((n) => n / 100);

/** Trees the parser can produce: every Alt and Union has at least two children. */
const parsedTree = fc.letrec<{ tree: NameTree<Path> }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    path.map((p) => NameTree.leaf(p)),
    fc.constantFrom<NameTree<Path>>(NameTree.neg, NameTree.fail, NameTree.empty),
    fc.array(tie('tree'), { minLength: 2, maxLength: 3 }).map((t) => NameTree.alt(...t)),
    fc.array(fc.record({ weight, tree: tie('tree') }), { minLength: 2, maxLength: 3 }).map((b) => NameTree.union(...b)),
  ),
})).tree;

/** Any tree, including the zero- and one-child nodes only code can build. */
const anyTree = fc.letrec<{ tree: NameTree<Path> }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    path.map((p) => NameTree.leaf(p)),
    fc.constantFrom<NameTree<Path>>(NameTree.neg, NameTree.fail, NameTree.empty),
    fc.array(tie('tree'), { maxLength: 3 }).map((t) => NameTree.alt(...t)),
    fc.array(fc.record({ weight: fc.double({ noNaN: true }), tree: tie('tree') }), { maxLength: 3 }).map((b) => NameTree.union(...b)),
  ),
})).tree;

const prefixElem: fc.Arbitrary<PrefixElem> = fc.oneof(label, fc.constant(Prefix.ANY));
const dentry = fc.tuple(fc.array(prefixElem, { maxLength: 3 }), parsedTree).map(([e, t]) => new Dentry(new Prefix(e), t));
const dtab = fc.array(dentry, { maxLength: 5 }).map((d) => Dtab.of(d));

const samePaths = (a: Path, b: Path): boolean => a.equals(b);

describe('round trips', () => {
  test('paths of arbitrary bytes: read(show(p)) equals p, and show is canonical', () => {
    fc.assert(fc.property(path, (p) => {
      const again = Path.read(p.show());
      assert.ok(again.equals(p));
      assert.equal(again.show(), p.show());
    }));
  });
  test('trees: read(show(t)) reproduces t, nesting included', () => {
    fc.assert(fc.property(parsedTree, (t) => {
      assert.ok(NameTree.equals(NameTree.read(NameTree.show(t)), t, samePaths), NameTree.show(t));
    }));
  });
  test('dtabs: read(show(d)) prints the same', () => {
    fc.assert(fc.property(dtab, (d) => {
      const again = Dtab.read(d.show());
      assert.equal(again.size, d.size);
      assert.equal(again.show(), d.show());
    }));
  });
});

describe('simplify', () => {
  test('is idempotent', () => {
    fc.assert(fc.property(anyTree, (t) => {
      const once = NameTree.simplify(t);
      assert.ok(NameTree.equals(NameTree.simplify(once), once, samePaths));
    }));
  });
  test('preserves evaluation', () => {
    fc.assert(fc.property(anyTree, (t) => {
      const show = (e: ReturnType<typeof NameTree.eval<Path>>): string =>
        e.kind === 'leaf' ? [...e.value].map((p) => p.show()).sort().join(',') : e.kind;
      assert.equal(show(NameTree.eval(NameTree.simplify(t))), show(NameTree.eval(t)));
    }));
  });
});

describe('parsers are total', () => {
  const grammar = fc.array(fc.constantFrom('/', 'a', 'Z', '\\', 'x', '4', '1', '.', '*', '|', '&', '(', ')', '=', '>', ';', ' ', '#', '\n', '~', '!', '$', ',', '-', '\u00e9', '\u00a0', '\u2003'), { maxLength: 24 })
    .map((c) => c.join(''));
  const input = fc.oneof(grammar, fc.string({ unit: 'binary', maxLength: 24 }));
  const readers: [string, (s: string) => unknown][] = [
    ['path', Path.read], ['prefix', Prefix.read], ['name tree', NameTree.read], ['dentry', Dentry.read], ['dtab', Dtab.read],
  ];
  for (const [name, read] of readers) {
    test(`${name}: a value or a DtabSyntaxError pointing inside the input`, () => {
      fc.assert(fc.property(input, (s) => {
        try {
          read(s);
        } catch (e) {
          assert.ok(e instanceof DtabSyntaxError, String(e));
          assert.ok(e.offset >= 0 && e.offset <= s.length);
          assert.equal(e.what, name);
        }
      }), { numRuns: 500 });
    });
  }
  test('whatever parses as a dtab prints to a fixed point', () => {
    fc.assert(fc.property(grammar, (s) => {
      let d: Dtab;
      try { d = Dtab.read(s); } catch { return; }
      assert.equal(Dtab.read(d.show()).show(), d.show());
    }), { numRuns: 500 });
  });
});

describe('indexed lookup', () => {
  // Few distinct labels, so that prefixes collide, wildcards and empty prefixes mix with named ones.
  const small = fc.constantFrom('a', 'b', 'c');
  const smallPrefix = fc.array(fc.oneof(small, small, fc.constant(Prefix.ANY)), { maxLength: 3 }).map((e) => new Prefix(e));
  const smallDentry = fc.tuple(smallPrefix, fc.integer({ min: 0, max: 99 })).map(([p, n]) => new Dentry(p, NameTree.leaf(Path.fromLabels([`d${n}`]))));
  const smallPath = fc.array(small, { maxLength: 4 }).map((l) => Path.fromLabels(l));

  /** §7 as written: every dentry, last to first. */
  function naive(entries: readonly Dentry[], p: Path): string {
    const found: NameTree<Path>[] = [];
    for (let i = entries.length - 1; i >= 0; i--) {
      const r = entries[i]!.prefix.match(p);
      if (r) found.push(NameTree.map(entries[i]!.dst, (d) => d.concat(r)));
    }
    return NameTree.show(found.length === 0 ? NameTree.neg : found.length === 1 ? found[0]! : NameTree.alt(...found));
  }

  test('agrees with a last-to-first scan, for concatenations too', () => {
    fc.assert(fc.property(fc.array(fc.array(smallDentry, { maxLength: 6 }), { minLength: 1, maxLength: 12 }), fc.array(smallPath, { minLength: 1, maxLength: 5 }), (parts, paths) => {
      const combined = parts.map((e) => Dtab.of(e)).reduce((a, b) => a.concat(b));
      const entries = parts.flat();
      assert.equal(combined.size, entries.length);
      for (const p of paths) assert.equal(NameTree.show(combined.lookup(p)), naive(entries, p), `${combined.show()} @ ${p.show()}`);
    }));
  });
});
