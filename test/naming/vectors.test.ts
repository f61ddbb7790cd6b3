// Every group of the acceptance vectors (dtab-vectors.json, a copy of shared/spec's), driven from the file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { delegateTreeToJson, type DelegateJson, type DelegateTree } from '../../src/naming/delegate-tree.js';
import { Dtab } from '../../src/naming/dtab.js';
import { DtabSyntaxError } from '../../src/naming/errors.js';
import { globalNamer } from '../../src/naming/global-namer.js';
import { NameTree } from '../../src/naming/nametree.js';
import { BoundName } from '../../src/naming/namer.js';
import { Path } from '../../src/naming/path.js';
import { readFinagleDtab, readLinkerdDtab } from '../../src/protocol/http1/dtab-headers.js';
import { errorCategory, outcome, vectorInterpreter } from './harness.js';

interface Parse { input: string; ok: boolean; show?: string; size?: number }
interface Delegation { dtab?: string; base?: string; local?: string; path: string; absent?: string[]; result: string; bound: string; note: string }
interface Vectors {
  path_parse: Parse[];
  nametree_parse: Parse[];
  simplify: { input: string; simplified: string }[];
  dtab_parse: Parse[];
  lookup: { dtab: string; path: string; lookup: string }[];
  delegate: Delegation[];
  override: Delegation[];
  rewrite_namers: { path: string; outcome: string; result: string; id?: string; residual?: string }[];
  http_headers: { reader: 'linkerd' | 'finagle'; headers: [string, string][]; ok: boolean; dtab?: string; size?: number; note: string }[];
  explain: { dtab: string; path: string; tree: unknown; note: string }[];
}

const vectors = JSON.parse(readFileSync(new URL('./dtab-vectors.json', import.meta.url), 'utf8')) as Vectors;

function parseGroup(name: string, cases: Parse[], read: (s: string) => { show: string; size?: number }): void {
  describe(name, () => {
    for (const v of cases) {
      test(JSON.stringify(v.input), () => {
        if (!v.ok) {
          assert.throws(() => read(v.input), DtabSyntaxError);
          return;
        }
        const r = read(v.input);
        assert.equal(r.show, v.show);
        if (v.size !== undefined) assert.equal(r.size, v.size);
      });
    }
  });
}

parseGroup('path_parse', vectors.path_parse, (s) => { const p = Path.read(s); return { show: p.show(), size: p.size }; });
parseGroup('nametree_parse', vectors.nametree_parse, (s) => ({ show: NameTree.show(NameTree.read(s)) }));
parseGroup('dtab_parse', vectors.dtab_parse, (s) => { const d = Dtab.read(s); return { show: d.show(), size: d.size }; });

describe('simplify', () => {
  for (const v of vectors.simplify) {
    test(v.input, () => assert.equal(NameTree.show(NameTree.simplify(NameTree.read(v.input))), v.simplified));
  }
});

describe('lookup', () => {
  for (const v of vectors.lookup) {
    test(`${v.dtab} @ ${v.path}`, () => {
      assert.equal(NameTree.show(Dtab.read(v.dtab).lookup(Path.read(v.path))), v.lookup);
    });
  }
});

function delegationGroup(name: string, cases: Delegation[]): void {
  describe(name, () => {
    for (const v of cases) {
      test(v.note, () => {
        const dtab = v.dtab !== undefined ? Dtab.read(v.dtab) : Dtab.read(v.base!).concat(Dtab.read(v.local!));
        const interpreter = vectorInterpreter(v.absent);
        const path = Path.read(v.path);
        assert.equal(outcome(interpreter.expand(dtab, path)), v.result, 'result (static expansion)');
        assert.equal(outcome(interpreter.bind(dtab, path)), v.bound, 'bound');
      });
    }
  });
}

delegationGroup('delegate', vectors.delegate);
delegationGroup('override', vectors.override);

describe('rewrite_namers', () => {
  const global = globalNamer();
  for (const v of vectors.rewrite_namers) {
    test(v.path, () => {
      const state = global.lookup(Path.read(v.path).drop(1)).current();
      assert.notEqual(state.status, 'pending');
      if (state.status === 'failed') {
        assert.equal(v.outcome, 'error');
        assert.equal(errorCategory(state.error), v.result);
        return;
      }
      if (state.status !== 'ok') return;
      const tree = state.value;
      if (tree.kind === 'neg') {
        assert.equal(v.outcome, 'neg');
        return;
      }
      assert.equal(tree.kind, 'leaf');
      if (tree.kind !== 'leaf') return;
      if (tree.value instanceof BoundName) {
        assert.equal(v.outcome, 'bound');
        assert.equal(tree.value.path.show(), v.result);
        assert.equal(tree.value.id.show(), v.id);
        assert.equal(tree.value.residual.show(), v.residual);
      } else {
        assert.equal(v.outcome, 'rewrite');
        assert.equal(tree.value.show(), v.result);
      }
    });
  }
});

describe('http_headers', () => {
  for (const v of vectors.http_headers) {
    test(`${v.reader}: ${v.note}`, () => {
      const read = v.reader === 'linkerd' ? readLinkerdDtab : readFinagleDtab;
      if (!v.ok) {
        assert.throws(() => read(v.headers));
        return;
      }
      const dtab = read(v.headers);
      assert.equal(dtab.show(), v.dtab);
      assert.equal(dtab.size, v.size);
    });
  }
});

/** The vectors' explanation shape: no `addr`, exception messages as error categories, root dentry null. */
function asVector(tree: DelegateTree): unknown {
  const categories = new Map<string, string>();
  const collect = (t: DelegateTree): void => {
    if (t.kind === 'exception') categories.set(t.error.message, errorCategory(t.error));
    if (t.kind === 'delegate' || t.kind === 'transformation') collect(t.tree);
    if (t.kind === 'alt') t.trees.forEach(collect);
    if (t.kind === 'union') t.branches.forEach((b) => collect(b.tree));
  };
  collect(tree);
  const convert = (j: DelegateJson): unknown => ({
    type: j.type,
    path: j.path,
    dentry: j.dentry ?? null,
    ...(j.delegate ? { delegate: convert(j.delegate) } : {}),
    ...(j.alt ? { alt: j.alt.map(convert) } : {}),
    ...(j.union ? { union: j.union.map((u) => ({ weight: u.weight, tree: convert(u.tree) })) } : {}),
    ...(j.bound ? { bound: { id: j.bound.id, path: j.bound.path } } : {}),
    ...(j.message !== undefined ? { message: categories.get(j.message) } : {}),
  });
  return convert(delegateTreeToJson(tree, { markPrimary: false }));
}

describe('explain', () => {
  for (const v of vectors.explain) {
    test(v.note, () => {
      const state = vectorInterpreter().delegate(Dtab.read(v.dtab), Path.read(v.path)).current();
      assert.equal(state.status, 'ok');
      if (state.status === 'ok') assert.deepEqual(asVector(state.value), v.tree);
    });
  }
});
