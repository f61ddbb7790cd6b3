/** The bar across the top of every admin page: product name, navigation, and a status slot. */
import { html } from 'htm/preact';
import type { VNode } from 'preact';

export type PageName = 'dashboard' | 'delegator';

interface HeaderProps {
  readonly active: PageName;
  /** The Prometheus telemeter's path, linked when one is configured. */
  readonly prometheus?: string | undefined;
  /** Shown at the right end, e.g. the dashboard's live indicator. */
  readonly status?: VNode | undefined;
}

const LOGO = html`<svg class="logo" viewBox="0 0 32 32" aria-hidden="true">
  <rect width="32" height="32" rx="7" />
  <path d="M9 26V6m14 20V16c0-4-3-6-7-7l-7-2" />
</svg>`;

export function Header({ active, prometheus, status }: HeaderProps): VNode {
  const link = (page: PageName, href: string, label: string): VNode =>
    html`<a href=${href} class=${page === active ? 'active' : ''} aria-current=${page === active ? 'page' : undefined}>${label}</a>`;
  return html`<header class="topbar">
    <a class="brand" href="/">${LOGO}<span>Switchyard</span></a>
    <nav>
      ${link('dashboard', '/', 'Dashboard')}
      ${link('delegator', '/delegator', 'Dtab playground')}
      <a href="/admin/metrics.json?pretty=true" target="_blank" rel="noopener">metrics.json</a>
      ${prometheus ? html`<a href=${prometheus} target="_blank" rel="noopener">Prometheus</a>` : null}
      <a href="/admin" target="_blank" rel="noopener">Admin endpoints</a>
    </nav>
    <div class="topbar-status">${status}</div>
  </header>`;
}
