/**
 * The dtab playground (`/delegator`): pick a router, type a name and an override dtab as one
 * would send it in `l5d-dtab`, and see how the name is delegated. The URL carries router, path
 * and override, so a link reproduces the result.
 */
import { html } from 'htm/preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { VNode } from 'preact';
import { delegate, fetchConfig, fetchMetrics, prometheusPath, routerLabel, type ConfigJson, type DelegateNode, type RouterConfigJson } from './api.js';
import { DelegateTreeView, dentryKey, primaryDentries, primaryLeaves } from './delegate-tree.js';
import { composeDtab, errorText, locateError, showDtab, type ShownDtab, type TextError } from './dtab-text.js';
import { Header } from './header.js';
import { requestScopes, scopeAt, type MetricsTree } from './metrics.js';

/** What the result area shows. */
type Outcome =
  | { readonly kind: 'idle' }
  | { readonly kind: 'running' }
  | { readonly kind: 'tree'; readonly tree: DelegateNode; readonly overrides: ReadonlySet<string> }
  | { readonly kind: 'dtab-error'; readonly error: TextError }
  | { readonly kind: 'path-error'; readonly error: TextError }
  | { readonly kind: 'failure'; readonly message: string };

interface Query { readonly router: string | null; readonly path: string | null; readonly dtab: string | null }

function readQuery(): Query {
  const q = new URLSearchParams(location.search);
  return { router: q.get('router'), path: q.get('path'), dtab: q.get('dtab') };
}

function writeQuery(router: string, path: string, dtab: string): void {
  const q = new URLSearchParams({ router, path });
  if (dtab.trim() !== '') q.set('dtab', dtab);
  history.replaceState(null, '', `${location.pathname}?${q}`);
}

/**
 * A name worth explaining on first visit: one the router has actually served, else one its
 * dtab spells out under the router's prefix, else `<dstPrefix>/default`.
 */
function suggestPath(router: RouterConfigJson, base: ShownDtab, metrics: MetricsTree | undefined): string {
  const prefix = router.dstPrefix ?? '/svc';
  const under = (p: string): boolean => p.startsWith(`${prefix}/`);
  const served = [...requestScopes(scopeAt(metrics, ['rt', routerLabel(router), 'service'])).keys()].sort();
  return served.find(under)
    ?? base.entries.map((d) => d.prefix).find((p) => under(p) && !p.includes('*'))
    ?? `${prefix}/default`;
}

/** The text typed, echoed on one line with a caret under the offending column. */
function Caret({ error, testid }: { error: TextError; testid: string }): VNode {
  return html`<div class="text-error" role="alert" data-testid=${testid} data-line=${error.line} data-column=${error.column}>
    <pre class="mono"><span class="line">${error.lineText}</span><span class="caret" data-testid=${`${testid}-caret`}>${`${' '.repeat(error.column - 1)}^`}</span></pre>
    <p>${error.message}</p>
  </div>`;
}

/** The router's base dtab, one dentry per line with the arrows aligned. */
function BaseDtabView({ base, fired }: { base: ShownDtab; fired: Set<string> }): VNode {
  if (base.error) return html`<pre class="mono base-raw" data-testid="base-dtab">${base.text}</pre><p class="field-error">${base.error}</p>`;
  if (base.entries.length === 0) return html`<p class="muted small" data-testid="base-dtab">This router has an empty base dtab.</p>`;
  return html`<ol class="dtab mono" data-testid="base-dtab">
    ${base.entries.map((d, i) => {
      const hit = fired.has(dentryKey(d));
      return html`<li class=${hit ? 'fired' : ''} data-testid="base-dentry" data-fired=${String(hit)} title=${hit ? 'Used by the winning branch' : undefined}>
        <span class="line-no">${i + 1}</span><span class="prefix">${d.prefix}</span><span class="arrow">=></span><span class="dst">${d.dst}</span>
      </li>`;
    })}
  </ol>`;
}

function Summary({ tree }: { tree: DelegateNode }): VNode {
  const leaves = primaryLeaves(tree);
  if (leaves.length === 0) {
    return html`<div class="summary unresolved" data-testid="delegate-summary">No branch binds: requests for this name would fail with 502.</div>`;
  }
  const endpoints = leaves.reduce((n, l) => n + (l.bound.addr.type === 'bound' ? l.bound.addr.addrs.length : 0), 0);
  return html`<div class="summary resolved" data-testid="delegate-summary">
    Routes to ${leaves.map((l, i) => html`${i > 0 ? ' and ' : ''}<b class="mono">${l.bound.id}</b>`)}
    <span class="muted"> · ${endpoints === 1 ? '1 endpoint' : `${endpoints} endpoints`}</span>
  </div>`;
}

export function Playground(): VNode {
  const query = useMemo(readQuery, []);
  const [config, setConfig] = useState<ConfigJson | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const [router, setRouter] = useState(query.router ?? '');
  const [path, setPath] = useState(query.path ?? '');
  const [override, setOverride] = useState(query.dtab ?? '');
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });

  const routers = config?.routers ?? [];
  const routerConfig = routers.find((r) => routerLabel(r) === router);
  const base = useMemo(() => showDtab(routerConfig?.dtab ?? ''), [routerConfig]);

  // Only the latest delegation may show its answer; an earlier, slower one is dropped.
  const latest = useRef(0);
  /** The number of the last delegation shown, so observers can tell a new answer from the last. */
  const [finished, setFinished] = useState(0);
  const run = async (label: string, name: string, typed: string, baseDtab: ShownDtab): Promise<void> => {
    const ticket = ++latest.current;
    writeQuery(label, name, typed);
    setOutcome({ kind: 'running' });
    const sent = composeDtab(baseDtab.text, typed);
    const res = await delegate({ namespace: label, dtab: sent.text, path: name });
    if (ticket !== latest.current) return;
    setFinished(ticket);
    if (res.ok) {
      const overrides = new Set(showDtab(typed).entries.map(dentryKey));
      return setOutcome({ kind: 'tree', tree: res.tree, overrides });
    }
    if (res.status === 400 && /^Invalid dtab/.test(res.message)) {
      const error = locateError(res.message, sent.text, typed, sent.overrideStart);
      if (error) return setOutcome({ kind: 'dtab-error', error });
    }
    if (res.status === 400 && /^Invalid path/.test(res.message)) {
      const error = locateError(res.message, name, name, 0);
      if (error) return setOutcome({ kind: 'path-error', error });
    }
    setOutcome({ kind: 'failure', message: errorText(res.message) });
  };

  // Load the config (and, for a good first suggestion, the served names), then replay the URL.
  useEffect(() => {
    void (async () => {
      let cfg: ConfigJson;
      try { cfg = await fetchConfig(); } catch (e) { return setLoadError((e as Error).message); }
      const list = cfg.routers ?? [];
      const chosen = list.find((r) => routerLabel(r) === query.router) ?? list[0];
      setConfig(cfg);
      if (!chosen) return;
      const label = routerLabel(chosen);
      const chosenBase = showDtab(chosen.dtab ?? '');
      setRouter(label);
      if (query.path) return run(label, query.path, query.dtab ?? '', chosenBase);
      const metrics = await fetchMetrics().catch(() => undefined);
      setPath((typed) => typed || suggestPath(chosen, chosenBase, metrics));
    })();
  }, []);

  const submit = (e?: Event): void => {
    e?.preventDefault();
    if (routerConfig && path.trim() !== '') void run(router, path.trim(), override, base);
  };
  const submitOnEnter = (e: KeyboardEvent): void => {
    if (e.key === 'Enter' && !e.shiftKey) submit(e);
  };
  const chooseRouter = (label: string): void => {
    latest.current++;
    setRouter(label);
    setOutcome({ kind: 'idle' });
    writeQuery(label, path, override);
  };

  const fired = outcome.kind === 'tree' ? primaryDentries(outcome.tree) : new Set<string>();
  const prefix = routerConfig?.dstPrefix ?? '/svc';

  return html`<div class="page">
    <${Header} active="delegator" prometheus=${prometheusPath(config)} />
    <main class="playground">
      <div class="page-title">
        <h1>Dtab playground</h1>
        <p class="muted">See how a name is delegated through a router's dtab, with your own override on top. Nothing here changes the router.</p>
      </div>
      ${loadError ? html`<div class="banner" role="alert">Could not load the config: ${loadError}</div>` : null}
      <div class="play-grid">
        <form class="card form" onSubmit=${submit} data-testid="delegate-form">
          <label class="field">
            <span>Router</span>
            <select data-testid="router-select" value=${router} onChange=${(e: Event) => chooseRouter((e.target as HTMLSelectElement).value)}>
              ${routers.map((r) => html`<option value=${routerLabel(r)}>${routerLabel(r)}</option>`)}
            </select>
          </label>
          <label class="field">
            <span>Path <small class="muted">a logical name, e.g. ${prefix}/world</small></span>
            <input class="mono" data-testid="path-input" value=${path} spellcheck=${false} autocomplete="off"
              onInput=${(e: Event) => setPath((e.target as HTMLInputElement).value)} onKeyDown=${submitOnEnter} />
          </label>
          ${outcome.kind === 'path-error' ? html`<${Caret} error=${outcome.error} testid="path-error" />` : null}
          <label class="field">
            <span>Override dtab <small class="muted">exactly as you would send it in the <code>l5d-dtab</code> header</small></span>
            <textarea class=${`mono ${outcome.kind === 'dtab-error' ? 'invalid' : ''}`} data-testid="dtab-input" rows="3" spellcheck=${false}
              placeholder=${`e.g. ${prefix}/world => /#/io.l5d.fs/world-v2`} value=${override}
              onInput=${(e: Event) => setOverride((e.target as HTMLTextAreaElement).value)} onKeyDown=${submitOnEnter}></textarea>
          </label>
          ${outcome.kind === 'dtab-error' ? html`<${Caret} error=${outcome.error} testid="dtab-error" />` : null}
          <div class="form-actions">
            <button type="submit" class="primary-button" data-testid="delegate-button" disabled=${!routerConfig || outcome.kind === 'running'}>Delegate</button>
            <span class="muted small">Enter to delegate · Shift+Enter for a new line</span>
          </div>
        </form>
        <section class="card base">
          <h3>Base dtab <span class="muted">of ${router || '…'}, from the config</span></h3>
          <${BaseDtabView} base=${base} fired=${fired} />
          ${override.trim() !== '' ? html`<p class="muted small">Your override is appended after these dentries, so it takes precedence.</p>` : null}
        </section>
      </div>
      <section class="card result" data-testid="delegate-result" data-state=${outcome.kind} data-run=${finished}>
        ${outcome.kind === 'tree'
          ? html`<${Summary} tree=${outcome.tree} /><${DelegateTreeView} tree=${outcome.tree} overrides=${outcome.overrides} />`
          : outcome.kind === 'failure'
            ? html`<p class="field-error" role="alert" data-testid="delegate-failure">${outcome.message}</p>`
            : outcome.kind === 'running'
              ? html`<p class="muted">Delegating…</p>`
              : outcome.kind === 'idle'
                ? html`<p class="muted">Choose a name and press <b>Delegate</b> to see how it is routed.</p>`
                : html`<p class="muted">Fix the error above to see how the name is routed.</p>`}
      </section>
    </main>
  </div>`;
}
