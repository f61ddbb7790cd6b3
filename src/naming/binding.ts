/**
 * Binding (§8.3) and full static expansion (§9) as pure functions over a lookup step. The
 * lookup may throw: a namer failure, or activity.ts's PendingSignal when an answer is not in yet.
 * NameInterpreter runs these inside `derive`, which makes them live.
 */
import { PendingSignal } from './activity.js';
import { NamingError } from './errors.js';
import { NameTree, type Weighted } from './nametree.js';
import type { BoundName, Name } from './namer.js';
import { Path } from './path.js';

/** One delegation step for a path: the dtab first, then the namers (§8.3.1). */
export type Lookup = (path: Path) => NameTree<Name>;

export interface BindOptions {
  /** Deepest allowed node (Finagle's namerMaxDepth, 100). */
  readonly maxDepth: number;
  /** The dentry (shown) that rewrote `from` into `to`, so loop errors can name it. */
  readonly describe?: (from: Path, to: Path) => string | undefined;
}

/** The paths looked up on the way to a node, most recent first. */
export interface Trail { readonly path: Path; readonly prev: Trail | undefined }

/**
 * What routing uses (§8.3.2): Alt takes its first non-Neg child (later children are never
 * evaluated, Fail and errors stop it), Union binds every branch, drops failed ones and is
 * simplified. The result never contains an Alt.
 */
export function bindPath(lookup: Lookup, path: Path, opts: BindOptions): NameTree<BoundName> {
  const bind = (tree: NameTree<Name>, depth: number, trail: Trail | undefined): NameTree<BoundName> => {
    if (depth > opts.maxDepth) throw tooDeep(opts, trail, tree);
    switch (tree.kind) {
      case 'leaf':
        if (tree.value instanceof Path) return bind(lookup(tree.value), depth + 1, { path: tree.value, prev: trail });
        return { kind: 'leaf', value: tree.value };
      case 'alt':
        for (const child of tree.trees) {
          const bound = bind(child, depth, trail);
          if (bound.kind !== 'neg') return bound;
        }
        return NameTree.neg;
      case 'union': {
        if (tree.branches.length === 1) return bind(tree.branches[0]!.tree, depth, trail);
        const bound: Weighted<BoundName>[] = [];
        let failure: unknown;
        for (const b of tree.branches) {
          try {
            bound.push({ weight: b.weight, tree: bind(b.tree, depth, trail) });
          } catch (e) {
            if (e !== PendingSignal.instance) failure ??= e;
          }
        }
        // Finagle: any bound branch wins over pending and failed ones; else the first failure; else pending.
        if (bound.length === 0 && tree.branches.length > 0) throw failure ?? PendingSignal.instance;
        return NameTree.simplify({ kind: 'union', branches: bound });
      }
      default:
        return tree;
    }
  };
  return bind(NameTree.leaf(path), 0, undefined);
}

/**
 * Full static delegation (§9, the vectors' `result`): like binding, but every child of every
 * Alt and Union is expanded, then the whole tree is simplified once. Any error is the result.
 */
export function expandPath(lookup: Lookup, path: Path, opts: BindOptions): NameTree<BoundName> {
  const expand = (tree: NameTree<Name>, depth: number, trail: Trail | undefined): NameTree<BoundName> => {
    if (depth > opts.maxDepth) throw tooDeep(opts, trail, tree);
    switch (tree.kind) {
      case 'leaf':
        if (tree.value instanceof Path) return expand(lookup(tree.value), depth + 1, { path: tree.value, prev: trail });
        return { kind: 'leaf', value: tree.value };
      case 'alt': return { kind: 'alt', trees: tree.trees.map((t) => expand(t, depth, trail)) };
      case 'union':
        return { kind: 'union', branches: tree.branches.map((b) => ({ weight: b.weight, tree: expand(b.tree, depth, trail) })) };
      default: return tree;
    }
  };
  return NameTree.simplify(expand(NameTree.leaf(path), 0, undefined));
}

/** The depth error, naming the dentries applied along the trail (and into `tree`). */
export function tooDeep(opts: BindOptions, trail: Trail | undefined, tree?: NameTree<Name>): NamingError {
  const paths: Path[] = [];
  for (let t = trail; t; t = t.prev) paths.unshift(t.path);
  if (tree?.kind === 'leaf' && tree.value instanceof Path) paths.push(tree.value);
  const steps: string[] = [];
  if (opts.describe) {
    for (let i = 0; i + 1 < paths.length; i++) {
      const step = opts.describe(paths[i]!, paths[i + 1]!);
      if (step !== undefined) steps.push(step);
    }
  }
  return NamingError.depth(opts.maxDepth, steps);
}
