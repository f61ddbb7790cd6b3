/**
 * `io.l5d.replace`: every bound leaf is replaced by the binding of `path` (for example to send
 * all traffic through an egress proxy); Neg, Fail and Empty stay as they are. Ids become
 * `/%/io.l5d.replace/…` followed by the replacement's id.
 */
import { z } from 'zod';
import type { TransformerPlugin } from '../../config/plugin.js';
import { constant, derive } from '../../naming/activity.js';
import type { BoundName } from '../../naming/namer.js';
import { NameTree } from '../../naming/nametree.js';
import { lazyBinding, pathSetting } from './bound-path.js';
import { BoundRewriter, transformerPrefix } from './bound-rewriter.js';

const schema = z.strictObject({ kind: z.literal('io.l5d.replace'), path: pathSetting });

export const replaceTransformer: TransformerPlugin<z.infer<typeof schema>> = {
  kind: 'io.l5d.replace',
  schema,
  create(config, ctx) {
    const replacement = lazyBinding('io.l5d.replace', config.path, ctx);
    const rewriter = new BoundRewriter(transformerPrefix('io.l5d.replace'));
    return {
      transform(tree) {
        // A tree without leaves has nothing to replace: answer at once, without binding.
        if (!hasLeaf(tree)) return constant(tree);
        const bound = replacement();
        return derive((read) => replaceLeaves(tree, rewriter.tree(read(bound))), sameTree);
      },
    };
  },
};

/** Bound names are reused by the rewriter, so equal trees mean nothing changed for observers. */
function sameTree(a: NameTree<BoundName>, b: NameTree<BoundName>): boolean { return NameTree.equals(a, b); }

function hasLeaf(tree: NameTree<BoundName>): boolean {
  switch (tree.kind) {
    case 'leaf': return true;
    case 'alt': return tree.trees.some(hasLeaf);
    case 'union': return tree.branches.some((b) => hasLeaf(b.tree));
    default: return false;
  }
}

function replaceLeaves(tree: NameTree<BoundName>, replacement: NameTree<BoundName>): NameTree<BoundName> {
  switch (tree.kind) {
    case 'leaf': return replacement;
    case 'alt': return NameTree.alt(...tree.trees.map((t) => replaceLeaves(t, replacement)));
    case 'union': return NameTree.union(...tree.branches.map((b) => ({ weight: b.weight, tree: replaceLeaves(b.tree, replacement) })));
    default: return tree;
  }
}
