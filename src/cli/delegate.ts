/**
 * `switchyard delegate`: the explanation tree of a routing decision, as an indented tree with
 * the dentry used at each step, the bound leaves with their current addresses, and the winning
 * branch marked. `--json` prints Linkerd's delegator.json shape instead.
 */
import { firstSettled } from '../naming/activity.js';
import { Dtab } from '../naming/dtab.js';
import { DtabSyntaxError } from '../naming/errors.js';
import { delegateTreeToJson, type DelegateJson } from '../naming/delegate-tree.js';
import { Path } from '../naming/path.js';
import { readConfig } from '../config/read.js';
import { ConfigError } from '../config/errors.js';
import { Linker } from '../linker/linker.js';
import { consoleLogger } from '../linker/log.js';
import { UserError } from './io.js';

export interface DelegateOptions { config: string; router?: string; dtab: string; json?: boolean; timeout: string }

export async function delegateCommand(pathText: string, o: DelegateOptions): Promise<void> {
  let path: Path, override: Dtab;
  try { path = Path.read(pathText); } catch (e) { throw new UserError(`Invalid path "${pathText}": ${(e as Error).message}`); }
  try { override = Dtab.read(o.dtab); } catch (e) {
    if (e instanceof DtabSyntaxError) throw new UserError(`Invalid --dtab: ${e.message}\n  ${o.dtab}\n  ${' '.repeat(e.column - 1)}^`);
    throw e;
  }
  let linker: Linker;
  try {
    const loaded = readConfig(o.config);
    linker = Linker.create(loaded.config, { baseDir: loaded.baseDir, log: consoleLogger('error') });
  } catch (e) {
    throw new UserError(e instanceof ConfigError ? e.message : (e as Error).message);
  }
  try {
    const router = o.router ? linker.router(o.router) : linker.routers[0];
    if (!router) throw new UserError(`No router "${o.router}" in ${o.config}; routers: ${linker.routers.map((r) => r.label).join(', ')}`);
    const dtab = router.interpreter.baseDtab.concat(override);
    let state;
    try {
      state = await firstSettled(router.interpreter.delegate(dtab, path), Number(o.timeout));
    } catch {
      throw new UserError(`Delegation of ${path.show()} did not settle within ${o.timeout} ms (a namer is still pending)`, 1);
    }
    if (state.status !== 'ok') throw new UserError(`Delegation of ${path.show()} failed: ${state.status === 'failed' ? state.error.message : 'pending'}`);
    const json = delegateTreeToJson(state.value);
    if (o.json) process.stdout.write(JSON.stringify(json, null, 2) + '\n');
    else process.stdout.write(renderTree(json, router.label, override.size > 0 ? override.show() : undefined, process.stdout.isTTY === true));
  } finally {
    await linker.close(0);
  }
}

/** The tree as text: one node per line, the dentry that produced it, leaves with addresses; ★ marks the winning branch. */
export function renderTree(root: DelegateJson, router: string, override: string | undefined, color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [`router ${router}${override ? `, override ${override}` : ''}`, ''];
  const walk = (n: DelegateJson, prefix: string, childPrefix: string) => {
    const star = n.primary ? paint('32;1', ' ★') : '';
    const label = n.type === 'delegate' || n.type === 'alt' || n.type === 'union' || n.type === 'leaf' ? '' : paint(n.type === 'exception' || n.type === 'fail' ? '31' : '33', ` [${n.type}]`);
    const dentry = n.dentry ? paint('2', `   (${n.dentry.prefix} => ${n.dentry.dst})`) : '';
    const path = n.primary ? paint('1', n.path) : n.path;
    lines.push(`${prefix}${path}${label}${star}${dentry}`);
    if (n.type === 'exception' && n.message) lines.push(`${childPrefix}    ${paint('31', n.message)}`);
    if (n.bound) {
      const a = n.bound.addr;
      const addrs = a.type === 'bound' ? (a.addrs.length ? a.addrs.map((x) => `${x.ip}:${x.port}`).join(', ') : 'no addresses') : a.type === 'failed' ? `failed: ${a.cause}` : a.type;
      lines.push(`${childPrefix}    bound ${n.bound.id}${n.bound.path !== '/' ? ` residual ${n.bound.path}` : ''} → ${addrs}`);
    }
    const kids: [string, DelegateJson][] = n.delegate ? [['', n.delegate]] : n.alt ? n.alt.map((c) => ['', c]) : n.union ? n.union.map((u) => [`${u.weight}× `, u.tree]) : n.tree ? [['', n.tree]] : [];
    kids.forEach(([w, c], i) => {
      const last = i === kids.length - 1;
      walk(c, `${childPrefix}${last ? '└─ ' : '├─ '}${w}`, `${childPrefix}${last ? '   ' : '│  '}`);
    });
  };
  walk(root, '', '');
  return lines.join('\n') + '\n';
}
