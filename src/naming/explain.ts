/**
 * Building the explanation tree the way Linkerd's delegator does (§11.2): every branch of
 * every alternation is followed (unlike binding), each step remembers its dentry, failures in
 * a branch become Exception nodes, and the result is simplified once at the end.
 */
import { PendingSignal } from './activity.js';
import { tooDeep, type BindOptions, type Trail } from './binding.js';
import { simplifyDelegateTree, type DelegateTree } from './delegate-tree.js';
import type { Dentry, Dtab } from './dtab.js';
import { NameTree } from './nametree.js';
import type { BoundName, Name } from './namer.js';
import { Path } from './path.js';

export interface ExplainContext extends BindOptions {
  readonly dtab: Dtab;
  /** The namers alone (configured, then `/$/`), asked when no dentry matches (§8.3.1 steps 2–3). */
  readonly askNamers: (path: Path) => NameTree<Name>;
}

/** The simplified explanation of how `path` delegates under `ctx.dtab`. Throws when the root chain fails. */
export function explain(ctx: ExplainContext, path: Path): DelegateTree {
  const root: DelegateTree<Name> = { kind: 'leaf', path: Path.empty, dentry: null, value: path };
  return simplifyDelegateTree(follow(ctx, root, 0, undefined));
}

/** Linkerd's delegateBind: replaces unbound leaves by their lookups, depth-first, in every branch. */
function follow(ctx: ExplainContext, tree: DelegateTree<Name>, depth: number, trail: Trail | undefined): DelegateTree {
  if (depth > ctx.maxDepth) throw tooDeep(ctx, trail);
  const { path, dentry } = tree;
  switch (tree.kind) {
    case 'leaf': {
      const v = tree.value;
      if (!(v instanceof Path)) return { kind: 'leaf', path, dentry, value: v };
      return follow(ctx, lookup(ctx, dentry, v), depth + 1, { path: v, prev: trail });
    }
    case 'delegate':
      return { kind: 'delegate', path, dentry, tree: follow(ctx, tree.tree, depth, trail) };
    case 'alt':
      if (tree.trees.length === 0) return { kind: 'neg', path, dentry };
      if (tree.trees.length === 1) return { kind: 'delegate', path, dentry, tree: follow(ctx, tree.trees[0]!, depth, trail) };
      return { kind: 'alt', path, dentry, trees: tree.trees.map((t) => guarded(ctx, tree, t, depth, trail)) };
    case 'union':
      if (tree.branches.length === 0) return { kind: 'neg', path, dentry };
      if (tree.branches.length === 1) return { kind: 'delegate', path, dentry, tree: follow(ctx, tree.branches[0]!.tree, depth, trail) };
      return { kind: 'union', path, dentry, branches: tree.branches.map((b) => ({ weight: b.weight, tree: guarded(ctx, tree, b.tree, depth, trail) })) };
    case 'transformation':
      // Transformers run on bound trees, so a transformation node always holds a bound name.
      return { kind: 'transformation', path, dentry, name: tree.name, value: tree.value as BoundName, tree: follow(ctx, tree.tree, depth, trail) };
    default:
      return tree;
  }
}

/** A branch of an Alt or Union: its failure becomes an Exception about the parent's path. */
function guarded(ctx: ExplainContext, parent: DelegateTree<Name>, child: DelegateTree<Name>, depth: number, trail: Trail | undefined): DelegateTree {
  try {
    return follow(ctx, child, depth, trail);
  } catch (e) {
    if (e === PendingSignal.instance) throw e;
    return { kind: 'exception', path: parent.path, dentry: parent.dentry, error: asError(e) };
  }
}

/**
 * One step for path `q` reached through `dentry`: the matching dentries (a Delegate for one, an
 * Alt for several), else the namers. Unlike binding, a single `~` match is shown as such and the
 * namers are not consulted.
 */
function lookup(ctx: ExplainContext, dentry: Dentry | null, q: Path): DelegateTree<Name> {
  const matches = ctx.dtab.matches(q);
  if (matches.length === 0) {
    try {
      const answer = ctx.askNamers(q);
      return answer.kind === 'neg' ? { kind: 'neg', path: q, dentry } : fromNameTree(q, dentry, answer);
    } catch (e) {
      if (e === PendingSignal.instance) throw e;
      return { kind: 'exception', path: q, dentry, error: asError(e) };
    }
  }
  const trees = matches.map((m) => fromNameTree(q, m.dentry, NameTree.map(m.dentry.dst, (p): Name => p.concat(m.residual))));
  return trees.length === 1 ? { kind: 'delegate', path: q, dentry, tree: trees[0]! } : { kind: 'alt', path: q, dentry, trees };
}

/** A name tree as explanation nodes about `path` (a Neg inside is about the empty path). */
function fromNameTree(path: Path, dentry: Dentry | null, tree: NameTree<Name>): DelegateTree<Name> {
  switch (tree.kind) {
    case 'leaf': return { kind: 'leaf', path, dentry, value: tree.value };
    case 'alt': return { kind: 'alt', path, dentry, trees: tree.trees.map((t) => fromNameTree(path, dentry, t)) };
    case 'union':
      return { kind: 'union', path, dentry, branches: tree.branches.map((b) => ({ weight: b.weight, tree: fromNameTree(path, dentry, b.tree) })) };
    case 'neg': return { kind: 'neg', path: Path.empty, dentry };
    default: return { kind: tree.kind, path, dentry };
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
