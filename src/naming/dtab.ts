/** Delegation tables: Prefix (dentry left-hand side), Dentry, Dtab and its lookup (§4, §6, §7). */
import { showLabel } from './bytes.js';
import { NameTree } from './nametree.js';
import { parseDentry, parseDtab, parsePrefix } from './parser.js';
import { Path } from './path.js';

const ANY: unique symbol = Symbol('*');

/** A prefix element: a byte-string label, or the wildcard `*` (matches any one label). */
export type PrefixElem = string | typeof ANY;

/** The left-hand side of a dentry: labels and `*` wildcards, matched label-wise (§4). */
export class Prefix {
  /** The wildcard element `*`. */
  static readonly ANY: typeof ANY = ANY;
  /** `/`: matches every path. */
  static readonly empty: Prefix = new Prefix([]);

  private shown: string | undefined;

  constructor(readonly elems: readonly PrefixElem[]) {}

  /** Parses prefix syntax (`/svc/*`); throws DtabSyntaxError. */
  static read(text: string): Prefix { return parsePrefix(text); }

  get size(): number { return this.elems.length; }

  /**
   * The residual of `path` after this prefix, or null when it does not match. `*` matches
   * exactly one label and is consumed, not substituted (`/http/*` on `/http/GET/web` → `/web`).
   */
  match(path: Path): Path | null {
    const n = this.elems.length;
    if (n > path.labels.length) return null;
    for (let i = 0; i < n; i++) {
      const e = this.elems[i];
      if (e !== ANY && e !== path.labels[i]) return null;
    }
    return path.drop(n);
  }

  show(): string {
    this.shown ??= '/' + this.elems.map((e) => (e === ANY ? '*' : showLabel(e))).join('/');
    return this.shown;
  }

  toString(): string { return this.show(); }
}

/** One delegation rule: paths starting with `prefix` are rewritten into `dst` (plus residual). */
export class Dentry {
  private shown: string | undefined;

  constructor(readonly prefix: Prefix, readonly dst: NameTree<Path>) {}

  /** Parses one dentry (`/svc=>/#/io.l5d.fs`); throws DtabSyntaxError. */
  static read(text: string): Dentry { return parseDentry(text); }

  /** `prefix=>tree` in canonical form. */
  show(): string {
    this.shown ??= `${this.prefix.show()}=>${NameTree.show(this.dst)}`;
    return this.shown;
  }

  toString(): string { return this.show(); }
}

/** A dentry that matched a path, with what remained of the path after its prefix. */
export interface DentryMatch { readonly dentry: Dentry; readonly residual: Path }

/** Concatenations keep their operands' indexes up to this many parts, then index afresh. */
const MAX_PARTS = 8;

/**
 * An ordered list of dentries. Later entries are consulted first; earlier matching entries
 * remain as fallback alternatives (§6.3, §7).
 */
export class Dtab {
  static readonly empty: Dtab = new Dtab([]);

  /** The number of dentries. */
  readonly size: number;
  private flat: readonly Dentry[] | undefined;
  private index: DentryIndex | undefined;
  private shown: string | undefined;

  /**
   * A concatenation keeps its operands (`parts`), each with its own index, so that
   * `base ++ override` neither copies nor re-indexes a large base dtab for every new override.
   */
  private constructor(entries: readonly Dentry[] | undefined, private readonly parts?: readonly Dtab[]) {
    this.flat = entries;
    this.size = entries ? entries.length : parts!.reduce((n, p) => n + p.size, 0);
  }

  /** The dentries, in order. */
  get entries(): readonly Dentry[] {
    this.flat ??= this.parts!.flatMap((p) => p.entries);
    return this.flat;
  }

  /** A dtab of the given entries, in order. */
  static of(entries: readonly Dentry[]): Dtab { return entries.length === 0 ? Dtab.empty : new Dtab(entries.slice()); }

  /** Parses dtab syntax (`/svc=>/#/io.l5d.fs;/svc/web=>/$/inet/127.0.0.1/8080`); throws DtabSyntaxError. */
  static read(text: string): Dtab { return parseDtab(text); }

  /** This dtab's entries followed by `other`'s (whose entries then take precedence). */
  concat(other: Dtab): Dtab {
    if (other.size === 0) return this;
    if (this.size === 0) return other;
    const parts = [...(this.parts ?? [this]), ...(other.parts ?? [other])];
    return parts.length > MAX_PARTS ? new Dtab(parts.flatMap((p) => p.entries)) : new Dtab(undefined, parts);
  }

  /** `prefix=>tree` entries joined by `;`; the empty dtab shows as the empty string. */
  show(): string {
    this.shown ??= (this.parts ?? this.entries).map((x) => x.show()).join(';');
    return this.shown;
  }

  toString(): string { return this.show(); }

  /**
   * One rewriting step (§7): every matching dentry, last first, its destination with the
   * residual appended to each leaf. No match → Neg; one → that tree; several → an Alt of them
   * (not simplified, not flattened).
   */
  lookup(path: Path): NameTree<Path> {
    let first: NameTree<Path> | undefined;
    let all: NameTree<Path>[] | undefined;
    this.visit(path, (dentry, residual) => {
      const tree = residual.size === 0 ? dentry.dst : NameTree.map(dentry.dst, (p) => p.concat(residual));
      if (first === undefined) first = tree;
      else (all ??= [first]).push(tree);
    });
    return all ? { kind: 'alt', trees: all } : first ?? NameTree.neg;
  }

  /** The dentries matching `path`, last first, with their residuals (for explanations). */
  matches(path: Path): DentryMatch[] {
    const out: DentryMatch[] = [];
    this.visit(path, (dentry, residual) => { out.push({ dentry, residual }); });
    return out;
  }

  private visit(path: Path, fn: (dentry: Dentry, residual: Path) => void): void {
    if (this.parts) {
      for (let i = this.parts.length - 1; i >= 0; i--) this.parts[i]!.visit(path, fn);
      return;
    }
    this.index ??= new DentryIndex(this.entries);
    this.index.visit(path, fn);
  }
}

const NONE: readonly number[] = [];

/**
 * Dentries bucketed by their first prefix label, with the ones that can match any first label
 * (empty prefix, leading `*`) kept apart; a lookup merges the two candidate lists from the end,
 * so the cost depends on the candidates, not on the size of the dtab.
 */
class DentryIndex {
  private readonly byFirst = new Map<string, number[]>();
  private readonly anyFirst: number[] = [];

  constructor(private readonly entries: readonly Dentry[]) {
    entries.forEach((d, i) => {
      const first = d.prefix.elems[0];
      if (first === undefined || first === ANY) { this.anyFirst.push(i); return; }
      const bucket = this.byFirst.get(first);
      if (bucket) bucket.push(i);
      else this.byFirst.set(first, [i]);
    });
  }

  visit(path: Path, fn: (dentry: Dentry, residual: Path) => void): void {
    const named = path.labels.length > 0 ? this.byFirst.get(path.labels[0]!) ?? NONE : NONE;
    const any = this.anyFirst;
    let i = named.length - 1;
    let j = any.length - 1;
    while (i >= 0 || j >= 0) {
      const k = j < 0 || (i >= 0 && named[i]! > any[j]!) ? named[i--]! : any[j--]!;
      const dentry = this.entries[k]!;
      const residual = dentry.prefix.match(path);
      if (residual) fn(dentry, residual);
    }
  }
}
