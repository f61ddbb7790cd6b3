/** Per-client cards: a bound name, its state, its traffic, and the health of each endpoint. */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import type { ClientJson, EndpointJson } from './api.js';
import { formatPercent, formatRate } from './format.js';
import type { Throughput } from './traffic.js';

/** `bound`, `pending`, `neg`, or `failed` (the cause follows `failed: `). */
function stateKind(state: string): string {
  const kind = state.split(':')[0]!.trim().toLowerCase();
  return ['bound', 'pending', 'neg', 'failed'].includes(kind) ? kind : 'unknown';
}

const STATUS_TEXT: Record<string, string> = {
  alive: 'alive',
  dead: 'dead: failure accrual marked it down',
  probing: 'probing: one trial request at a time',
};

function Endpoint({ endpoint }: { endpoint: EndpointJson }): VNode {
  return html`<li class="endpoint" data-testid="endpoint" data-addr=${endpoint.addr} data-status=${endpoint.status}>
    <span class=${`dot ${endpoint.status}`} data-testid="endpoint-dot" title=${STATUS_TEXT[endpoint.status] ?? endpoint.status}></span>
    <span class="mono addr">${endpoint.addr}</span>
    <span class="muted" title="requests in flight to this endpoint">${endpoint.pending} pending</span>
    <span class="muted" title="load-balancer weight">×${endpoint.weight}</span>
  </li>`;
}

export function ClientCard({ client, traffic }: { client: ClientJson; traffic: Throughput }): VNode {
  const kind = stateKind(client.state);
  const counts = { alive: 0, dead: 0, probing: 0 };
  for (const e of client.endpoints) if (e.status in counts) counts[e.status]++;
  const endpoints = [...client.endpoints].sort((a, b) => a.addr.localeCompare(b.addr, 'en', { numeric: true }));
  return html`<article class="card client" data-testid="client-card" data-client=${client.id}>
    <header>
      <span class="mono client-id" title=${client.id}>${client.id}</span>
      <span class=${`badge state-${kind}`} title=${client.state}>${kind === 'unknown' ? client.state : kind}</span>
    </header>
    <div class="client-figures">
      <span><b data-testid="client-rate">${formatRate(traffic.requestRate)}</b> req/s</span>
      <span><b data-testid="client-success">${formatPercent(traffic.successRate)}</b> success</span>
      <span class="muted">${counts.alive}/${client.endpoints.length} alive</span>
    </div>
    ${kind === 'failed' ? html`<p class="client-error">${client.state}</p>` : null}
    ${endpoints.length === 0
      ? html`<p class="muted small">No endpoints.</p>`
      : html`<ul class="endpoints">${endpoints.map((e) => html`<${Endpoint} key=${e.addr} endpoint=${e} />`)}</ul>`}
  </article>`;
}
