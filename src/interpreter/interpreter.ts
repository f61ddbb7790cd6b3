/**
 * The `default` interpreter of a router: base dtab ++ request-local dtab, configured namers,
 * the built-in `/$/` namers (with live DNS for /$/inet), then the router's transformers.
 */
import { derive, type Activity } from '../naming/activity.js';
import type { Dtab } from '../naming/dtab.js';
import type { DelegateTree } from '../naming/delegate-tree.js';
import { NameInterpreter } from '../naming/interpreter.js';
import { NameTree } from '../naming/nametree.js';
import type { BoundName, Namer } from '../naming/namer.js';
import { Path } from '../naming/path.js';
import type { Transformer } from '../config/plugin.js';

export interface MountedNamer { prefix: Path; namer: Namer }
export interface NamedTransformer { kind: string; transformer: Transformer }

export class RouterInterpreter {
  private readonly names: NameInterpreter;
  private transformers: readonly NamedTransformer[] = [];

  constructor(readonly baseDtab: Dtab, namers: readonly MountedNamer[], global: Namer) {
    this.names = new NameInterpreter(namers, { global });
  }

  /** Transformers need `bind` themselves (io.l5d.replace), so they are attached after construction. */
  setTransformers(transformers: readonly NamedTransformer[]): void { this.transformers = transformers; }

  /** The live bound tree of `path` under base ++ local. */
  bind(local: Dtab, path: Path): Activity<NameTree<BoundName>> {
    const bound = this.names.bind(this.baseDtab.concat(local), path);
    if (this.transformers.length === 0) return bound;
    const transformers = this.transformers;
    return derive<NameTree<BoundName>>((read) => {
      let tree = read(bound);
      for (const t of transformers) tree = read(t.transformer.transform(tree));
      return tree;
    });
  }

  /** Binding without transformers, under exactly the given dtab (the transformers' own `bind`). */
  bindRaw(dtab: Dtab, path: Path): Activity<NameTree<BoundName>> { return this.names.bind(dtab, path); }

  /**
   * The explanation tree for the playground and `switchyard delegate`, under exactly `dtab`.
   * Each bound leaf shows the router's transformers as `transformation` nodes, as Linkerd does.
   */
  delegate(dtab: Dtab, path: Path): Activity<DelegateTree> {
    const explained = this.names.delegate(dtab, path);
    if (this.transformers.length === 0) return explained;
    const transformers = this.transformers;
    return derive<DelegateTree>((read) => withTransformations(read(explained), (leaf) => {
      // Linkerd's shape: a transformation node holds the transformed name; its child is what it transformed.
      let node: DelegateTree = leaf;
      let bound = leaf.value;
      for (const t of transformers) {
        const out = read(t.transformer.transform(NameTree.leaf(bound)));
        if (out.kind !== 'leaf') return fromNameTree(out, leaf);
        bound = out.value;
        node = { kind: 'transformation', path: leaf.path, dentry: leaf.dentry, name: t.kind, value: bound, tree: node };
      }
      return node;
    }));
  }
}

type LeafNode = Extract<DelegateTree, { kind: 'leaf' }>;

/** Replaces every bound leaf by what `transform` makes of it. */
function withTransformations(tree: DelegateTree, transform: (leaf: LeafNode) => DelegateTree): DelegateTree {
  switch (tree.kind) {
    case 'leaf': return transform(tree);
    case 'delegate': return { ...tree, tree: withTransformations(tree.tree, transform) };
    case 'alt': return { ...tree, trees: tree.trees.map((t) => withTransformations(t, transform)) };
    case 'union': return { ...tree, branches: tree.branches.map((b) => ({ weight: b.weight, tree: withTransformations(b.tree, transform) })) };
    default: return tree;
  }
}

/** A transformer's answer that is not a single name (rare: Neg, a union) as explanation nodes at the leaf's place. */
function fromNameTree(t: NameTree<BoundName>, at: LeafNode): DelegateTree {
  const where = { path: at.path, dentry: at.dentry };
  switch (t.kind) {
    case 'leaf': return { kind: 'leaf', ...where, value: t.value };
    case 'alt': return { kind: 'alt', ...where, trees: t.trees.map((x) => fromNameTree(x, at)) };
    case 'union': return { kind: 'union', ...where, branches: t.branches.map((b) => ({ weight: b.weight, tree: fromNameTree(b.tree, at) })) };
    default: return { kind: t.kind, ...where };
  }
}
