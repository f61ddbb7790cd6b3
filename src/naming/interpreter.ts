/**
 * NameInterpreter: binds a path under a dtab with configured namers and the `/$/` namer
 * (Linkerd's ConfiguredNamersInterpreter, §8.3.1), as live activities: they recompute whenever
 * a namer answer they read changes, and are pending while an answer they need is pending.
 */
import { derive, PendingSignal, type Activity, type Read } from './activity.js';
import { bindPath, expandPath, type BindOptions, type Lookup } from './binding.js';
import type { DelegateTree } from './delegate-tree.js';
import type { Dtab } from './dtab.js';
import { NamingError } from './errors.js';
import { explain } from './explain.js';
import { globalNamer } from './global-namer.js';
import { NameTree } from './nametree.js';
import type { BoundName, Name, Namer } from './namer.js';
import type { Path } from './path.js';

/** A configured namer and the prefix it serves, e.g. `/#/io.l5d.fs`. */
export interface MountedNamer { readonly prefix: Path; readonly namer: Namer }

export interface NameInterpreterOptions {
  /** The namer for `/$/…` paths, asked about the path after `/$` (default: `globalNamer()`). */
  readonly global?: Namer;
  /** Deepest node binding may reach (default 100, Finagle's namerMaxDepth). */
  readonly maxDepth?: number;
}

export class NameInterpreter {
  private readonly global: Namer;
  private readonly maxDepth: number;

  /** `namers` are consulted in the given order; a Neg answer falls through to the next one. */
  constructor(private readonly namers: readonly MountedNamer[], opts: NameInterpreterOptions = {}) {
    this.global = opts.global ?? globalNamer();
    this.maxDepth = opts.maxDepth ?? 100;
  }

  /** The bound tree routing uses (§8.3). Fails with NamingError on loops and namer failures. */
  bind(dtab: Dtab, path: Path): Activity<NameTree<BoundName>> {
    return derive((read) => bindPath(this.lookup(dtab, read), path, this.options(dtab)), sameBoundTree);
  }

  /** Full static expansion (§9): every alternative followed, simplified once. */
  expand(dtab: Dtab, path: Path): Activity<NameTree<BoundName>> {
    return derive((read) => expandPath(this.lookup(dtab, read), path, this.options(dtab)), sameBoundTree);
  }

  /**
   * The explanation tree (§11), pending until every bound leaf's address set has settled (as
   * Linkerd's delegator waits for them) and recomputed when answers or address sets change.
   */
  delegate(dtab: Dtab, path: Path): Activity<DelegateTree> {
    return derive((read) => {
      const tree = explain({ ...this.options(dtab), dtab, askNamers: (p) => this.askNamers(p, read) }, path);
      awaitAddresses(tree, read);
      return tree;
    });
  }

  /** §8.3.1: the dtab first, for every path; only when it gives Neg, the namers. */
  private lookup(dtab: Dtab, read: Read): Lookup {
    return (path) => {
      const tree = dtab.lookup(path);
      return tree.kind === 'neg' ? this.askNamers(path, read) : tree;
    };
  }

  /** Configured namers whose prefix the path starts with, in order, then `/$/` paths to the global namer. */
  private askNamers(path: Path, read: Read): NameTree<Name> {
    for (const { prefix, namer } of this.namers) {
      if (!path.startsWith(prefix)) continue;
      const answer = ask(namer, path, prefix.size, read);
      if (answer.kind !== 'neg') return answer;
    }
    return path.size > 0 && path.labels[0] === '$' ? ask(this.global, path, 1, read) : NameTree.neg;
  }

  private options(dtab: Dtab): BindOptions {
    return { maxDepth: this.maxDepth, describe: (from, to) => describeStep(dtab, from, to) };
  }
}

/** Asks `namer` about `path` minus its mount prefix; any failure becomes a NamingError of kind namer. */
function ask(namer: Namer, path: Path, mount: number, read: Read): NameTree<Name> {
  try {
    return read(namer.lookup(path.drop(mount)));
  } catch (e) {
    if (e === PendingSignal.instance || e instanceof NamingError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new NamingError('namer', `Namer for ${path.take(mount).show()} failed on ${path.show()}: ${why}`, { cause: e });
  }
}

/** The dentry that rewrote `from` into `to`, for loop messages. */
function describeStep(dtab: Dtab, from: Path, to: Path): string | undefined {
  for (const { dentry, residual } of dtab.matches(from)) {
    if (hasLeaf(dentry.dst, (p) => p.concat(residual).equals(to))) return dentry.show();
  }
  return undefined;
}

function hasLeaf<T>(tree: NameTree<T>, test: (value: T) => boolean): boolean {
  switch (tree.kind) {
    case 'leaf': return test(tree.value);
    case 'alt': return tree.trees.some((t) => hasLeaf(t, test));
    case 'union': return tree.branches.some((b) => hasLeaf(b.tree, test));
    default: return false;
  }
}

/** Reads every leaf's address set: pending until all have settled, live afterwards. */
function awaitAddresses(tree: DelegateTree, read: Read): void {
  switch (tree.kind) {
    case 'leaf': case 'transformation':
      try {
        if (read(tree.value.addr).type === 'pending') throw PendingSignal.instance;
      } catch (e) {
        if (e === PendingSignal.instance) throw e; // a failed address set is shown as failed, not thrown
      }
      if (tree.kind === 'transformation') awaitAddresses(tree.tree, read);
      return;
    case 'delegate': awaitAddresses(tree.tree, read); return;
    case 'alt': for (const t of tree.trees) awaitAddresses(t, read); return;
    case 'union': for (const b of tree.branches) awaitAddresses(b.tree, read); return;
    default: return;
  }
}

/** Same shape and weights, and leaves naming the same client with the same address source. */
function sameBoundTree(a: NameTree<BoundName>, b: NameTree<BoundName>): boolean {
  return NameTree.equals(a, b, (x, y) => x === y || (x.addr === y.addr && x.id.equals(y.id) && x.residual.equals(y.residual)));
}
