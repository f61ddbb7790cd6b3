/**
 * `switchyard delegate`: the explanation tree of a routing decision, as an indented tree with
 * the dentry used at each step, the bound leaves with their current addresses, and the winning
 * branch marked. `--json` prints Linkerd's delegator.json shape instead.
 */
import { firstSettled } from '../naming/activity.js';
import { Dtab } from '../naming/dtab.js';
import { DtabSyntaxError } from '../naming/errors.js';
import { delegateTreeToJson, type AddrJson, type DelegateJson } from '../naming/delegate-tree.js';
import { Path } from '../naming/path.js';
import { nearest } from '../config/registry-core.js';
import { consoleLogger } from '../linker/log.js';
import { loadConfigFile } from './config-file.js';
import { syntaxError, UserError } from './io.js';

export interface DelegateOptions { config: string; router?: string; dtab: string; json?: boolean; timeout: number }

export async function delegateCommand(pathText: string, o: DelegateOptions): Promise<void> {
  const path = parseArgument(() => Path.read(pathText), JSON.stringify(pathText));
  const override = parseArgument(() => Dtab.read(o.dtab), '--dtab');
  const loaded = loadConfigFile(o.config);
  const labels = loaded.config.routers.map((r) => r.label!);
  const label = o.router ?? labels[0]!;
  if (!labels.includes(label)) {
    const near = nearest(label, labels);
    throw new UserError(`${loaded.file} has no router "${label}"${near ? ` (did you mean "${near}"?)` : ''}; its routers: ${labels.join(', ')}`);
  }
  // Loaded only now, so that a mistake in the arguments is reported without loading the data plane.
  const { Linker } = await import('../linker/linker.js');
  let linker;
  try {
    linker = Linker.create(loaded.config, { baseDir: loaded.baseDir, log: consoleLogger('error') });
  } catch (e) {
    throw new UserError(`${loaded.file}: ${(e as Error).message}`);
  }
  try {
    const router = linker.router(label)!;
    let state;
    try {
      state = await firstSettled(router.interpreter.delegate(router.interpreter.baseDtab.concat(override), path), o.timeout);
    } catch {
      throw new UserError(`delegation of ${path.show()} did not settle within ${o.timeout} ms: a namer has not answered yet (raise --timeout)`);
    }
    // firstSettled never resolves with a pending state.
    if (state.status !== 'ok') throw new UserError(`delegation of ${path.show()} failed: ${state.status === 'failed' ? state.error.message : 'pending'}`);
    const json = delegateTreeToJson(state.value);
    if (o.json) process.stdout.write(JSON.stringify(json, null, 2) + '\n');
    else process.stdout.write(renderTree(json, { router: label, override, color: useColor() }));
  } finally {
    await linker.close(0);
  }
}

/** A path or dtab given on the command line; a syntax error names the argument and points at the column. */
function parseArgument<T>(parse: () => T, where: string): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof DtabSyntaxError) throw syntaxError(where, e);
    throw e;
  }
}

/** Color only on a terminal, and never when NO_COLOR is set (no-color.org). */
function useColor(): boolean {
  return process.stdout.isTTY === true && !process.env.NO_COLOR;
}

export interface RenderOptions { router: string; override: Dtab; color: boolean }

/**
 * The tree as text: one node per line with the dentry that produced it, leaves with their bound
 * id and addresses; ★ marks the branch routing takes. A closing line says where requests go.
 */
export function renderTree(root: DelegateJson, o: RenderOptions): string {
  const paint = (code: string, s: string) => (o.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const override = o.override.size > 0 ? ` with override ${o.override.entries.map((e) => e.show().replace('=>', ' => ')).join('; ')}` : '';
  const lines: string[] = [`${root.path} in router "${o.router}"${override}`, ''];
  const walk = (n: DelegateJson, prefix: string, childPrefix: string) => {
    const plain = n.type === 'delegate' || n.type === 'alt' || n.type === 'union' || n.type === 'leaf';
    const kind = plain ? '' : paint(n.type === 'exception' || n.type === 'fail' ? '31' : '33', ` [${n.type === 'transformation' ? `transformed by ${n.name}` : n.type}]`);
    const star = n.primary ? paint('32;1', ' ★') : '';
    const dentry = n.dentry ? paint('2', `   (${n.dentry.prefix} => ${n.dentry.dst})`) : '';
    lines.push(`${prefix}${n.primary ? paint('1', n.path) : n.path}${kind}${star}${dentry}`);
    if (n.type === 'exception' && n.message) lines.push(`${childPrefix}    ${paint('31', n.message)}`);
    if (n.bound) {
      const residual = n.bound.path !== '/' ? ` residual ${n.bound.path}` : '';
      lines.push(`${childPrefix}    bound ${n.bound.id}${residual} → ${showAddr(n.bound.addr)}`);
    }
    const kids: [string, DelegateJson][] = n.delegate ? [['', n.delegate]]
      : n.alt ? n.alt.map((c) => ['', c])
      : n.union ? n.union.map((u) => [`${u.weight}× `, u.tree])
      : n.tree ? [['', n.tree]] : [];
    kids.forEach(([weight, c], i) => {
      const last = i === kids.length - 1;
      walk(c, `${childPrefix}${last ? '└─ ' : '├─ '}${weight}`, `${childPrefix}${last ? '   ' : '│  '}`);
    });
  };
  walk(root, '', '');
  lines.push('', outcome(root), '');
  return lines.join('\n');
}

/** Where requests for the root path go: the bound leaves on the ★ branch, or why nowhere. */
function outcome(root: DelegateJson): string {
  if (!root.primary) return `→ no route: nothing binds ${root.path} (every branch is negative)`;
  const leaves: DelegateJson[] = [];
  let blocked: DelegateJson | undefined;
  const visit = (n: DelegateJson) => {
    if (!n.primary) return;
    // A transformation's own bound name is what requests use; its subtree shows where it came from.
    if (n.bound) { leaves.push(n); return; }
    if (n.type === 'fail' || n.type === 'exception' || n.type === 'empty') blocked ??= n;
    for (const child of [n.delegate, n.tree, ...(n.alt ?? []), ...(n.union ?? []).map((u) => u.tree)]) if (child) visit(child);
  };
  visit(root);
  if (leaves.length === 0) {
    if (blocked?.type === 'empty') return `→ ${root.path} binds to an empty set of addresses ($)`;
    return `→ ${root.path} fails: ${blocked?.type === 'exception' ? blocked.message : 'the dtab says ! (fail)'}`;
  }
  const legend = '(★ marks the branch routing takes)';
  return [...leaves.map((l) => `→ ${l.bound!.id}: ${showAddr(l.bound!.addr)}`), legend].join('\n');
}

function showAddr(a: AddrJson): string {
  switch (a.type) {
    case 'bound': {
      if (a.addrs.length === 0) return 'no addresses';
      return a.addrs.map((x) => {
        const hostPort = x.ip.includes(':') ? `[${x.ip}]:${x.port}` : `${x.ip}:${x.port}`;
        const weight = x.meta.endpoint_addr_weight;
        return weight !== undefined ? `${hostPort} (weight ${String(weight)})` : hostPort;
      }).join(', ');
    }
    case 'failed': return `failed: ${a.cause}`;
    case 'neg': return 'no such name (neg)';
    case 'pending': return 'addresses not known yet (pending)';
  }
}
