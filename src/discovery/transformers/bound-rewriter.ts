/**
 * What every transformer does to bound names: put them under `/%/<kind>[/args…]` (so
 * `/#/io.l5d.fs/hello` becomes `/%/io.l5d.port/4141/#/io.l5d.fs/hello`, a distinct client) and
 * derive their address sets from the originals, live.
 */
import type { Transformer } from '../../config/plugin.js';
import { constant, derive, type Read } from '../../naming/activity.js';
import { Addr, type Address } from '../../naming/addr.js';
import { BoundName } from '../../naming/namer.js';
import { NameTree } from '../../naming/nametree.js';
import { Path } from '../../naming/path.js';

/** `/%/<kind>/<args…>`: the id prefix of a transformer's bound names. */
export function transformerPrefix(kind: string, ...args: string[]): Path {
  return Path.of('%', kind, ...args);
}

/** Maps one address set; may `read` other activities (a resolved host), which makes it wait for them. */
export type AddrMap = (addr: Addr, read: Read) => Addr;

/**
 * Renames bound names under a prefix and, given a map, derives their address sets. The same
 * input name always yields the same output name, so ids stay stable for the client caches and
 * each name has one derived address set however often its tree is transformed.
 */
export class BoundRewriter {
  private readonly renamed = new WeakMap<BoundName, BoundName>();

  constructor(private readonly prefix: Path, private readonly mapAddr?: AddrMap) {}

  name(bound: BoundName): BoundName {
    let out = this.renamed.get(bound);
    if (!out) {
      const map = this.mapAddr;
      const addr = map ? derive((read) => map(read(bound.addr), read), Addr.equals) : bound.addr;
      out = new BoundName(this.prefix.concat(bound.id), addr, bound.residual);
      this.renamed.set(bound, out);
    }
    return out;
  }

  tree(tree: NameTree<BoundName>): NameTree<BoundName> {
    return NameTree.map(tree, (bound) => this.name(bound));
  }
}

/** A transformer that keeps the tree's shape and renames every bound name, mapping its addresses. */
export function addressTransformer(prefix: Path, mapAddr: AddrMap): Transformer {
  const rewriter = new BoundRewriter(prefix, mapAddr);
  return { transform: (tree) => constant(rewriter.tree(tree)) };
}

/**
 * Keeps the addresses `keep` accepts. A set left empty becomes Neg, as in Linkerd: requests to
 * that name fail (502) rather than fall back to another branch.
 */
export function filterAddr(addr: Addr, keep: (a: Address) => boolean): Addr {
  if (addr.type !== 'bound') return addr;
  const kept = addr.addresses.filter(keep);
  if (kept.length === 0) return Addr.neg;
  return kept.length === addr.addresses.length ? addr : Addr.bound(kept, addr.meta);
}
