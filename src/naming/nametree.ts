/**
 * NameTree: the algebra that destinations, lookups and bound names are written in (§1, §5, §8).
 * `a | b` (Alt) is ordered fallback, `a & b` (Union) is a weighted split, `~` (Neg) "not here",
 * `!` (Fail) "stop, this fails", `$` (Empty) "exists, but has no endpoints".
 */
import { parseNameTree } from './parser.js';
import type { Path } from './path.js';
import { formatWeight } from './weight.js';

export interface Leaf<T> { readonly kind: 'leaf'; readonly value: T }
export interface Alt<T> { readonly kind: 'alt'; readonly trees: readonly NameTree<T>[] }
export interface Weighted<T> { readonly weight: number; readonly tree: NameTree<T> }
export interface Union<T> { readonly kind: 'union'; readonly branches: readonly Weighted<T>[] }
export interface Neg { readonly kind: 'neg' }
export interface Fail { readonly kind: 'fail' }
export interface Empty { readonly kind: 'empty' }

export type NameTree<T> = Leaf<T> | Alt<T> | Union<T> | Neg | Fail | Empty;

const neg: Neg = Object.freeze({ kind: 'neg' });
const fail: Fail = Object.freeze({ kind: 'fail' });
const empty: Empty = Object.freeze({ kind: 'empty' });

function leaf<T>(value: T): Leaf<T> { return { kind: 'leaf', value }; }
function alt<T>(...trees: NameTree<T>[]): Alt<T> { return { kind: 'alt', trees }; }
function union<T>(...branches: Weighted<T>[]): Union<T> { return { kind: 'union', branches }; }

/** The child of an Alt or Union that has exactly one, which prints and binds transparently. */
function only<T>(t: NameTree<T>): NameTree<T> | undefined {
  if (t.kind === 'alt' && t.trees.length === 1) return t.trees[0];
  if (t.kind === 'union' && t.branches.length === 1) return t.branches[0]!.tree;
  return undefined;
}

/**
 * Canonical text (§5.2): ` | ` between alternatives, ` & ` between union members, weights only
 * when not exactly 1.0, parentheses exactly where re-parsing needs them.
 */
function show<T>(tree: NameTree<T>, showLeaf: (value: T) => string = String): string {
  const top = (t: NameTree<T>): string => {
    const o = only(t);
    if (o) return top(o);
    return t.kind === 'alt' ? t.trees.map(member).join(' | ') : member(t);
  };
  const member = (t: NameTree<T>): string => {
    const o = only(t);
    if (o) return member(o);
    if (t.kind === 'union') {
      return t.branches.map((b) => (b.weight === 1 ? '' : `${formatWeight(b.weight)}*`) + simple(b.tree)).join(' & ');
    }
    return t.kind === 'alt' ? `(${top(t)})` : simple(t);
  };
  const simple = (t: NameTree<T>): string => {
    const o = only(t);
    if (o) return simple(o);
    switch (t.kind) {
      case 'alt': case 'union': return `(${top(t)})`;
      case 'leaf': return showLeaf(t.value);
      case 'fail': return '!';
      case 'neg': return '~';
      case 'empty': return '$';
    }
  };
  return top(tree);
}

/**
 * The evaluation-preserving normal form (§8.1): Neg children leave an Alt, a Fail child ends it;
 * Neg and Fail branches leave a Union; single children lose their node (and weight). Nested
 * Alts and Unions are not flattened and Empty is kept. Idempotent.
 */
function simplify<T>(tree: NameTree<T>): NameTree<T> {
  switch (tree.kind) {
    case 'alt': {
      if (tree.trees.length === 0) return neg;
      if (tree.trees.length === 1) return simplify(tree.trees[0]!);
      const kept: NameTree<T>[] = [];
      for (const child of tree.trees) {
        const s = simplify(child);
        if (s.kind === 'fail') { kept.push(s); break; }
        if (s.kind !== 'neg') kept.push(s);
      }
      return kept.length === 0 ? neg : kept.length === 1 ? kept[0]! : { kind: 'alt', trees: kept };
    }
    case 'union': {
      if (tree.branches.length === 0) return neg;
      if (tree.branches.length === 1) return simplify(tree.branches[0]!.tree);
      const kept: Weighted<T>[] = [];
      for (const b of tree.branches) {
        const s = simplify(b.tree);
        if (s.kind !== 'fail' && s.kind !== 'neg') kept.push(s === b.tree ? b : { weight: b.weight, tree: s });
      }
      return kept.length === 0 ? neg : kept.length === 1 ? kept[0]!.tree : { kind: 'union', branches: kept };
    }
    default:
      return tree;
  }
}

/**
 * Set semantics (§8.2): Fail, Neg, or a Leaf holding the set of leaf values reached (Empty is
 * the empty set). Alt takes its first non-Neg child; Union merges every child that is a set.
 */
function evaluate<T>(tree: NameTree<T>): Fail | Neg | Leaf<ReadonlySet<T>> {
  switch (tree.kind) {
    case 'fail': case 'neg': return tree;
    case 'empty': return leaf(new Set<T>());
    case 'leaf': return leaf(new Set([tree.value]));
    case 'alt': {
      for (const child of tree.trees) {
        const r = evaluate(child);
        if (r.kind !== 'neg') return r;
      }
      return neg;
    }
    case 'union': {
      if (tree.branches.length === 1) return evaluate(tree.branches[0]!.tree);
      let values: Set<T> | undefined;
      for (const b of tree.branches) {
        const r = evaluate(b.tree);
        if (r.kind === 'leaf') { values ??= new Set(); for (const v of r.value) values.add(v); }
      }
      return values ? leaf(values) : neg;
    }
  }
}

/** The same tree with every leaf value replaced by `f(value)`. */
function map<T, U>(tree: NameTree<T>, f: (value: T) => U): NameTree<U> {
  switch (tree.kind) {
    case 'leaf': return leaf(f(tree.value));
    case 'alt': return { kind: 'alt', trees: tree.trees.map((t) => map(t, f)) };
    case 'union': return { kind: 'union', branches: tree.branches.map((b) => ({ weight: b.weight, tree: map(b.tree, f) })) };
    default: return tree;
  }
}

/** Structural equality, leaves compared with `leafEquals`. */
function equals<T>(a: NameTree<T>, b: NameTree<T>, leafEquals: (x: T, y: T) => boolean = Object.is): boolean {
  if (a === b) return true;
  switch (a.kind) {
    case 'leaf': return b.kind === 'leaf' && leafEquals(a.value, b.value);
    case 'alt':
      return b.kind === 'alt' && a.trees.length === b.trees.length
        && a.trees.every((t, i) => equals(t, b.trees[i]!, leafEquals));
    case 'union':
      return b.kind === 'union' && a.branches.length === b.branches.length
        && a.branches.every((x, i) => x.weight === b.branches[i]!.weight && equals(x.tree, b.branches[i]!.tree, leafEquals));
    default:
      return a.kind === b.kind;
  }
}

export const NameTree = {
  leaf,
  alt,
  union,
  neg,
  fail,
  empty,
  /** Parses name-tree syntax (§5.1); throws DtabSyntaxError. */
  read: (text: string): NameTree<Path> => parseNameTree(text),
  show,
  simplify,
  eval: evaluate,
  map,
  equals,
} as const;
