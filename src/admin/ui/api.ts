/**
 * The admin server's JSON endpoints as the UI sees them. Shapes are typed loosely on purpose:
 * the UI reads what it needs and tolerates missing fields.
 */
import type { MetricsTree } from './metrics.js';

/** A router as `/config.json` shows it. */
export interface RouterConfigJson {
  readonly protocol: string;
  readonly label?: string;
  /** Dentries separated by `;` (and, in YAML block style, newlines). */
  readonly dtab?: string;
  readonly dstPrefix?: string;
  readonly servers?: readonly { readonly ip?: string; readonly port?: number }[];
}

/** A plugin block (`kind: …` plus the plugin's own keys). */
export interface PluginJson { readonly kind: string; readonly [key: string]: unknown }

/** `/config.json`: the parsed config. */
export interface ConfigJson {
  readonly routers?: readonly RouterConfigJson[];
  readonly namers?: readonly PluginJson[];
  readonly telemetry?: readonly PluginJson[];
}

/** A router's label: the configured one, else its protocol (as Linkerd names it). */
export function routerLabel(r: RouterConfigJson): string {
  return r.label ?? r.protocol;
}

/** The path the Prometheus telemeter serves, when one is configured. */
export function prometheusPath(config: ConfigJson | undefined): string | undefined {
  const t = config?.telemetry?.find((x) => x.kind === 'io.l5d.prometheus');
  if (!t) return undefined;
  return typeof t['path'] === 'string' ? t['path'] : '/admin/metrics/prometheus';
}

export type EndpointStatus = 'alive' | 'dead' | 'probing';

/** One endpoint of a bound client, as `/admin/clients.json` lists it. */
export interface EndpointJson {
  readonly addr: string;
  readonly weight: number;
  readonly pending: number;
  readonly status: EndpointStatus;
}

/** One bound client (concrete name) of a router. */
export interface ClientJson {
  readonly router: string;
  readonly id: string;
  /** `bound`, `pending`, `neg` or `failed: <cause>`. */
  readonly state: string;
  readonly endpoints: readonly EndpointJson[];
}

/** The dentry that produced a node of the explanation tree. */
export interface DentryJson { readonly prefix: string; readonly dst: string }

/** What a leaf's bound name resolved to. */
export type AddrJson =
  | { readonly type: 'bound'; readonly addrs: readonly { readonly ip: string; readonly port: number; readonly meta?: Record<string, unknown> }[]; readonly meta?: Record<string, unknown> }
  | { readonly type: 'neg' }
  | { readonly type: 'pending' }
  | { readonly type: 'failed'; readonly cause?: string };

export interface BoundJson {
  readonly id: string;
  /** The residual path. */
  readonly path: string;
  readonly addr: AddrJson;
}

interface NodeBase {
  readonly path: string;
  readonly dentry?: DentryJson | null;
  /** True on the nodes of the branch routing actually takes. */
  readonly primary?: boolean;
}

/** A node of the delegation explanation tree (`/delegator.json`), in Linkerd's shape. */
export type DelegateNode =
  | NodeBase & { readonly type: 'delegate'; readonly delegate: DelegateNode }
  | NodeBase & { readonly type: 'alt'; readonly alt: readonly DelegateNode[] }
  | NodeBase & { readonly type: 'union'; readonly union: readonly { readonly weight: number; readonly tree: DelegateNode }[] }
  | NodeBase & { readonly type: 'leaf'; readonly bound: BoundJson }
  | NodeBase & { readonly type: 'transformation'; readonly name: string; readonly bound: BoundJson; readonly tree: DelegateNode }
  | NodeBase & { readonly type: 'exception'; readonly message: string }
  | NodeBase & { readonly type: 'neg' | 'fail' | 'empty' };

/** GETs `url` and parses JSON; throws with the status and body on anything but 2xx. */
async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${(await res.text()).trim()}`);
  return (await res.json()) as T;
}

export const fetchConfig = (): Promise<ConfigJson> => getJson<ConfigJson>('/config.json');
export const fetchMetrics = (): Promise<MetricsTree> => getJson<MetricsTree>('/admin/metrics.json?tree=1');
export const fetchClients = (): Promise<ClientJson[]> => getJson<ClientJson[]>('/admin/clients.json');

/** A delegation request as the playground sends it: the whole dtab, base first. */
export interface DelegateRequest {
  readonly namespace: string;
  readonly dtab: string;
  readonly path: string;
}

/** The tree, or the server's explanation of why there is none (status and text body). */
export type DelegateResult =
  | { readonly ok: true; readonly tree: DelegateNode }
  | { readonly ok: false; readonly status: number; readonly message: string };

/** POSTs to `/delegator.json`. Network failures are reported as status 0. */
export async function delegate(req: DelegateRequest): Promise<DelegateResult> {
  let res: Response;
  try {
    res = await fetch('/delegator.json', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(req),
    });
  } catch (e) {
    return { ok: false, status: 0, message: `Could not reach the admin server: ${(e as Error).message}` };
  }
  if (!res.ok) return { ok: false, status: res.status, message: (await res.text()).trim() || res.statusText };
  return { ok: true, tree: (await res.json()) as DelegateNode };
}
