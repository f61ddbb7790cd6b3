/**
 * The delegation explanation tree as an indented outline. Every node shows its type, its path
 * and the dentry that produced it; leaves show what their bound name resolved to. The branch
 * routing takes (`primary`) is highlighted and the others dimmed.
 */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import type { AddrJson, BoundJson, DelegateNode, DentryJson } from './api.js';

/** A union branch's weight and its share of the union's total weight. */
interface Share { readonly weight: number; readonly share: number }

/** The children of a node with, for union branches, their share of the traffic. */
function children(node: DelegateNode): { tree: DelegateNode; share?: Share }[] {
  switch (node.type) {
    case 'delegate': return node.delegate ? [{ tree: node.delegate }] : [];
    case 'alt': return (node.alt ?? []).map((tree) => ({ tree }));
    case 'union': {
      const branches = node.union ?? [];
      const total = branches.reduce((n, b) => n + b.weight, 0);
      return branches.map((b) => ({ tree: b.tree, share: { weight: b.weight, share: total > 0 ? b.weight / total : 0 } }));
    }
    case 'transformation': return node.tree ? [{ tree: node.tree }] : [];
    default: return [];
  }
}

/** Every node of the tree, depth first. */
function nodesOf(root: DelegateNode): DelegateNode[] {
  const out: DelegateNode[] = [];
  const visit = (n: DelegateNode): void => { out.push(n); for (const c of children(n)) visit(c.tree); };
  visit(root);
  return out;
}

/** The leaves routing takes: the primary leaves (several under a union). */
export function primaryLeaves(root: DelegateNode): (DelegateNode & { type: 'leaf' })[] {
  return nodesOf(root).filter((n): n is DelegateNode & { type: 'leaf' } => n.type === 'leaf' && n.primary === true);
}

/** The dentries that fired along the primary branch, as `prefix=>dst` keys. */
export function primaryDentries(root: DelegateNode): Set<string> {
  return new Set(nodesOf(root).filter((n) => n.primary && n.dentry).map((n) => dentryKey(n.dentry!)));
}

export function dentryKey(d: DentryJson): string {
  return `${d.prefix}=>${d.dst}`;
}

const TYPE_LABEL: Record<string, string> = {
  delegate: 'delegate', alt: 'alt', union: 'union', leaf: 'leaf', neg: 'neg', fail: 'fail',
  empty: 'empty', exception: 'error', transformation: 'transform',
};

const TYPE_HINT: Record<string, string> = {
  delegate: 'rewritten by a dentry',
  alt: 'alternatives: the first branch that binds wins',
  union: 'traffic is split across branches by weight',
  neg: 'no dentry or namer knows this name',
  fail: 'delegation fails here (!)',
  empty: 'bound, but to nothing ($)',
};

function formatShare({ share }: Share): string {
  const percent = share * 100;
  return `${Number.isInteger(percent) || percent >= 10 ? Math.round(percent) : percent.toFixed(1)}%`;
}

function Addr({ addr }: { addr: AddrJson | undefined }): VNode {
  switch (addr?.type) {
    case 'bound':
      return addr.addrs.length === 0
        ? html`<span class="addr-state neg">no endpoints</span>`
        : html`<span class="addrs">${addr.addrs.map((a) => html`<span class="chip mono" data-testid="tree-addr">${a.ip}:${a.port}</span>`)}</span>`;
    case 'neg': return html`<span class="addr-state neg">negative: the namer has no such name</span>`;
    case 'pending': return html`<span class="addr-state pending">resolving…</span>`;
    case 'failed': return html`<span class="addr-state failed">failed${addr.cause ? `: ${addr.cause}` : ''}</span>`;
    default: return html`<span class="addr-state">unknown</span>`;
  }
}

function Bound({ bound }: { bound: BoundJson }): VNode {
  return html`<dl class="bound">
    <dt>bound id</dt><dd class="mono" data-testid="tree-bound-id">${bound.id}</dd>
    <dt>residual</dt><dd class="mono">${bound.path || '/'}</dd>
    <dt>addresses</dt><dd><${Addr} addr=${bound.addr} /></dd>
  </dl>`;
}

interface NodeProps {
  readonly node: DelegateNode;
  readonly share?: Share | undefined;
  /** Whether the tree marks a winning branch at all; without one nothing is dimmed. */
  readonly hasPrimary: boolean;
  /** `prefix=>dst` keys of the dentries the user's override added, tagged as such. */
  readonly overrides: ReadonlySet<string>;
}

function Node({ node, share, hasPrimary, overrides }: NodeProps): VNode {
  const primary = node.primary === true;
  const cls = ['node', `type-${node.type}`, primary ? 'primary' : hasPrimary ? 'dim' : ''].join(' ');
  const kids = children(node);
  return html`<li class=${cls} data-testid="tree-node" data-type=${node.type} data-path=${node.path} data-primary=${String(primary)}>
    <div class="node-row">
      <span class="node-type" title=${TYPE_HINT[node.type]}>${TYPE_LABEL[node.type] ?? node.type}</span>
      ${share ? html`<span class="weight" data-testid="tree-share" title=${`union weight ${share.weight}`}>${formatShare(share)}</span>` : null}
      <span class="mono node-path">${node.path}</span>
      ${node.dentry ? html`<span class="dentry mono" data-testid="tree-dentry"><span class="via">via</span> ${node.dentry.prefix} <span class="arrow">=></span> ${node.dentry.dst}</span>` : null}
      ${node.dentry && overrides.has(dentryKey(node.dentry)) ? html`<span class="origin" data-testid="tree-override" title="This dentry comes from your override">override</span>` : null}
    </div>
    ${node.type === 'leaf' || node.type === 'transformation' ? html`<${Bound} bound=${node.bound} />` : null}
    ${node.type === 'transformation' ? html`<p class="node-note">transformed by <span class="mono">${node.name}</span></p>` : null}
    ${node.type === 'exception' ? html`<p class="node-note failed">${node.message}</p>` : null}
    ${kids.length > 0
      ? html`<ul class="children">${kids.map((c) => html`<${Node} node=${c.tree} share=${c.share} hasPrimary=${hasPrimary} overrides=${overrides} />`)}</ul>`
      : null}
  </li>`;
}

export function DelegateTreeView({ tree, overrides }: { tree: DelegateNode; overrides: ReadonlySet<string> }): VNode {
  const hasPrimary = nodesOf(tree).some((n) => n.primary === true);
  return html`<ul class="tree" data-testid="delegate-tree"><${Node} node=${tree} hasPrimary=${hasPrimary} overrides=${overrides} /></ul>`;
}
