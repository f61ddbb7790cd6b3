/** The namer model of dtab-vectors.json (`format.namer_model`) and helpers to print outcomes. */
import { constant, type Activity } from '../../src/naming/activity.js';
import { Addr } from '../../src/naming/addr.js';
import { NamingError } from '../../src/naming/errors.js';
import { NameInterpreter } from '../../src/naming/interpreter.js';
import { NameTree } from '../../src/naming/nametree.js';
import { BoundName, type Name, type Namer } from '../../src/naming/namer.js';
import { Path } from '../../src/naming/path.js';

export const HASH = Path.read('/#');

/**
 * The idealised configured namer mounted at `/#`: binds `/#/<x>…` as a whole (id = the whole
 * path, residual empty) unless a path in `absent` is a label-wise prefix of it.
 */
export function vectorNamer(absent: readonly string[] = []): Namer {
  const missing = absent.map((a) => Path.read(a));
  return {
    lookup(rest: Path): Activity<NameTree<Name>> {
      const full = HASH.concat(rest);
      if (rest.size === 0 || missing.some((m) => full.startsWith(m))) return constant(NameTree.neg);
      return constant(NameTree.leaf(new BoundName(full, constant(Addr.bound([])), Path.empty)));
    },
  };
}

export function vectorInterpreter(absent?: readonly string[]): NameInterpreter {
  return new NameInterpreter([{ prefix: HASH, namer: vectorNamer(absent) }]);
}

/** A bound tree as the vectors write it: each leaf as its id followed by its residual. */
export function showBound(tree: NameTree<BoundName>): string {
  return NameTree.show(tree, (b) => b.path.show());
}

/** `error:depth` / `error:namer` for naming errors. */
export function errorCategory(e: Error): string {
  return e instanceof NamingError ? `error:${e.kind}` : `error:unexpected ${e.name}: ${e.message}`;
}

/** The current state of a bound-tree activity, printed as the vectors print it. */
export function outcome(a: Activity<NameTree<BoundName>>): string {
  const s = a.current();
  if (s.status === 'pending') return 'pending';
  return s.status === 'ok' ? showBound(s.value) : errorCategory(s.error);
}
