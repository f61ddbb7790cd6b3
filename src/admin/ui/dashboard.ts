/**
 * The overview page: per router, the big numbers, live charts of the last five minutes, the
 * bound clients with their endpoints' health, and the logical names with their traffic.
 * Polls `/admin/metrics.json?tree=1` and `/admin/clients.json` once a second.
 */
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { VNode } from 'preact';
import {
  fetchClients, fetchConfig, fetchMetrics, prometheusPath, routerLabel,
  type ClientJson, type ConfigJson, type RouterConfigJson,
} from './api.js';
import { Chart } from './chart.js';
import { ClientCard } from './clients.js';
import { formatCount, formatMs, formatPercent, formatRate, UNKNOWN } from './format.js';
import { Header } from './header.js';
import { scopeAt } from './metrics.js';
import { RouterTraffic } from './traffic.js';

const POLL_MS = 1000;

// Kept in step with the CSS custom properties of the same names.
const COLOR = { accent: '#4f46e5', success: '#16a34a', p50: '#0ea5e9', p95: '#8b5cf6', p99: '#db2777' };

type Link = 'connecting' | 'live' | 'lost';

function LiveIndicator({ link }: { link: Link }): VNode {
  const text = { connecting: 'Connecting…', live: 'Live', lost: 'Reconnecting…' }[link];
  return html`<span class=${`live ${link}`} data-testid="poll-status" data-state=${link}><i></i>${text}</span>`;
}

interface TileProps {
  readonly name: string;
  readonly label: string;
  readonly value: number | null;
  readonly text: string;
  readonly unit?: string;
  readonly hint?: string;
  readonly tone?: 'good' | 'warn' | 'bad' | undefined;
}

function Tile({ name, label, value, text, unit, hint, tone }: TileProps): VNode {
  return html`<div class=${`card tile ${tone ?? ''}`} title=${hint}>
    <div class="tile-label">${label}</div>
    <div class="tile-value">
      <span data-testid=${`stat-${name}`} data-value=${value ?? ''}>${text}</span>${unit ? html`<small>${unit}</small>` : null}
    </div>
  </div>`;
}

function successTone(rate: number | null): TileProps['tone'] {
  if (rate === null) return undefined;
  return rate >= 99.5 ? 'good' : rate >= 95 ? 'warn' : 'bad';
}

function Tiles({ traffic }: { traffic: RouterTraffic }): VNode {
  const s = traffic.summary();
  return html`<section class="tiles">
    <${Tile} name="requests-rate" label="Requests" value=${s.requestRate} text=${formatRate(s.requestRate)} unit="/s" hint="Requests per second over the last poll" />
    <${Tile} name="success-rate" label="Success rate" value=${s.successRate} text=${formatPercent(s.successRate)} tone=${successTone(s.successRate)} hint="Share of completed requests that succeeded" />
    <${Tile} name="latency-p50" label="Latency p50" value=${s.p50} text=${formatMs(s.p50)} unit="ms" hint="Median over the last full minute" />
    <${Tile} name="latency-p99" label="Latency p99" value=${s.p99} text=${formatMs(s.p99)} unit="ms" hint="99th percentile over the last full minute" />
    <${Tile} name="connections" label="Connections" value=${s.connections} text=${formatCount(s.connections)} hint="Open connections to this router's servers" />
    <${Tile} name="pending" label="Pending" value=${s.pending} text=${formatCount(s.pending)} hint="Requests in flight" />
  </section>`;
}

/** Success-rate axis: 100% at the top, and low enough to show the worst value. */
function successRange(min: number): [number, number] {
  return [Math.max(0, Math.min(90, Math.floor(min / 10) * 10)), 100];
}

function Charts({ traffic }: { traffic: RouterTraffic }): VNode {
  const h = traffic.history;
  return html`<section class="charts">
    <${Chart} key=${`${traffic.label}-rate`} testid="chart-requests" title="Request rate"
      series=${[{ label: 'req/s', color: COLOR.accent }]} data=${h.series(['requestRate'])} format=${formatRate} />
    <${Chart} key=${`${traffic.label}-success`} testid="chart-success" title="Success rate"
      series=${[{ label: '%', color: COLOR.success }]} data=${h.series(['successRate'])}
      format=${(v: number) => `${v}%`} range=${successRange} />
    <${Chart} key=${`${traffic.label}-latency`} testid="chart-latency" title="Latency (ms, per minute)"
      series=${[{ label: 'p50', color: COLOR.p50 }, { label: 'p95', color: COLOR.p95 }, { label: 'p99', color: COLOR.p99 }]}
      data=${h.series(['p50', 'p95', 'p99'])} format=${formatMs} />
  </section>`;
}

function ServicesTable({ traffic }: { traffic: RouterTraffic }): VNode {
  const names = traffic.services();
  return html`<section class="card services" data-testid="services">
    <h3>Services <span class="muted">logical names</span></h3>
    ${names.length === 0
      ? html`<p class="muted small empty">No requests routed yet.</p>`
      : html`<table>
        <thead><tr><th>Name</th><th class="num">req/s</th><th class="num">Success</th><th class="num">p99</th></tr></thead>
        <tbody>${names.map((id) => {
          const t = traffic.service(id);
          const p99 = traffic.serviceP99(id);
          return html`<tr key=${id} data-testid="service-row" data-service=${id}>
            <td class="mono"><a href=${`/delegator?router=${encodeURIComponent(traffic.label)}&path=${encodeURIComponent(id)}`} title="Explain this name in the dtab playground">${id}</a></td>
            <td class="num" data-testid="service-rate">${formatRate(t.requestRate)}</td>
            <td class=${`num ${successTone(t.successRate) ?? ''}`}>${formatPercent(t.successRate)}</td>
            <td class="num">${p99 === null ? UNKNOWN : `${formatMs(p99)} ms`}</td>
          </tr>`;
        })}</tbody>
      </table>`}
  </section>`;
}

function listening(router: RouterConfigJson | undefined): string {
  const servers = router?.servers ?? [];
  return servers.map((s) => `${s.ip ?? '127.0.0.1'}:${s.port ?? 4140}`).join(', ');
}

interface RouterViewProps {
  readonly traffic: RouterTraffic;
  readonly config: RouterConfigJson | undefined;
  readonly clients: readonly ClientJson[];
}

function RouterView({ traffic, config, clients }: RouterViewProps): VNode {
  const mine = clients.filter((c) => c.router === traffic.label).sort((a, b) => a.id.localeCompare(b.id));
  return html`<div class="router" data-testid="router-view" data-router=${traffic.label}>
    <div class="router-meta muted">
      ${config ? html`<span>${config.protocol}</span>` : null}
      ${listening(config) ? html`<span>listening on <span class="mono">${listening(config)}</span></span>` : null}
      ${config ? html`<span>names under <span class="mono">${config.dstPrefix ?? '/svc'}</span></span>` : null}
      <a href=${`/delegator?router=${encodeURIComponent(traffic.label)}`}>Explain a name →</a>
    </div>
    <${Tiles} traffic=${traffic} />
    <${Charts} traffic=${traffic} />
    <div class="lower">
      <section class="clients-section">
        <h3>Clients <span class="muted">bound names and their endpoints</span></h3>
        ${mine.length === 0
          ? html`<p class="card muted small empty">No clients bound yet: they appear once a request is routed.</p>`
          : html`<div class="client-grid">${mine.map((c) => html`<${ClientCard} key=${c.id} client=${c} traffic=${traffic.client(c.id)} />`)}</div>`}
      </section>
      <${ServicesTable} traffic=${traffic} />
    </div>
  </div>`;
}

function RouterTabs({ routers, selected, onSelect }: { routers: readonly RouterTraffic[]; selected: string; onSelect: (label: string) => void }): VNode {
  return html`<div class="tabs" role="tablist">
    ${routers.map((r) => html`<button key=${r.label} role="tab" class=${r.label === selected ? 'tab active' : 'tab'}
        aria-selected=${r.label === selected} data-testid="router-tab" data-router=${r.label} onClick=${() => onSelect(r.label)}>
      <span>${r.label}</span><span class="tab-rate">${formatRate(r.summary().requestRate)} req/s</span>
    </button>`)}
  </div>`;
}

/** The router labels to show: the config's, else whatever the metrics tree has under `rt`. */
function labelsOf(config: ConfigJson | undefined, fallback: () => string[]): string[] {
  const fromConfig = config?.routers?.map(routerLabel) ?? [];
  return fromConfig.length > 0 ? fromConfig : fallback();
}

export function Dashboard(): VNode {
  const [config, setConfig] = useState<ConfigJson | undefined>(undefined);
  const [clients, setClients] = useState<ClientJson[]>([]);
  const [link, setLink] = useState<Link>('connecting');
  const [selected, setSelected] = useState(() => new URLSearchParams(location.search).get('router'));
  const [, setPolls] = useState(0);
  const traffic = useRef(new Map<string, RouterTraffic>());

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cfg: ConfigJson | undefined;
    const poll = async (): Promise<void> => {
      try {
        cfg ??= await fetchConfig().catch(() => undefined);
        if (cfg) setConfig(cfg);
        const [metrics, clientList] = await Promise.all([fetchMetrics(), fetchClients().catch(() => undefined)]);
        const now = Date.now();
        const rt = scopeAt(metrics, ['rt']);
        for (const label of labelsOf(cfg, () => Object.keys(rt ?? {}))) {
          let t = traffic.current.get(label);
          if (!t) traffic.current.set(label, t = new RouterTraffic(label));
          t.ingest(metrics, now);
        }
        if (clientList) setClients(clientList);
        setLink('live');
      } catch {
        setLink('lost');
      }
      setPolls((n) => n + 1);
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => { stopped = true; clearTimeout(timer); };
  }, []);

  const routers = [...traffic.current.values()];
  const current = routers.find((r) => r.label === selected) ?? routers[0];
  const select = (label: string): void => {
    setSelected(label);
    history.replaceState(null, '', `?router=${encodeURIComponent(label)}`);
  };

  return html`<div class="page">
    <${Header} active="dashboard" prometheus=${prometheusPath(config)} status=${html`<${LiveIndicator} link=${link} />`} />
    <main>
      ${link === 'lost' ? html`<div class="banner" role="status">Lost contact with the admin server; retrying every second.</div>` : null}
      ${current
        ? html`<${RouterTabs} routers=${routers} selected=${current.label} onSelect=${select} />
          <${RouterView} key=${current.label} traffic=${current} clients=${clients}
            config=${config?.routers?.find((r) => routerLabel(r) === current.label)} />`
        : html`<p class="muted boot">${link === 'lost' ? 'Waiting for the admin server…' : 'Loading…'}</p>`}
    </main>
  </div>`;
}
