/**
 * `io.l5d.const`: whatever the name bound to, even Neg, the answer is the binding of `path`.
 * Ids become `/%/io.l5d.const/…` followed by that binding's id.
 */
import { z } from 'zod';
import type { TransformerPlugin } from '../../config/plugin.js';
import { derive, type Activity } from '../../naming/activity.js';
import type { BoundName } from '../../naming/namer.js';
import { NameTree } from '../../naming/nametree.js';
import { lazyBinding, pathSetting } from './bound-path.js';
import { BoundRewriter, transformerPrefix } from './bound-rewriter.js';

const schema = z.strictObject({ kind: z.literal('io.l5d.const'), path: pathSetting });

export const constTransformer: TransformerPlugin<z.infer<typeof schema>> = {
  kind: 'io.l5d.const',
  schema,
  create(config, ctx) {
    const binding = lazyBinding('io.l5d.const', config.path, ctx);
    const rewriter = new BoundRewriter(transformerPrefix('io.l5d.const'));
    // One answer for every tree, so one derived activity serves them all.
    let answer: Activity<NameTree<BoundName>> | undefined;
    return {
      transform() {
        const bound = binding();
        return (answer ??= derive((read) => rewriter.tree(read(bound)), (a, b) => NameTree.equals(a, b)));
      },
    };
  },
};
