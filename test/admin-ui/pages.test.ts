/**
 * The admin UI in a real browser (Debian's Chromium through playwright-core) against the
 * fixture admin server: the overview's live numbers, charts and endpoint health, and the dtab
 * playground's delegation, highlighting, error caret and shareable URL.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startFixture, ROOT, type Fixture } from './fixture.js';
import {
  buildUi, chooseRouterTab, delegate, launchBrowser, openDashboard, openPlayground, playgroundQuery,
  readBaseDtab, readEndpoints, readServices, readStat, readSummary, readTextError, readTree, screenshot,
  shownRouter, waitForResult, waitForStatOtherThan, STATS,
  PageTracker, expectMissingArrowError,
} from './drive.js';

let fixture: Fixture;
let browser: Browser;
/** Fresh pages per test, closed after it; any uncaught page error fails the test. */
const pages = new PageTracker(() => browser);
const page = (): Promise<Page> => pages.page();
const closePages = pages.closeAll;

before(async () => {
  buildUi(ROOT);
  fixture = await startFixture();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await fixture?.close();
});

describe('overview', () => {
  afterEach(closePages);

  test('shows the router numbers, and they move between polls', async () => {
    const p = await page();
    await openDashboard(p, fixture.url);
    assert.equal(await shownRouter(p), 'outgoing');
    const first = await waitForStatOtherThan(p, 'requests-rate', null);
    assert.ok(first > 0, `a request rate once two polls are in, got ${first}`);
    const second = await waitForStatOtherThan(p, 'requests-rate', first);
    assert.notEqual(second, first);
    for (const name of STATS) {
      const s = await readStat(p, name);
      assert.notEqual(s.value, null, `${name} is known`);
      assert.notEqual(s.text.trim(), '', `${name} shows text`);
    }
    assert.equal((await readStat(p, 'latency-p99')).value, 31);
    assert.match((await readStat(p, 'success-rate')).text, /^\d+(\.\d\d)?%$/);
    // Three charts, each drawn by uPlot into a canvas.
    for (const chart of ['chart-requests', 'chart-success', 'chart-latency']) {
      assert.equal(await p.getByTestId(chart).locator('canvas').count(), 1, `${chart} has a canvas`);
    }
    await waitForStatOtherThan(p, 'requests-rate', second);
    await screenshot(p, ROOT, 'dashboard');
  });

  test('client cards list endpoints with a health dot per status', async () => {
    const p = await page();
    await openDashboard(p, fixture.url, 'outgoing');
    const endpoints = await readEndpoints(p, '/#/io.l5d.fs/world-v1');
    assert.deepEqual(endpoints.map((e) => [e.addr, e.status]), [
      ['127.0.0.1:7778', 'alive'], ['127.0.0.1:7779', 'dead'], ['127.0.0.1:7780', 'probing'],
    ]);
    const colours = new Set(endpoints.map((e) => e.dotColor));
    assert.equal(colours.size, 3, `alive, dead and probing dots differ in colour: ${[...colours].join(', ')}`);
    const failed = p.locator('[data-testid="client-card"][data-client="/#/io.l5d.fs/users"]');
    assert.match((await failed.textContent()) ?? '', /ENOENT/);
    assert.deepEqual(await readServices(p), ['/svc/search', '/svc/world']);
  });

  test('router tabs switch the router and keep it in the URL', async () => {
    const p = await page();
    await openDashboard(p, fixture.url);
    await chooseRouterTab(p, 'incoming');
    assert.equal(new URL(p.url()).searchParams.get('router'), 'incoming');
    assert.deepEqual(await readServices(p), ['/svc/hello']);
    await p.reload();
    await p.getByTestId('router-view').waitFor();
    assert.equal(await shownRouter(p), 'incoming');
  });

  test('says when it loses the admin server, and recovers', async () => {
    const p = await page();
    await openDashboard(p, fixture.url);
    const status = (state: string) => p.locator(`[data-testid="poll-status"][data-state="${state}"]`);
    await status('live').waitFor();
    fixture.metricsDown = true;
    try {
      await status('lost').waitFor();
      assert.match((await p.getByRole('status').textContent()) ?? '', /Lost contact/);
      assert.equal(await p.getByTestId('router-view').count(), 1, 'the last numbers stay on screen');
    } finally {
      fixture.metricsDown = false;
    }
    await status('live').waitFor();
    assert.equal(await p.getByRole('status').count(), 0);
  });
});

describe('dtab playground', () => {
  afterEach(closePages);

  test('delegates a path under an override and highlights the winning branch', async () => {
    const p = await page();
    await openPlayground(p, fixture.url);
    assert.deepEqual((await readBaseDtab(p)).map((d) => d.dentry), [
      '/srv=>/#/io.l5d.fs', '/svc=>/srv', '/svc/world=>/srv/world-v1', '/svc/search=>9.00*/srv/search-v1 & /srv/search-v2',
    ]);
    await delegate(p, { router: 'outgoing', path: '/svc/world', dtab: '/svc/world => /srv/world-v2' });

    const sent = fixture.delegations.at(-1)!;
    assert.equal(sent.namespace, 'outgoing');
    assert.equal(sent.path, '/svc/world');
    assert.ok(sent.dtab.endsWith(';/svc/world => /srv/world-v2'), `base first, then the override: ${sent.dtab}`);

    const tree = await readTree(p);
    const leaves = tree.filter((n) => n.type === 'leaf');
    const winner = leaves.find((n) => n.primary);
    assert.equal(winner?.boundId, '/#/io.l5d.fs/world-v2');
    assert.ok(tree.filter((n) => n.primary).every((n) => !n.dimmed), 'the winning branch is not dimmed');
    const losers = tree.filter((n) => !n.primary);
    assert.ok(losers.length > 0 && losers.every((n) => n.dimmed), 'every other branch is dimmed');
    assert.ok(tree.some((n) => n.type === 'neg'), 'the /svc fallback is shown as neg');
    assert.deepEqual(tree.filter((n) => n.fromOverride).map((n) => [n.path, n.dentry]),
      [['/srv/world-v2', '/svc/world=>/srv/world-v2']], 'the dentry from the override is tagged');
    assert.match(await readSummary(p), /Routes to \/#\/io\.l5d\.fs\/world-v2 · 1 endpoint/);
    assert.deepEqual((await readBaseDtab(p)).filter((d) => d.fired).map((d) => d.dentry), ['/srv=>/#/io.l5d.fs']);
    assert.deepEqual(playgroundQuery(p), { router: 'outgoing', path: '/svc/world', dtab: '/svc/world => /srv/world-v2' });
    await screenshot(p, ROOT, 'playground');
  });

  test('a union shows its weighted branches, and Enter delegates', async () => {
    const p = await page();
    await openPlayground(p, fixture.url, { router: 'outgoing' });
    await delegate(p, { path: '/svc/search' }, 'enter');
    const tree = await readTree(p);
    const union = tree.find((n) => n.type === 'union');
    assert.ok(union?.primary, 'the union is on the winning branch');
    assert.deepEqual(tree.filter((n) => n.type === 'leaf' && n.primary).map((n) => n.boundId),
      ['/#/io.l5d.fs/search-v1', '/#/io.l5d.fs/search-v2']);
    assert.deepEqual(await p.getByTestId('tree-share').allTextContents(), ['90%', '10%']);
    await screenshot(p, ROOT, 'playground-union');
  });

  test('a name nothing binds is reported as unresolved', async () => {
    const p = await page();
    await openPlayground(p, fixture.url, { router: 'outgoing' });
    await delegate(p, { path: '/svc/nowhere' });
    const tree = await readTree(p);
    assert.ok(tree.every((n) => !n.primary && !n.dimmed), 'nothing is highlighted or dimmed');
    assert.ok(tree.some((n) => n.type === 'neg'));
    assert.match(await readSummary(p), /No branch binds/);
  });

  test('shows a parse error under the override with a caret at its column', async () => {
    const p = await page();
    await openPlayground(p, fixture.url, { router: 'outgoing' });
    // The parser stops at the second dentry's missing '=>': column 37 of what was typed.
    await expectMissingArrowError(p, '/svc/world => /srv/world-v2; /svc/x /srv/y');
    await screenshot(p, ROOT, 'playground-error');
  });

  test('maps an error on the second line of a multi-line override', async () => {
    const p = await page();
    await openPlayground(p, fixture.url, { router: 'outgoing' });
    await delegate(p, { path: '/svc/world', dtab: '/svc/world => /srv/world-v2;\n/svc/y => & /srv/z' });
    const error = await readTextError(p, 'dtab-error');
    assert.deepEqual([error.line, error.column, error.caretColumn, error.lineText], [2, 11, 11, '/svc/y => & /srv/z']);
    assert.ok(error.caretUnderColumn);
    assert.match(error.message, /at line 2, column 11/);
  });

  test('shows a path error under the path box', async () => {
    const p = await page();
    await openPlayground(p, fixture.url, { router: 'outgoing' });
    await delegate(p, { path: '/svc/world/' });
    const error = await readTextError(p, 'path-error');
    assert.equal(error.column, 12);
    assert.equal(error.caretColumn, 12);
    assert.ok(error.caretUnderColumn, 'the caret points just past the trailing slash');
  });

  test('restores router, path and override from the URL and runs the delegation', async () => {
    const p = await page();
    const query = { router: 'outgoing', path: '/svc/world', dtab: '/svc/world => /srv/world-v2' };
    await openPlayground(p, fixture.url, query);
    await waitForResult(p);
    assert.equal(await p.getByTestId('router-select').inputValue(), 'outgoing');
    assert.equal(await p.getByTestId('path-input').inputValue(), '/svc/world');
    assert.equal(await p.getByTestId('dtab-input').inputValue(), query.dtab);
    const winner = (await readTree(p)).find((n) => n.type === 'leaf' && n.primary);
    assert.equal(winner?.boundId, '/#/io.l5d.fs/world-v2');
  });

  test('suggests a name the router has served, and explains the other router', async () => {
    const p = await page();
    await openPlayground(p, fixture.url, { router: 'incoming' });
    await p.waitForFunction(() => (document.querySelector('[data-testid="path-input"]') as HTMLInputElement | null)?.value !== '');
    assert.equal(await p.getByTestId('router-select').inputValue(), 'incoming');
    assert.equal(await p.getByTestId('path-input').inputValue(), '/svc/hello');
    assert.deepEqual((await readBaseDtab(p)).map((d) => d.dentry), ['/svc=>/$/inet/127.1/7777']);
  });
});
