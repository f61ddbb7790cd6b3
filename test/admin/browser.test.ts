/**
 * The admin UI in a real browser (Debian's Chromium through playwright-core) against the REAL
 * admin server of a running Switchyard with traffic flowing: the overview's numbers move, its
 * client cards show the real endpoints and their health, and the dtab playground explains a
 * real name under an override down to the upstream's address. Screenshots are saved as
 * `test-artifacts/admin-*.png`.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { ROOT } from '../admin-ui/fixture.js';
import {
  buildUi, chooseRouterTab, delegate, launchBrowser, openDashboard, openPlayground, readBaseDtab,
  readEndpoints, readServices, readStat, readSummary, readTextError, readTree, screenshot, shownRouter,
  waitForResult, waitForStatOtherThan,
  PageTracker, expectMissingArrowError,
} from '../admin-ui/drive.js';
import { startWorld, WORLD_V1_MS, type World } from './world.js';

/** Newest modification time of the files under `dir`. */
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((t, e) => {
    const p = join(dir, e.name);
    return Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);
}

/** Builds the dashboard bundle unless it is newer than its sources (the admin-ui tests may be building it right now). */
function ensureUi(): void {
  let built = 0;
  try { built = statSync(join(ROOT, 'dist', 'ui', 'app.js')).mtimeMs; } catch { /* not built yet */ }
  if (built < newest(join(ROOT, 'src', 'admin', 'ui'))) buildUi(ROOT);
}

/**
 * Requests through both routers, one at a time, until stopped: nine in ten to /svc/world
 * (world-v1, 25 ms on the linker's clock), one in ten to /svc/broken (500), and every fifth
 * iteration one through the incoming router. At most a hundred iterations a second, so the
 * linker's clock moves at most a couple of seconds per second: a histogram window ends when
 * the test advances the clock, not on its own while the first page loads.
 */
function trafficLoop(world: World): { stop(): Promise<void> } {
  let stopped = false;
  const done = (async () => {
    for (let i = 0; !stopped; i++) {
      await world.route(i % 10 === 9 ? 'broken' : 'world').catch(() => undefined);
      if (i % 5 === 0) await world.route('hello', {}, 'incoming').catch(() => undefined);
      await sleep(10);
    }
  })();
  return { stop: async () => { stopped = true; await done; } };
}

let world: World;
let traffic: { stop(): Promise<void> };
let browser: Browser;
let baseUrl: string;
/** Fresh pages per test, closed after it; any uncaught page error fails the test. */
const pages = new PageTracker(() => browser);
const page = (): Promise<Page> => pages.page();
const closePages = pages.closeAll;

before(async () => {
  ensureUi();
  world = await startWorld();
  baseUrl = `http://127.0.0.1:${world.linker.adminPort}`;
  browser = await launchBrowser();
  traffic = trafficLoop(world);
});

after(async () => {
  await browser?.close();
  await traffic?.stop();
  await world?.close();
});

describe('overview of a running linker', () => {
  afterEach(closePages);

  test('the numbers move between polls; latency appears once a minute of histograms is snapshotted', async () => {
    const p = await page();
    await openDashboard(p, baseUrl);
    assert.equal(await shownRouter(p), 'outgoing');
    const first = await waitForStatOtherThan(p, 'requests-rate', null);
    assert.ok(first > 0, `a request rate once two polls are in, got ${first}`);
    const second = await waitForStatOtherThan(p, 'requests-rate', first);
    assert.ok(second > 0 && second !== first);

    // Linkerd snapshots histograms once a minute: until then there is no latency to show.
    assert.ok(world.clock.now() < 60_000, `precondition: no histogram window has ended yet (clock at ${world.clock.now()} ms)`);
    for (const name of ['latency-p50', 'latency-p99'] as const) {
      assert.deepEqual(await readStat(p, name), { value: null, text: '—' }, `${name} before the first snapshot`);
    }
    await screenshot(p, ROOT, 'admin-dashboard-before-snapshot');

    world.clock.advance(60_000);
    assert.equal(await waitForStatOtherThan(p, 'latency-p50', null), WORLD_V1_MS);
    assert.equal((await readStat(p, 'latency-p99')).value, WORLD_V1_MS, 'the 500s take no time on this clock, so p99 is world-v1 too');
    const success = await readStat(p, 'success-rate');
    assert.ok(success.value !== null && success.value < 100 && success.value > 50, `one request in ten fails: ${success.text}`);
    assert.match(success.text, /^\d+\.\d\d%$/);
    for (const name of ['connections', 'pending'] as const) assert.notEqual((await readStat(p, name)).value, null, `${name} is known`);
    for (const chart of ['chart-requests', 'chart-success', 'chart-latency']) {
      assert.equal(await p.getByTestId(chart).locator('canvas').count(), 1, `${chart} has a canvas`);
    }
    await waitForStatOtherThan(p, 'requests-rate', second);
    await screenshot(p, ROOT, 'admin-dashboard');
  });

  test('client cards show the real endpoints with their health; a failing endpoint turns dead', async () => {
    const p = await page();
    await openDashboard(p, baseUrl, 'outgoing');
    const v1 = await readEndpoints(p, '/#/io.l5d.fs/world-v1');
    assert.deepEqual(v1.map((e) => [e.addr, e.status]), [[`127.0.0.1:${world.upstreams.v1.port}`, 'alive']]);
    // Five 500s in a row trip failure accrual on the broken upstream's only endpoint.
    const broken = p.locator('[data-testid="client-card"][data-client="/#/io.l5d.fs/broken"] [data-testid="endpoint"]');
    await p.waitForFunction(() => {
      const s = document.querySelector('[data-testid="client-card"][data-client="/#/io.l5d.fs/broken"] [data-testid="endpoint"]')?.getAttribute('data-status');
      return s === 'dead' || s === 'probing';
    });
    assert.equal(await broken.getAttribute('data-addr'), `127.0.0.1:${world.upstreams.broken.port}`);
    const [dead] = await readEndpoints(p, '/#/io.l5d.fs/broken');
    assert.notEqual(dead!.dotColor, v1[0]!.dotColor, `a ${dead!.status} dot is not drawn like an alive one`);
    const rate = p.locator('[data-testid="client-card"][data-client="/#/io.l5d.fs/world-v1"] [data-testid="client-rate"]');
    await p.waitForFunction((el) => el !== null && el.textContent !== '—' && Number(el.textContent) > 0, await rate.elementHandle());
    const services = await readServices(p);
    assert.ok(services.includes('/svc/world') && services.includes('/svc/broken'), services.join(', '));
    assert.ok(services.every((s) => s.startsWith('/svc/')), `logical names, not metric scopes: ${services.join(', ')}`);
    await screenshot(p, ROOT, 'admin-dashboard-clients');
  });

  test('the incoming router has its own tab, client and services', async () => {
    const p = await page();
    await openDashboard(p, baseUrl);
    await chooseRouterTab(p, 'incoming');
    const inet = `/$/inet/127.0.0.1/${world.upstreams.v2.port}`;
    assert.deepEqual((await readEndpoints(p, inet)).map((e) => [e.addr, e.status]), [[`127.0.0.1:${world.upstreams.v2.port}`, 'alive']]);
    assert.deepEqual(await readServices(p), ['/svc/hello']);
    await waitForStatOtherThan(p, 'requests-rate', null);
    await screenshot(p, ROOT, 'admin-dashboard-incoming');
  });

  test('a service row links to the playground, which explains the name as routed', async () => {
    const p = await page();
    await openDashboard(p, baseUrl, 'outgoing');
    await p.locator('[data-testid="service-row"][data-service="/svc/world"] a').click();
    await p.waitForURL(/\/delegator\?/);
    await waitForResult(p);
    const winner = (await readTree(p)).find((n) => n.type === 'leaf' && n.primary);
    assert.equal(winner?.boundId, '/#/io.l5d.fs/world-v1');
    assert.deepEqual(await primaryAddresses(p), [`127.0.0.1:${world.upstreams.v1.port}`]);
  });
});

/** The address chips of the highlighted leaves. */
function primaryAddresses(p: Page): Promise<string[]> {
  return p.locator('[data-testid="tree-node"][data-type="leaf"][data-primary="true"] > dl [data-testid="tree-addr"]').allTextContents();
}

describe('dtab playground against the running linker', () => {
  afterEach(closePages);

  test('delegates /svc/world under an override: the highlighted branch ends at world-v2 and its address', async () => {
    const p = await page();
    await openPlayground(p, baseUrl, { router: 'outgoing' });
    assert.deepEqual((await readBaseDtab(p)).map((d) => d.dentry), ['/srv=>/#/io.l5d.fs', '/svc=>/srv', '/svc/world=>/srv/world-v1']);
    await delegate(p, { router: 'outgoing', path: '/svc/world', dtab: '/svc/world => /srv/world-v2' });

    const tree = await readTree(p);
    const primaryLeaves = tree.filter((n) => n.type === 'leaf' && n.primary);
    assert.deepEqual(primaryLeaves.map((n) => n.boundId), ['/#/io.l5d.fs/world-v2']);
    assert.deepEqual(await primaryAddresses(p), [`127.0.0.1:${world.upstreams.v2.port}`]);
    assert.ok(tree.filter((n) => n.primary).every((n) => !n.dimmed), 'the winning branch is not dimmed');
    const losers = tree.filter((n) => !n.primary);
    assert.ok(losers.length > 0 && losers.every((n) => n.dimmed), 'every other branch is dimmed');
    assert.ok(tree.some((n) => n.type === 'leaf' && !n.primary && n.boundId === '/#/io.l5d.fs/world-v1'), 'the base route is shown, dimmed');
    assert.deepEqual(tree.filter((n) => n.fromOverride).map((n) => [n.path, n.dentry]), [['/srv/world-v2', '/svc/world=>/srv/world-v2']]);
    assert.match(await readSummary(p), /^Routes to \/#\/io\.l5d\.fs\/world-v2 · 1 endpoint$/);
    assert.deepEqual((await readBaseDtab(p)).filter((d) => d.fired).map((d) => d.dentry), ['/srv=>/#/io.l5d.fs']);
    await screenshot(p, ROOT, 'admin-playground');
  });

  test('shows a parse error of the override with a caret at its column', async () => {
    const p = await page();
    await openPlayground(p, baseUrl, { router: 'outgoing' });
    // The parser stops at the second dentry's missing '=>': column 37 of what was typed.
    await expectMissingArrowError(p, '/svc/world => /srv/world-v2; /svc/x /srv/y');
    await screenshot(p, ROOT, 'admin-playground-error');
  });
});
