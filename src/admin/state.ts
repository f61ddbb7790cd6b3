/** State dumps of the concrete layer: Linkerd's /client_state.json and the dashboard's /admin/clients.json. */
import type { Linker } from '../linker/linker.js';
import type { ConcreteClient } from '../router/client.js';

function stateText(c: ConcreteClient): string {
  const s = c.state;
  return s.kind === 'failed' ? `failed: ${s.cause}` : s.kind;
}

export function clientStates(linker: Linker): Record<string, { state: string; addresses: string[] }> {
  const out: Record<string, { state: string; addresses: string[] }> = {};
  for (const r of linker.routers) {
    for (const c of r.router.clients()) out[c.id] = { state: stateText(c), addresses: c.nodes.map((n) => n.key) };
  }
  return out;
}

export function clientsJson(linker: Linker): unknown[] {
  return linker.routers.flatMap((r) => r.router.clients().map((c) => ({
    router: r.label,
    id: c.id,
    state: stateText(c),
    endpoints: c.nodes.map((n) => ({ addr: n.key, weight: n.weight, pending: n.pending, status: n.status() })),
  })));
}
