import assert from 'node:assert/strict';
/**
 * Page-driving helpers for the admin UI's browser tests. They speak only in terms of the pages'
 * `data-testid` hooks and a base URL, so the same helpers drive the fixture server and the real
 * admin server.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium; the tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Bounds every wait, so a broken page fails the test instead of hanging it (not a timing assertion). */
const WAIT_MS = 15_000;

/** Builds `dist/ui` from `src/admin/ui` (scripts/build-ui.mjs); throws with esbuild's output on failure. */
export function buildUi(root: string): void {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-ui.mjs')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the admin UI failed:\n${r.stderr}${r.stdout}`);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A page sized like a 1366×768 laptop, with uncaught page errors collected into `errors`. */
export async function openPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.setDefaultTimeout(WAIT_MS);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

/**
 * The pages a test file opens: `page()` gives a fresh one, `closeAll()` (run it in afterEach)
 * closes them and fails the test on any uncaught error in them.
 */
export class PageTracker {
  private open: { page: Page; errors: string[] }[] = [];
  constructor(private readonly browser: () => Browser) {}

  async page(): Promise<Page> {
    const p = await openPage(this.browser());
    this.open.push(p);
    return p.page;
  }

  readonly closeAll = async (): Promise<void> => {
    const closing = this.open;
    this.open = [];
    for (const p of closing) await p.page.close();
    assert.deepEqual(closing.flatMap((p) => p.errors), [], 'no uncaught errors in the page');
  };
}

/** Saves a full-page screenshot as `test-artifacts/<name>.png` and returns its path. */
export async function screenshot(page: Page, root: string, name: string): Promise<string> {
  const dir = join(root, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

// ---- dashboard -----------------------------------------------------------

/** The big numbers of the router on screen, by tile name. */
export const STATS = ['requests-rate', 'success-rate', 'latency-p50', 'latency-p99', 'connections', 'pending'] as const;
export type StatName = (typeof STATS)[number];

/** Opens the overview (optionally on one router) and waits until the first poll has rendered. */
export async function openDashboard(page: Page, baseUrl: string, router?: string): Promise<void> {
  await page.goto(router ? `${baseUrl}/?router=${encodeURIComponent(router)}` : `${baseUrl}/`);
  await page.getByTestId('router-view').waitFor();
}

/** The label of the router shown. */
export async function shownRouter(page: Page): Promise<string | null> {
  return page.getByTestId('router-view').getAttribute('data-router');
}

/** Clicks a router tab and waits for its view. */
export async function chooseRouterTab(page: Page, label: string): Promise<void> {
  await page.locator(`[data-testid="router-tab"][data-router="${label}"]`).click();
  await page.locator(`[data-testid="router-view"][data-router="${label}"]`).waitFor();
}

/** A big number's raw value (null while unknown, e.g. before the second poll) and its text. */
export async function readStat(page: Page, name: StatName): Promise<{ value: number | null; text: string }> {
  const el = page.getByTestId(`stat-${name}`);
  const raw = await el.getAttribute('data-value');
  return { value: raw === null || raw === '' ? null : Number(raw), text: (await el.textContent()) ?? '' };
}

/** Waits until a big number is known and differs from `than` (a poll with new counters arrived). */
export async function waitForStatOtherThan(page: Page, name: StatName, than: number | null): Promise<number> {
  const handle = await page.waitForFunction(({ testid, old }) => {
    const raw = document.querySelector(`[data-testid="${testid}"]`)?.getAttribute('data-value');
    return raw !== undefined && raw !== null && raw !== '' && Number(raw) !== old ? Number(raw) : false;
  }, { testid: `stat-${name}`, old: than });
  return (await handle.jsonValue()) as number;
}

export interface EndpointView { addr: string; status: string; dotColor: string }

/** The endpoints listed on a client's card, with the colour their health dot is drawn in. */
export async function readEndpoints(page: Page, clientId: string): Promise<EndpointView[]> {
  const card = page.locator(`[data-testid="client-card"][data-client="${clientId}"]`);
  await card.waitFor();
  return card.getByTestId('endpoint').evaluateAll((rows) => rows.map((row) => ({
    addr: row.getAttribute('data-addr') ?? '',
    status: row.getAttribute('data-status') ?? '',
    dotColor: getComputedStyle(row.querySelector('[data-testid="endpoint-dot"]')!).backgroundColor,
  })));
}

/** The logical names in the services table. */
export async function readServices(page: Page): Promise<string[]> {
  return page.getByTestId('service-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-service') ?? ''));
}

// ---- dtab playground -----------------------------------------------------

export interface PlaygroundQuery { router?: string; path?: string; dtab?: string }

/** Opens `/delegator`, with the given state in the URL, and waits for the form to be usable. */
export async function openPlayground(page: Page, baseUrl: string, query: PlaygroundQuery = {}): Promise<void> {
  const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
  await page.goto(`${baseUrl}/delegator${q.size > 0 ? `?${q}` : ''}`);
  await page.locator('[data-testid="router-select"] option').first().waitFor({ state: 'attached' });
}

/** The playground's query string after the last action, as an object. */
export function playgroundQuery(page: Page): PlaygroundQuery {
  const q = new URL(page.url()).searchParams;
  const out: PlaygroundQuery = {};
  for (const k of ['router', 'path', 'dtab'] as const) { const v = q.get(k); if (v !== null) out[k] = v; }
  return out;
}

/** Fills the form and delegates, by clicking the button or pressing Enter in the path box. */
export async function delegate(page: Page, input: { router?: string; path: string; dtab?: string }, via: 'click' | 'enter' = 'click'): Promise<void> {
  if (input.router) await page.getByTestId('router-select').selectOption(input.router);
  await page.getByTestId('dtab-input').fill(input.dtab ?? '');
  await page.getByTestId('path-input').fill(input.path);
  const before = await finishedRuns(page);
  if (via === 'click') await page.getByTestId('delegate-button').click();
  else await page.getByTestId('path-input').press('Enter');
  await waitForResult(page, before);
}

async function finishedRuns(page: Page): Promise<number> {
  return Number(await page.getByTestId('delegate-result').getAttribute('data-run'));
}

/** Waits until a delegation after the `after`-th has shown its answer (tree, error or failure). */
export async function waitForResult(page: Page, after = 0): Promise<void> {
  await page.waitForFunction((n) => {
    const el = document.querySelector('[data-testid="delegate-result"]');
    return Number(el?.getAttribute('data-run')) > n && el?.getAttribute('data-state') !== 'running';
  }, after);
}

export interface TreeNodeView {
  type: string;
  path: string;
  primary: boolean;
  dimmed: boolean;
  boundId: string | null;
  /** The node's dentry as `prefix=>dst`, and whether it is tagged as coming from the override. */
  dentry: string | null;
  fromOverride: boolean;
}

/** The rendered explanation tree, depth first. */
export async function readTree(page: Page): Promise<TreeNodeView[]> {
  await page.getByTestId('delegate-tree').waitFor();
  return page.getByTestId('tree-node').evaluateAll((nodes) => nodes.map((n) => {
    const row = n.querySelector(':scope > .node-row')!;
    return {
      type: n.getAttribute('data-type') ?? '',
      path: n.getAttribute('data-path') ?? '',
      primary: n.getAttribute('data-primary') === 'true',
      dimmed: Number(getComputedStyle(row).opacity) < 1,
      boundId: n.querySelector(':scope > dl [data-testid="tree-bound-id"]')?.textContent ?? null,
      dentry: row.querySelector('[data-testid="tree-dentry"]')?.textContent?.replace(/^via\s*/, '').replace(/\s*=>\s*/, '=>') ?? null,
      fromOverride: row.querySelector('[data-testid="tree-override"]') !== null,
    };
  }));
}

/** The summary line above the tree. */
export async function readSummary(page: Page): Promise<string> {
  return ((await page.getByTestId('delegate-summary').textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

export interface TextErrorView {
  line: number;
  column: number;
  /** The 1-based column the caret is drawn at, counted in characters. */
  caretColumn: number;
  /** Whether the caret is drawn on screen directly below the offending character. */
  caretUnderColumn: boolean;
  lineText: string;
  message: string;
}

/** The error shown under the override box (`dtab-error`) or the path box (`path-error`). */
export async function readTextError(page: Page, which: 'dtab-error' | 'path-error'): Promise<TextErrorView> {
  const box = page.getByTestId(which);
  await box.waitFor();
  const caret = (await box.getByTestId(`${which}-caret`).textContent()) ?? '';
  const column = Number(await box.getAttribute('data-column'));
  const caretUnderColumn = await box.evaluate((el, col) => {
    const line = el.querySelector('pre > .line')?.firstChild;
    const mark = el.querySelector('pre > .caret')?.firstChild;
    if (!line || !mark) return false;
    // At the end of the text the caret points just past the last character.
    const at = Math.min(col - 1, line.textContent!.length);
    const char = document.createRange();
    char.setStart(line, at);
    char.setEnd(line, at);
    const hat = document.createRange();
    hat.setStart(mark, mark.textContent!.indexOf('^'));
    hat.setEnd(mark, mark.textContent!.indexOf('^') + 1);
    const a = char.getBoundingClientRect();
    const b = hat.getBoundingClientRect();
    return Math.abs(a.left - b.left) < 1 && b.top >= a.bottom - 1;
  }, column);
  return {
    line: Number(await box.getAttribute('data-line')),
    column,
    caretColumn: caret.indexOf('^') + 1,
    caretUnderColumn,
    lineText: (await box.locator('pre > .line').textContent()) ?? '',
    message: (await box.locator('p').textContent()) ?? '',
  };
}

/** The base dtab as shown: `prefix=>dst` per line, and which lines the winning branch used. */
export async function readBaseDtab(page: Page): Promise<{ dentry: string; fired: boolean }[]> {
  return page.getByTestId('base-dentry').evaluateAll((rows) => rows.map((r) => ({
    dentry: `${r.querySelector('.prefix')?.textContent ?? ''}=>${r.querySelector('.dst')?.textContent ?? ''}`,
    fired: r.getAttribute('data-fired') === 'true',
  })));
}

/**
 * Types `override` (whose second dentry lacks its `=>`) and checks the error shown under the
 * override box: line 1, the column of `/srv/y`, the caret drawn under it.
 */
export async function expectMissingArrowError(page: Page, override: string): Promise<void> {
  await delegate(page, { path: '/svc/world', dtab: override });
  const error = await readTextError(page, 'dtab-error');
  assert.equal(error.line, 1);
  assert.equal(error.column, override.indexOf('/srv/y') + 1);
  assert.equal(error.caretColumn, error.column);
  assert.ok(error.caretUnderColumn, 'the caret is drawn under the offending character');
  assert.equal(error.lineText, override);
  assert.match(error.message, new RegExp(`^Invalid dtab at column ${error.column}: expected '=>'`));
}
