/**
 * The delegation-explanation tree (Linkerd's DelegateTree, §11): how a path was rewritten,
 * step by step, with the dentry behind every step. Rendered as Linkerd's `/delegator.json`.
 */
import type { State } from './activity.js';
import type { Addr, Address } from './addr.js';
import type { Dentry } from './dtab.js';
import { NameTree } from './nametree.js';
import type { BoundName } from './namer.js';
import { Path } from './path.js';

/**
 * One node. `path` is the path the node talks about and `dentry` the dentry that produced it
 * (null for the root). Leaves hold `T`: a bound name once the explanation is complete.
 */
export type DelegateTree<T = BoundName> =
  | NodeOf<'delegate', { readonly tree: DelegateTree<T> }>
  | NodeOf<'alt', { readonly trees: readonly DelegateTree<T>[] }>
  | NodeOf<'union', { readonly branches: readonly DelegateWeighted<T>[] }>
  | NodeOf<'leaf', { readonly value: T }>
  | NodeOf<'transformation', { readonly name: string; readonly value: T; readonly tree: DelegateTree<T> }>
  | NodeOf<'neg' | 'fail' | 'empty', object>
  | NodeOf<'exception', { readonly error: Error }>;

type NodeOf<K extends string, Extra> = { readonly kind: K; readonly path: Path; readonly dentry: Dentry | null } & Extra;

export interface DelegateWeighted<T = BoundName> { readonly weight: number; readonly tree: DelegateTree<T> }

/**
 * Linkerd's simplification, applied once at the end (§11.3): a Delegate whose child is about
 * the same path collapses into the child (taking its dentry), one-child Alts and Unions become
 * Delegates, and an Alt absorbs child Alts about its own path. Neg children are kept.
 */
export function simplifyDelegateTree<T>(tree: DelegateTree<T>): DelegateTree<T> {
  switch (tree.kind) {
    case 'delegate': {
      const child = simplifyDelegateTree(tree.tree);
      const terminal = child.kind === 'neg' || child.kind === 'fail' || child.kind === 'empty';
      return !terminal && child.path.equals(tree.path) ? withDentry(child, tree.dentry) : { ...tree, tree: child };
    }
    case 'alt': {
      if (tree.trees.length === 0) return { kind: 'neg', path: tree.path, dentry: tree.dentry };
      if (tree.trees.length === 1) return simplifyDelegateTree({ kind: 'delegate', path: tree.path, dentry: tree.dentry, tree: tree.trees[0]! });
      const trees: DelegateTree<T>[] = [];
      for (const child of tree.trees) {
        const s = simplifyDelegateTree(child);
        if (s.kind === 'alt' && s.path.equals(tree.path)) trees.push(...s.trees);
        else trees.push(s);
      }
      return { ...tree, trees };
    }
    case 'union': {
      if (tree.branches.length === 0) return { kind: 'neg', path: tree.path, dentry: tree.dentry };
      if (tree.branches.length === 1) return simplifyDelegateTree({ kind: 'delegate', path: tree.path, dentry: tree.dentry, tree: tree.branches[0]!.tree });
      return { ...tree, branches: tree.branches.map((b) => ({ weight: b.weight, tree: simplifyDelegateTree(b.tree) })) };
    }
    default:
      return tree;
  }
}

function withDentry<T>(tree: DelegateTree<T>, dentry: Dentry | null): DelegateTree<T> {
  return tree.kind === 'transformation' ? tree : { ...tree, dentry };
}

// ---- JSON, as Linkerd's DelegateApiHandler writes it ----

export interface DentryJson { readonly prefix: string; readonly dst: string }

export interface AddressJson { readonly ip: string; readonly port: number; readonly meta: Readonly<Record<string, unknown>> }

export type AddrJson =
  | { readonly type: 'bound'; readonly addrs: readonly AddressJson[]; readonly meta: Readonly<Record<string, unknown>> }
  | { readonly type: 'neg' }
  | { readonly type: 'pending' }
  | { readonly type: 'failed'; readonly cause: string };

export interface BoundJson { readonly addr: AddrJson; readonly id: string; /** The residual. */ readonly path: string }

export interface DelegateJson {
  readonly type: DelegateTree['kind'];
  readonly path: string;
  readonly dentry?: DentryJson;
  readonly delegate?: DelegateJson;
  readonly alt?: readonly DelegateJson[];
  readonly union?: readonly { readonly weight: number; readonly tree: DelegateJson }[];
  readonly bound?: BoundJson;
  readonly message?: string;
  readonly name?: string;
  readonly tree?: DelegateJson;
  /** On the branch binding takes (an addition to Linkerd's format, for highlighting). */
  readonly primary?: true;
}

export interface DelegateJsonOptions {
  /** Mark the nodes binding actually uses with `primary: true` (default true). */
  readonly markPrimary?: boolean;
}

/** What binding makes of a subtree: which way it goes, used to find the primary branch. */
type Outcome = 'bound' | 'empty' | 'neg' | 'fail' | 'error';

const FAIL_PREFIX = Path.fromLabels(['$', 'fail']);

/**
 * The `/delegator.json` rendering (§11.4): `type`, `path`, `dentry` (absent for the root), then
 * the node's own fields; leaves carry `bound.addr` from the bound name's current address set.
 */
export function delegateTreeToJson(tree: DelegateTree, opts: DelegateJsonOptions = {}): DelegateJson {
  const outcomes = new Map<DelegateJson, Outcome>();
  const json = render(tree, outcomes);
  if (opts.markPrimary ?? true) return outcomes.get(json) === 'neg' ? json : markPrimary(json, outcomes);
  return json;
}

function render(tree: DelegateTree, outcomes: Map<DelegateJson, Outcome>): DelegateJson {
  const base = { type: tree.kind, path: showNodePath(tree), ...dentryJson(tree.dentry) };
  let json: DelegateJson;
  let outcome: Outcome;
  switch (tree.kind) {
    case 'delegate': {
      json = { ...base, delegate: render(tree.tree, outcomes) };
      outcome = outcomes.get(json.delegate!)!;
      break;
    }
    case 'alt': {
      const alt = tree.trees.map((t) => render(t, outcomes));
      json = { ...base, alt };
      outcome = alt.map((a) => outcomes.get(a)!).find((o) => o !== 'neg') ?? 'neg';
      break;
    }
    case 'union': {
      const union = tree.branches.map((b) => ({ weight: b.weight, tree: render(b.tree, outcomes) }));
      json = { ...base, union };
      outcome = unionOutcome(union.map((u) => outcomes.get(u.tree)!));
      break;
    }
    case 'leaf':
      json = { ...base, bound: boundJson(tree.value) };
      outcome = 'bound';
      break;
    case 'transformation': {
      const child = render(tree.tree, outcomes);
      json = { type: tree.kind, path: tree.path.show(), name: tree.name, bound: boundJson(tree.value), tree: child };
      outcome = outcomes.get(child)!;
      break;
    }
    case 'exception':
      json = { ...base, message: tree.error.message };
      outcome = 'error';
      break;
    default:
      json = base;
      outcome = tree.kind;
  }
  outcomes.set(json, outcome);
  return json;
}

/** A union keeps its bound and empty branches; with none it is the first error, else Neg. */
function unionOutcome(children: readonly Outcome[]): Outcome {
  if (children.includes('bound')) return 'bound';
  if (children.includes('empty')) return 'empty';
  return children.includes('error') ? 'error' : 'neg';
}

function markPrimary(json: DelegateJson, outcomes: ReadonlyMap<DelegateJson, Outcome>): DelegateJson {
  const taken = (j: DelegateJson): boolean => { const o = outcomes.get(j); return o === 'bound' || o === 'empty'; };
  const marked: { -readonly [K in keyof DelegateJson]: DelegateJson[K] } = { ...json, primary: true };
  if (json.delegate) marked.delegate = markPrimary(json.delegate, outcomes);
  if (json.tree) marked.tree = markPrimary(json.tree, outcomes);
  if (json.alt) {
    const winner = json.alt.find((a) => outcomes.get(a) !== 'neg');
    marked.alt = json.alt.map((a) => (a === winner ? markPrimary(a, outcomes) : a));
  }
  if (json.union) marked.union = json.union.map((u) => (taken(u.tree) ? { weight: u.weight, tree: markPrimary(u.tree, outcomes) } : u));
  return marked;
}

/** Neg about the empty path shows `~`; Fail shows `!` unless it is a `/$/fail` path. */
function showNodePath(tree: DelegateTree): string {
  if (tree.kind === 'neg' && tree.path.size === 0) return '~';
  if (tree.kind === 'fail' && !tree.path.startsWith(FAIL_PREFIX)) return '!';
  return tree.path.show();
}

/** Linkerd omits the no-op dentry; Finagle's `Dentry.nop` is `/\x2f=>~` (by simplified equality). */
function dentryJson(dentry: Dentry | null): { dentry?: DentryJson } {
  if (dentry === null) return {};
  const nop = dentry.prefix.size === 1 && dentry.prefix.elems[0] === '/' && NameTree.simplify(dentry.dst).kind === 'neg';
  return nop ? {} : { dentry: { prefix: dentry.prefix.show(), dst: NameTree.show(dentry.dst) } };
}

function boundJson(bound: BoundName): BoundJson {
  return { addr: addrJson(bound.addr.current()), id: bound.id.show(), path: bound.residual.show() };
}

function addrJson(state: State<Addr>): AddrJson {
  if (state.status === 'pending') return { type: 'pending' };
  if (state.status === 'failed') return { type: 'failed', cause: state.error.message };
  const addr = state.value;
  switch (addr.type) {
    case 'bound': return { type: 'bound', addrs: addr.addresses.map(addressJson), meta: addr.meta ?? {} };
    case 'failed': return { type: 'failed', cause: addr.cause };
    default: return { type: addr.type };
  }
}

/** A weight other than 1 travels in the metadata, under Finagle's `endpoint_addr_weight` key. */
function addressJson(a: Address): AddressJson {
  const meta = a.weight === 1 ? a.meta ?? {} : { ...a.meta, endpoint_addr_weight: a.weight };
  return { ip: a.host, port: a.port, meta };
}
