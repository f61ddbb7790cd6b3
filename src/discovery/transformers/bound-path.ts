/** The `path` setting of io.l5d.replace and io.l5d.const: a path bound under the router's dtab. */
import { z } from 'zod';
import type { PluginContext } from '../../config/plugin.js';
import type { Activity } from '../../naming/activity.js';
import type { BoundName } from '../../naming/namer.js';
import type { NameTree } from '../../naming/nametree.js';
import { Path } from '../../naming/path.js';
import { errorMessage } from '../errors.js';

/** A path in dtab syntax (`/svc/fallback`), checked when the config is loaded. */
export const pathSetting = z.string().superRefine((text, check) => {
  try {
    Path.read(text);
  } catch (e) {
    check.addIssue({ code: 'custom', message: `not a path: ${errorMessage(e)}` });
  }
});

/**
 * The binding of `pathText`, made on first use (the router's binder is complete only once every
 * plugin exists) and then shared by every tree the transformer sees.
 */
export function lazyBinding(kind: string, pathText: string, ctx: PluginContext): () => Activity<NameTree<BoundName>> {
  const bind = ctx.bind;
  if (!bind) throw new Error(`${kind} binds its path under a router's dtab, so it can only be used in a router's interpreter`);
  const path = Path.read(pathText);
  let bound: Activity<NameTree<BoundName>> | undefined;
  return () => (bound ??= bind(path));
}
