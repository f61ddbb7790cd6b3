/**
 * The `default` interpreter of a router: base dtab ++ request-local dtab, configured namers,
 * the built-in `/$/` namers (with live DNS for /$/inet), then the router's transformers.
 */
import { derive, type Activity } from '../naming/activity.js';
import type { Dtab } from '../naming/dtab.js';
import type { DelegateTree } from '../naming/delegate-tree.js';
import { NameInterpreter } from '../naming/interpreter.js';
import type { NameTree } from '../naming/nametree.js';
import type { BoundName, Namer } from '../naming/namer.js';
import type { Path } from '../naming/path.js';
import type { Transformer } from '../config/plugin.js';

export interface MountedNamer { prefix: Path; namer: Namer }

export class RouterInterpreter {
  private readonly names: NameInterpreter;
  private transformers: readonly Transformer[] = [];

  constructor(readonly baseDtab: Dtab, namers: readonly MountedNamer[], global: Namer) {
    this.names = new NameInterpreter(namers, { global });
  }

  /** Transformers need `bind` themselves (io.l5d.replace), so they are attached after construction. */
  setTransformers(transformers: readonly Transformer[]): void { this.transformers = transformers; }

  /** The live bound tree of `path` under base ++ local. */
  bind(local: Dtab, path: Path): Activity<NameTree<BoundName>> {
    const bound = this.names.bind(this.baseDtab.concat(local), path);
    if (this.transformers.length === 0) return bound;
    const transformers = this.transformers;
    return derive<NameTree<BoundName>>((read) => {
      let tree = read(bound);
      for (const t of transformers) tree = read(t.transform(tree));
      return tree;
    });
  }

  /** Binding without transformers, under exactly the given dtab (the transformers' own `bind`). */
  bindRaw(dtab: Dtab, path: Path): Activity<NameTree<BoundName>> { return this.names.bind(dtab, path); }

  /** The explanation tree for the playground and `switchyard delegate`, under exactly `dtab`. */
  delegate(dtab: Dtab, path: Path): Activity<DelegateTree> { return this.names.delegate(dtab, path); }
}
